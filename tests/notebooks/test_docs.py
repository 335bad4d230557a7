"""The docs site: `make docs` builds with warnings as errors (from the notebooks executed once per session
by the ``executed`` fixture), and a real browser sees rendered MathJax and a notebook figure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("REGIMES_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def site(executed, tmp_path_factory) -> Path:
    pytest.importorskip("sphinx", reason="the docs extra is not installed")
    if shutil.which("make") is None:
        pytest.skip("no make")
    base = tmp_path_factory.mktemp("docs")
    nbdir = base / "executed"
    nbdir.mkdir()
    for stem, (nb, _, exc) in executed.items():
        assert exc is None, f"{stem} did not execute: {exc}"
        nbformat.write(nb, nbdir / f"{stem}.ipynb")
    out = base / "html"
    env = dict(os.environ, REGIMES_DOCS_NOTEBOOKS=str(nbdir))
    proc = subprocess.run(["make", "-s", "docs", f"DOCS_OUT={out}"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1500)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    return out


def test_site_has_every_part(site: Path):
    for page in ["index.html", "theory.html", "install.html", "reference/results.html", "reference/checks.html",
                 "reference/cli.html", "reference/api.html", "notebooks/01_speciation.html"]:
        assert (site / page).is_file(), page
    assert (site / "_static" / "mathjax" / "tex-svg-full.js").is_file()
    index = (site / "index.html").read_text()
    assert "notebooks/06_registry_tour.html" in index and "guide/datasets.html" in index
    results = (site / "reference" / "results.html").read_text()
    assert "gm.t_S" in results and "theory.html#theory-s2" in results
    cli = (site / "reference" / "cli.html").read_text()
    assert "--format" in cli and "notebooks" in cli
    api = (site / "reference" / "_autosummary" / "theory.latex.html").read_text()
    assert "result_latex" in api
    nb = (site / "notebooks" / "01_speciation.html").read_text()
    assert "<img" in nb and "cdn" not in (site / "index.html").read_text().lower()


def test_browser_sees_mathjax_and_figures(site: Path, tmp_path: Path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}: `make system-deps` installs Debian's chromium (as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                      "--allow-file-access-from-files"])
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1800})
            page.set_default_timeout(60_000)
            page.goto((site / "notebooks" / "01_speciation.html").as_uri())
            page.locator("mjx-container svg").first.wait_for(state="attached")
            n_math = page.locator("mjx-container").count()
            imgs = page.locator(".cell_output img")
            imgs.first.wait_for(state="attached")
            n_img = imgs.count()
            loaded = page.evaluate("() => Array.from(document.querySelectorAll('.cell_output img'))"
                                   ".filter(i => i.complete && i.naturalWidth > 0).length")
            page.screenshot(path=str(tmp_path / "docs_notebook.png"))
            page.goto((site / "reference" / "results.html").as_uri())
            page.locator("mjx-container svg").first.wait_for(state="attached")
            n_results_math = page.locator("mjx-container").count()
            errors = page.locator("mjx-merror").count()
        finally:
            browser.close()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    shutil.copy(tmp_path / "docs_notebook.png", ROOT / "artifacts" / "docs_notebook.png")
    assert n_math >= 6 and n_img >= 1 and loaded >= 1, (n_math, n_img, loaded)
    assert n_results_math >= 40 and errors == 0, (n_results_math, errors)
