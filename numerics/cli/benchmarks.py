"""``regimes bench`` (declared in :mod:`numerics.cli.bench`): performance as ratios measured in one run.

Pieces: :mod:`numerics.engine.bench` (empirical score vs the float32 GEMM peak and the naive
reference), the ``bench`` module of every model folder (``run(quick) -> dict``) and
:mod:`numerics.data.bench` (``regimes times`` on Fashion-MNIST vs its GEMM-bound lower bound). ``--startup``
times CLI commands in fresh processes (warm: bytecode and caches present) against the bare imports
they are judged by: closed-form commands vs ``python -c "import numpy"``, registry commands vs
``python -c "import sympy"``. ``--notebooks`` times every shipped notebook at its small size.
"""

from __future__ import annotations

import importlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

from numerics import models
from numerics.cli import emit
from numerics.engine import bench as engine_bench

STARTUP = (
    # (key, command after `regimes` or None for a bare python -c, baseline key)
    ("import_numpy", ["-c", "import numpy"], None),
    ("import_sympy", ["-c", "import sympy"], None),
    ("regimes_gm", ["gm", "--d", "1024", "--mu", "1", "--sigma", "1", "--n", "20000", "--t", "3.466", "--json"],
     "import_numpy"),
    ("regimes_cw", ["cw", "--N", "100", "--beta", "1.5", "--H", "0.5", "--json"], "import_numpy"),
    ("regimes_rem", ["rem", "--sigma", "1", "--t", "0.9", "--alpha", "0.03", "--json"], "import_numpy"),
    ("regimes_results", ["results"], "import_sympy"),
    ("regimes_latex_gm_t_C", ["latex", "gm.t_C"], "import_sympy"),
    ("regimes_latex_all", ["latex", "--all", "-o", "{tmp}/all.tex"], None),
)


def _regimes() -> list[str]:
    exe = shutil.which("regimes", path=os.path.dirname(sys.executable)) or shutil.which("regimes")
    return [exe] if exe else [sys.executable, "-m", "numerics.cli"]


def startup(repeats: int = 3) -> dict:
    """Best-of-``repeats`` wall time (after one warm-up run) of each start-up command, and the ratios
    to the baseline each is judged by."""
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for key, args, _ in STARTUP:
            cmd = ([sys.executable] + args) if args[0] == "-c" else _regimes() + [a.format(tmp=tmp) for a in args]
            best = float("inf")
            for _ in range(repeats + 1):
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                if proc.returncode != 0:
                    last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
                    raise OSError(f"startup benchmark {key}: `{' '.join(cmd)}` exited {proc.returncode}: {last}")
                best = min(best, time.perf_counter() - t0)
            out[f"{key}_seconds"] = best
    for key, _, base in STARTUP:
        if base:
            out[f"{key}_over_{base}"] = out[f"{key}_seconds"] / out[f"{base}_seconds"]
    return out


def notebooks(repeats: int = 3) -> dict:
    """Wall time of every shipped notebook at its small size (``REGIMES_NB_SIZE=small``), each run in a fresh
    kernel with nbclient in a temporary directory, best of ``repeats``: ``<stem>_seconds`` from kernel start
    to the last cell, ``<stem>_run_all_seconds`` for the cells alone (Run All in a started kernel). Needs the
    ``lab`` extra (nbclient, ipykernel)."""
    try:
        import nbclient  # noqa: F401
    except ImportError:
        raise ValueError("--notebooks needs nbclient and ipykernel (pip install 'regimes[lab]')") from None
    import regimes

    out: dict = {}
    for path in regimes.notebook_paths():
        total = cells = float("inf")
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as work:
                nb, client, env = regimes.small_notebook_client(path, work)
                t0 = time.perf_counter()
                with client.setup_kernel(env=env):
                    t1 = time.perf_counter()
                    for index, cell in enumerate(nb.cells):
                        client.execute_cell(cell, index)
                    t2 = time.perf_counter()
            total, cells = min(total, time.perf_counter() - t0), min(cells, t2 - t1)
        out[f"{path.stem}_seconds"] = total
        out[f"{path.stem}_run_all_seconds"] = cells
    return out


def run(ns) -> int:
    """``regimes bench``: the report as a table or ``--json`` (--only matching nothing: exit 2)."""
    report: dict = {"machine": platform.machine(), "python": platform.python_version()}
    t0 = time.perf_counter()
    if ns.startup:
        report.update(startup(ns.repeats))
    if ns.notebooks:
        report.update(notebooks(ns.repeats))
    if not (ns.startup or ns.notebooks):
        pieces = [("engine", engine_bench)] + [(m.__name__.split(".")[-2], m) for m in models.parts("bench")] + [("data", importlib.import_module("numerics.data.bench"))]
        chosen = [(name, mod) for name, mod in pieces if not ns.only or ns.only in name]
        if not chosen:
            raise ValueError(f"--only {ns.only!r} matches no benchmark; benchmarks: {', '.join(n for n, _ in pieces)}")
        for _, mod in chosen:
            report.update(mod.run(ns.quick))
    report["seconds"] = time.perf_counter() - t0
    if ns.json:
        emit(report, True)
    else:
        emit(report, False, "\n".join(f"{k:>44}  {v:.4g}" if isinstance(v, float) else f"{k:>44}  {v}"
                                       for k, v in report.items()))
    return 0
