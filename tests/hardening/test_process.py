"""What only a real process shows (subprocess, not the in-process runner): a closed pipe ends a command
quietly with exit 0, a run that needs more memory than ``ulimit -v`` leaves is refused before it allocates
(one line, no MemoryError), and no progress-bar frames reach a piped log."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def regimes_cmd() -> str:
    exe = shutil.which("regimes", path=str(Path(sys.executable).parent))
    return exe or f"{sys.executable} -m numerics.cli"


def bash(script: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REGIMES_MEMORY_BUDGET"}  # the machine's default budget
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, **kw)


def test_sigpipe_quiet_exit_0():
    """``regimes results | head -1``: exit 0, nothing on stderr (no BrokenPipeError traceback)."""
    p = bash(f"set -o pipefail; {regimes_cmd()} gm --d 10 --mu 1 --sigma 1 --t $(seq 1 0.001 4) | head -1; "
             f"echo rc=${{PIPESTATUS[0]}}")
    assert "rc=0" in p.stdout, p.stdout + p.stderr
    assert p.stderr == "", p.stderr


def test_sigpipe_results_head():
    p = bash(f"{regimes_cmd()} results | head -1; echo rc=${{PIPESTATUS[0]}}")
    assert p.stdout.strip().endswith("rc=0") and p.stderr == "", (p.stdout[-300:], p.stderr)


@pytest.mark.parametrize("argv, names", [
    # 3e8 × 2 rows × 16 × 8 B ≈ 77 GB: over any budget
    ("simulate clone --d 16 --mu 1 --sigma 1 --samples 3e8 --t-branch 1", ("samples", "memory budget")),
    # ≈ 5 GB: accepted by the default budget of a large machine, refused by what ulimit -v 4000000 leaves
    ("simulate clone --d 16 --mu 1 --sigma 1 --samples 5e6 --t-branch 1 --steps 2", ("samples", "ulimit -v")),
    ("simulate entropy --d 1000 --mu 1 --sigma 1 --samples 100 --n 1e6", ("n=1000000", "memory budget")),
    ("cw --N 2e8 --beta 1.5", ("N=200000000", "memory budget")),
    # the model's own d eigenvalues (8 GB) are checked before they are allocated
    ("simulate clone --model gauss --d 1e9 --sigma 1 --samples 10 --t-branch 1", ("d=1000000000", "eigenvalues")),
])
def test_ulimit_refused_before_allocating(argv, names):
    p = bash(f"ulimit -v 4000000; {regimes_cmd()} {argv}")
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert p.returncode == 2, p.stderr
    assert len(lines) == 1 and "MemoryError" not in p.stderr and "Traceback" not in p.stderr, p.stderr
    for name in names:
        assert name in lines[0], lines[0]


def test_memory_budget_option_and_environment():
    """--memory-budget and REGIMES_MEMORY_BUDGET set the budget; a small run passes under a small budget."""
    cmd = f"{regimes_cmd()} simulate clone --d 16 --mu 1 --sigma 1 --samples 2000 --t-branch 1 --steps 2 --json"
    p = bash(f"{cmd} --memory-budget 100k")
    assert p.returncode == 2 and "100 KiB" not in p.stderr and "97.7 KiB" in p.stderr and "--memory-budget" in p.stderr
    p = bash(f"REGIMES_MEMORY_BUDGET=100k {cmd}")
    assert p.returncode == 2 and "REGIMES_MEMORY_BUDGET" in p.stderr
    p = bash(f"REGIMES_MEMORY_BUDGET=100k {cmd} --memory-budget 1G")
    assert p.returncode == 0, p.stderr
    p = bash(f"REGIMES_MEMORY_BUDGET=lots {cmd}")
    assert p.returncode == 2 and "REGIMES_MEMORY_BUDGET" in p.stderr and p.stderr.count("\n") == 1


def test_no_progress_frames_in_a_piped_log():
    cmd = f"{regimes_cmd()} simulate clone --d 8 --mu 1 --sigma 1 --samples 50 --t-branch 1 --steps 20"
    p = bash(f"{cmd} 2>&1 | cat")
    assert p.returncode == 0 and "it/s" not in p.stdout and "%|" not in p.stdout
    p = bash(f"{cmd} --progress 2>&1 >/dev/null | cat")
    assert "%|" in p.stdout  # --progress forces the bars even when stderr is not a terminal
