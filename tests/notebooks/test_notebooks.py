"""Every notebook in notebooks/ is stored clean and executes (nbclient) at its small size, twice in one kernel.

Each kernel gets ``REGIMES_NB_SIZE=small`` (read in each notebook's first code cell) and
``REGIMES_NB_OUT`` (where the export cell writes) in its environment, and runs in a temporary
directory, so nothing is written into the repository. The notebooks execute concurrently (one
kernel per CPU, at most 3: kernel start-up and imports dominate), once per session.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def test_at_least_five_notebooks():
    assert len(NOTEBOOKS) >= 5, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_stored_clean(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "no code cells"
    assert 'os.environ.get("REGIMES_NB_SIZE", "full")' in code[0].source, "first code cell must read the size"
    for c in code:
        assert not c.outputs and c.execution_count is None, f"stored with outputs: {c.source[:60]!r}"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "starts with a title"


def _outputs(nb, kind: str) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == kind]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_executes_small(path: Path, executed: dict):
    nb, out, exc = executed[path.stem]
    if exc is not None:
        raise exc
    assert not _outputs(nb, "error")
    streams = _outputs(nb, "stream")
    assert "size: small" in "".join(o.text for o in streams if o.name == "stdout")
    stderr = "".join(o.text for o in streams if o.name == "stderr")
    assert "Traceback" not in stderr and "Error" not in stderr and "Warning" not in stderr, stderr[:2000]

    rich = _outputs(nb, "display_data") + _outputs(nb, "execute_result")
    latex = [o for o in rich if "text/latex" in o.get("data", {})]
    images = [o for o in rich if "image/png" in o.get("data", {})]
    assert latex, "no rendered LaTeX result"
    assert images, "no inline figure"
    if any("explore." in c.source for c in nb.cells if c.cell_type == "code"):
        widgets = [o for o in rich if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert widgets, "the explorer cell shows no widget"

    exported = sorted(out.glob("*.tex"))
    assert exported, "the export cell wrote no .tex file"
    for tex in exported:
        text = tex.read_text()
        assert text.startswith(r"\documentclass") and r"\begin{equation}" in text and text.rstrip().endswith(r"\end{document}")
