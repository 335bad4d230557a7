"""A real browser drives JupyterLab: open a notebook, Run All Cells, see LaTeX and a figure, drag a
slider of the explorer and see its figure change.

JupyterLab runs on loopback (random free port, random token, ``--allow-root`` as root) with
temporary Jupyter runtime/config/data and IPython dirs, serving a temporary copy of the
notebook (so autosave never touches the repository). Debian's Chromium (``/usr/bin/chromium``,
installed by ``make test`` when possible) is driven by Playwright's Python API; no browser is
ever downloaded. The screenshot is saved under the pytest tmp dir and copied to
``artifacts/browser.png`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_speciation.ipynb"
CHROMIUM = os.environ.get("REGIMES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
STDERR_OUTPUT = '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'


@pytest.fixture
def lab(tmp_path: Path, servers):
    """A JupyterLab server on 127.0.0.1 serving a temporary copy of the notebook; yields (url, token)."""
    if not NOTEBOOK.exists():
        pytest.skip(f"{NOTEBOOK} missing")
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    jdirs = {k: tmp_path / "jupyter" / k.lower() for k in ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR")}
    for p in jdirs.values():
        p.mkdir(parents=True)
    # no news/update pop-ups over the screenshot
    settings = jdirs["JUPYTER_CONFIG_DIR"] / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    # render every cell (no virtual scrolling), so that outputs far down are in the DOM
    nb_settings = settings.parent / "notebook-extension"
    nb_settings.mkdir()
    (nb_settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none", "autoStartDefaultKernel": true}')
    env = dict(os.environ, **{k: str(v) for k, v in jdirs.items()})
    env.update(REGIMES_NB_SIZE="small", REGIMES_NB_OUT=str(tmp_path / "out"), JUPYTER_PLATFORM_DIRS="1")
    env.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".venv" / "numba-cache"))
    port, token = servers.free_port(), uuid.uuid4().hex
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=", "--LabServerApp.extension_manager=readonly"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp_path / "jupyterlab.log"
    with open(log, "w") as logf:
        proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        servers.wait(f"{url}/api/status?token={token}", proc, log)
        yield url, token
    finally:
        servers.stop(proc)


def test_jupyterlab_runs_notebook_and_renders(lab, tmp_path: Path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium with apt-get when run as root")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) not installed")
    url, token = lab
    shot = tmp_path / "browser.png"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(90_000)
            page.goto(f"{url}/lab/tree/{NOTEBOOK.name}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            try:  # older settings ask which kernel to start: accept the notebook's own (python3)
                page.locator(".jp-Dialog .jp-mod-accept").click(timeout=5_000)
            except sync_api.TimeoutError:
                pass
            # run only once the notebook's kernel is up (the kernel name shows in the toolbar)
            page.wait_for_selector(".jp-NotebookPanel-toolbar :text('Python 3')")
            page.click(".lm-MenuBar-item:has-text('Run')")
            page.click(".lm-Menu-item:has-text('Run All Cells')")
            try:
                # the export cell is the last one: its stdout says what it wrote
                page.wait_for_selector(".jp-OutputArea-output:has-text('gm_results.tex')", state="attached",
                                       timeout=120_000)
            except Exception:
                page.screenshot(path=str(tmp_path / "browser_failure.png"))
                (ROOT / "artifacts").mkdir(exist_ok=True)
                shutil.copy(tmp_path / "browser_failure.png", ROOT / "artifacts" / "browser_failure.png")
                raise
            # the explorer: drag the first slider's handle and see the figure change
            explorer = page.locator(".regimes-explorer").first
            explorer.wait_for(state="attached", timeout=60_000)
            explorer.scroll_into_view_if_needed()
            img = explorer.locator("img").first
            img.wait_for(state="visible")
            src_before = img.get_attribute("src")
            handle = explorer.locator(".noUi-handle").first
            box = handle.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2, steps=8)
            page.mouse.up()
            page.wait_for_function("([el, before]) => el.getAttribute('src') !== before",
                                   arg=[img.element_handle(), src_before], timeout=60_000)
            status = explorer.locator(".widget-html").last.inner_text()
            page.screenshot(path=str(tmp_path / "browser_explorer.png"))
            math = page.locator(".jp-OutputArea-output mjx-container")
            math.first.wait_for(state="attached")
            images = page.locator(".jp-OutputArea-output img")
            images.first.wait_for(state="attached")
            n_math, n_img = math.count(), images.count()
            errors = [t for t in page.locator(STDERR_OUTPUT).all_inner_texts() if "Error" in t or "Traceback" in t]
            error_areas = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count()
            page.screenshot(path=str(tmp_path / "browser_top.png"))
            # one picture with the formulas and the figure: fold the code inputs, tall viewport,
            # first rendered formula at the top
            page.click(".lm-MenuBar-item:has-text('View')")
            page.click(".lm-Menu-item:has-text('Collapse All Code')")
            page.set_viewport_size({"width": 1400, "height": 3400})
            page.evaluate("el => el.scrollIntoView({block: 'start'})", math.first.element_handle())
            page.wait_for_timeout(500)
            fig_box, math_box = images.first.bounding_box(), math.first.bounding_box()
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(shot, artifacts / "browser.png")
    shutil.copy(tmp_path / "browser_explorer.png", artifacts / "browser_explorer.png")
    assert "redraw" in status, status
    assert n_math >= 6, f"only {n_math} rendered formulas"
    assert n_img >= 1
    for box in (math_box, fig_box):  # both inside the screenshot
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= 3400, (math_box, fig_box)
    assert not errors, errors
    assert error_areas == 0
    assert list((tmp_path / "out").glob("*.tex")), "the export cell wrote nothing to REGIMES_NB_OUT"
