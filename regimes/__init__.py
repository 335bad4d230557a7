"""``regimes``: the distribution's own namespace (version, shipped notebooks).

The workbench itself lives in two packages: :mod:`theory` (SymPy derivations, the registry of
named results, code generation, LaTeX export) and :mod:`numerics` (generated NumPy code, Monte
Carlo engine, models, verification, the ``regimes`` command). This module carries what belongs
to the installed distribution as a whole.

Examples
--------
>>> import regimes
>>> regimes.__version__.count(".") >= 2
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["__version__", "notebook_paths", "copy_notebooks", "small_notebook_client"]

__version__ = "0.2.0"


def notebook_paths() -> list[Path]:
    """The notebooks shipped with the package (``regimes/notebooks/*.ipynb``), sorted by name.

    Returns
    -------
    list of pathlib.Path
        In a source checkout ``regimes/notebooks`` is a link to the repository's ``notebooks/``;
        in a wheel the files themselves are package data.
    """
    from importlib.resources import files

    root = Path(str(files("regimes") / "notebooks"))
    return sorted(root.glob("*.ipynb"))


def copy_notebooks(dest: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the shipped notebooks into ``dest`` (created), for ``pip`` users: ``regimes notebooks DIR``.

    Parameters
    ----------
    dest : str or Path
        Target folder; created when missing.
    overwrite : bool
        Replace notebooks already there (default: keep them, so edited copies survive).

    Returns
    -------
    list of pathlib.Path
        The notebooks now in ``dest`` that came from the package (copied or kept).
    """
    import shutil

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for src in notebook_paths():
        target = dest / src.name
        if overwrite or not target.exists():
            tmp = target.with_suffix(".ipynb.tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(target)  # atomic: never a half-written notebook
        out.append(target)
    return out


def small_notebook_client(path: str | Path, work: str | Path, *, timeout: int = 600):
    """A notebook read from ``path``, prepared to run at its small size in the folder ``work``: the
    shipped notebooks read ``REGIMES_NB_SIZE=small`` in their first code cell and write exports under
    ``REGIMES_NB_OUT`` (here ``work/out``). Used by ``regimes bench --notebooks`` and the notebook tests;
    needs the ``lab`` extra (nbformat, nbclient, ipykernel).

    Returns
    -------
    tuple
        ``(notebook, client, env)``: run it as ``with client.setup_kernel(env=env): client.execute_cell(...)``.
    """
    import os

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    env = dict(os.environ, REGIMES_NB_SIZE="small", REGIMES_NB_OUT=str(Path(work) / "out"))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(work)}})
    return nb, client, env
