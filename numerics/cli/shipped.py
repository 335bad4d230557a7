"""``regimes notebooks DIR`` (declared in :mod:`numerics.cli.notebooks`): the notebooks shipped as package data."""

from __future__ import annotations

import regimes


def run_notebooks(ns) -> int:
    """Copy the shipped notebooks into ``ns.dir`` and print what is there."""
    paths = regimes.copy_notebooks(ns.dir, overwrite=ns.overwrite)
    if not paths:
        raise OSError("no notebooks shipped with this installation")
    for p in paths:
        print(p)
    print(f"{len(paths)} notebooks in {ns.dir}; open them with: jupyter lab {ns.dir}")
    return 0
