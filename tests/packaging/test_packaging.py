"""The package stands alone: version, licence, citation, the shipped notebooks, `make lab` on a copy, and a
fresh `pip install '.[lab]'` that runs JupyterLab and a notebook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
import uuid
from importlib.metadata import version
from pathlib import Path

import pytest

import regimes

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_version_is_single_sourced(cli):
    assert regimes.__version__ == version("regimes")
    rc, out, _ = cli("--version")
    assert rc == 0 and out.strip() == f"regimes {regimes.__version__}"
    assert f"## [{regimes.__version__}]" in (ROOT / "CHANGELOG.md").read_text()
    assert f"version: {regimes.__version__}" in (ROOT / "CITATION.cff").read_text()


def test_license_and_citation():
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License")
    cff = (ROOT / "CITATION.cff").read_text()
    assert cff.startswith("cff-version: 1.2.0")
    assert "arXiv:2306.03518" in cff and "arXiv:2402.18491" in cff and "license: BSD-3-Clause" in cff


def test_notebooks_command_copies_and_keeps_edits(cli, tmp_path):
    assert [p.name for p in regimes.notebook_paths()] == [p.name for p in NOTEBOOKS]
    rc, out, _ = cli("notebooks", tmp_path / "nb")
    assert rc == 0 and "jupyter lab" in out
    copied = sorted((tmp_path / "nb").glob("*.ipynb"))
    assert [p.read_bytes() for p in copied] == [p.read_bytes() for p in NOTEBOOKS]
    copied[0].write_text("{}")  # a reader's edits survive a second call ...
    cli("notebooks", tmp_path / "nb")
    assert copied[0].read_text() == "{}"
    cli("notebooks", tmp_path / "nb", "--overwrite")  # ... unless asked
    assert copied[0].read_bytes() == NOTEBOOKS[0].read_bytes()


def test_scikit_learn_is_not_needed():
    text = (ROOT / "pyproject.toml").read_text()
    deps = text[text.index("dependencies = ["):text.index("]", text.index("dependencies = ["))]
    assert "scikit-learn" not in deps
    code = "import sys; sys.modules['sklearn'] = None; from numerics.data import sources; print(sources.load_builtin('digits')[0].shape)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(1797, 8, 8)"


def _jupyter_env(tmp_path: Path) -> dict:
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", REGIMES_NB_SIZE="small", REGIMES_NB_OUT=str(tmp_path / "out"))
    for k in ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR"):
        env[k] = str(tmp_path / "jupyter" / k.lower())
        Path(env[k]).mkdir(parents=True, exist_ok=True)
    return env


@pytest.mark.notebooks
@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_lab_serves_a_copy(tmp_path, servers):
    """`make lab` serves copies: a notebook saved with outputs there leaves notebooks/ untouched."""
    before = {p.name: p.read_bytes() for p in NOTEBOOKS}
    port, token, lab = servers.free_port(), uuid.uuid4().hex, tmp_path / "lab"
    args = f"--IdentityProvider.token={token} --ServerApp.port_retries=0 --LabApp.news_url="
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_DIR={lab}", f"LAB_PORT={port}", f"LAB_ARGS={args}"], cwd=ROOT,
                            env=_jupyter_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        servers.wait(f"{base}/api/status?token={token}", proc)
        name = NOTEBOOKS[0].name
        with urllib.request.urlopen(f"{base}/api/contents/{name}?token={token}&content=1", timeout=30) as r:
            model = json.load(r)
        nb = model["content"]
        code = next(c for c in nb["cells"] if c["cell_type"] == "code")
        code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "size: full\n"}]
        code["execution_count"] = 1
        body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
        req = urllib.request.Request(f"{base}/api/contents/{name}?token={token}", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200
    finally:
        servers.stop(proc)
    assert "size: full" in (lab / NOTEBOOKS[0].name).read_text()  # saved in the copy ...
    assert {p.name: p.read_bytes() for p in NOTEBOOKS} == before  # ... never in the repository
    status = subprocess.run(["git", "status", "--porcelain", "notebooks"], cwd=ROOT, capture_output=True, text=True)
    assert status.returncode != 0 or status.stdout == ""


@pytest.mark.slow
@pytest.mark.notebooks
def test_fresh_pip_install_lab_runs_a_notebook(tmp_path, servers):
    """`pip install '.[lab]'` into a fresh virtual environment (uv, from its cache where warm), then
    `regimes --version`, `regimes notebooks DIR`, JupyterLab answering, and a shipped notebook executing."""
    uv = Path(sys.executable).with_name("uv")
    if not uv.exists():
        pytest.skip("uv (installed into .venv by the Makefile) not found")
    venv = tmp_path / "venv"
    subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    src = tmp_path / "src"  # a clean copy of the sources: the build never writes into the repository
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "lab", "docs", "artifacts", "build", "*.egg-info", ".pytest_cache", "__pycache__", "out"))
    subprocess.run([str(uv), "pip", "install", "-q", "--python", str(py), f"{src}[lab]"], check=True, timeout=900)
    bin_ = venv / "bin"
    out = subprocess.run([str(bin_ / "regimes"), "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"regimes {regimes.__version__}"
    nbdir = tmp_path / "nb"
    subprocess.run([str(bin_ / "regimes"), "notebooks", str(nbdir)], check=True, capture_output=True, timeout=120)
    assert sorted(p.name for p in nbdir.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    env = _jupyter_env(tmp_path)
    env.pop("PYTHONPATH", None)
    # the server starts and serves the copied notebooks
    port, token = servers.free_port(), uuid.uuid4().hex
    cmd = [str(bin_ / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={nbdir}", "--LabApp.news_url="]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, env=env, cwd=nbdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        servers.wait(f"http://127.0.0.1:{port}/api/status?token={token}", proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=30) as r:
            listed = {c["name"] for c in json.load(r)["content"]}
        assert {p.name for p in NOTEBOOKS} <= listed
    finally:
        servers.stop(proc)
    # a shipped notebook executes in the fresh environment's own kernel
    nb = nbdir / "06_registry_tour.ipynb"
    run = subprocess.run([str(bin_ / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
                          "--ExecutePreprocessor.timeout=600", str(nb)], env=env, cwd=nbdir, capture_output=True,
                         text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    executed = json.loads((nbdir / "executed.ipynb").read_text())
    assert not [o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]


def test_readme_is_short_and_links_resolve():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 200
    for page in ["docs/theory.md", "docs/install.md", "docs/theory_layer.md", "docs/guide/notebooks.md", "CITATION.cff",
                 "LICENSE", "CHANGELOG.md"]:
        assert f"]({page})" in text and (ROOT / page).is_file(), page
    assert "pip install 'regimes[lab]'" in text and "make verify" in text and "make test" in text
