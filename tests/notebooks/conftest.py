"""Shared by the notebook tests and the docs build: every notebook executed once per session.

``executed`` runs every notebook of notebooks/ with nbclient at ``REGIMES_NB_SIZE=small`` (read in each
notebook's first code cell) and ``REGIMES_NB_OUT`` (where the export cell writes), in a temporary
directory, all cells twice in one kernel; the notebooks run concurrently (one kernel per CPU, at most 3:
kernel start-up and imports dominate). The docs test renders these executed notebooks.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import regimes

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _execute(path: Path, work: Path):
    """Run every cell of one notebook at its small size in ``work``, then every cell again in the same
    kernel (a reader re-runs cells: nothing may raise the second time, e.g. a result registered twice);
    returns (notebook with the second run's outputs, out dir, exception or None)."""
    work.mkdir(parents=True)
    nb, client, env = regimes.small_notebook_client(path, work, timeout=300)
    out = Path(env["REGIMES_NB_OUT"])
    try:
        with client.setup_kernel(env=env):
            for run in range(2):
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)  # raises CellExecutionError on a failing cell
    except Exception as exc:  # reported by the test of this notebook
        return nb, out, exc
    return nb, out, None


@pytest.fixture(scope="session")
def executed(tmp_path_factory) -> dict:
    """``{stem: (executed notebook, its export folder, exception or None)}`` for every notebook."""
    base = tmp_path_factory.mktemp("notebooks")
    workers = max(1, min(3, os.cpu_count() or 1, len(NOTEBOOKS)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {p.stem: pool.submit(_execute, p, base / p.stem) for p in NOTEBOOKS}
        return {k: f.result() for k, f in futures.items()}
