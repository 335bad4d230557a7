"""Registry of figures written by ``regimes verify --out DIR`` (and drawn in notebooks).

``@figure(name, quick=True)`` registers ``fn(out_dir: Path, full: bool, rng) -> list[Path]``;
each writes a PNG and its raw numbers (NPZ or CSV) and returns the paths written. The ``figures``
module of every model folder and ``numerics.data.figures`` are discovered automatically.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["figure", "all_figures", "Figure", "new_axes", "save"]


@dataclass
class Figure:
    """A registered figure: ``fn(out_dir, full, rng) -> list[Path]``."""

    name: str
    fn: Callable
    quick: bool
    description: str


_FIGS: dict[str, Figure] = {}


def figure(name: str, *, quick: bool = True, description: str = ""):
    """Register ``fn(out_dir: Path, full: bool, rng) -> list[Path]`` as figure ``name``."""

    def deco(fn):
        if name in _FIGS:
            raise ValueError(f"figure {name!r} registered twice")
        _FIGS[name] = Figure(name, fn, quick, description or (fn.__doc__ or "").strip())
        if not (fn.__doc__ or "").strip():
            fn.__doc__ = f"Figure ``{name}``: {description}"
        return fn

    return deco


def all_figures() -> list[Figure]:
    """Every registered figure (model folders' ``figures`` modules and ``numerics.data.figures``)."""
    from numerics import models

    models.parts("figures")
    importlib.import_module("numerics.data.figures")
    return [_FIGS[k] for k in sorted(_FIGS)]


def new_axes(ncols: int = 1, width: float = 5.0, height: float = 3.8):
    """A matplotlib (Agg) figure with ``ncols`` axes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), constrained_layout=True)
    return fig, axes


def save(fig, out_dir: Path, stem: str, **arrays) -> list[Path]:
    """Write ``<stem>.png`` (120 dpi) and ``<stem>.npz`` with ``arrays``."""
    import matplotlib.pyplot as plt
    import numpy as np

    out_dir.mkdir(parents=True, exist_ok=True)
    png, npz = out_dir / f"{stem}.png", out_dir / f"{stem}.npz"
    fig.savefig(png, dpi=120)
    plt.close(fig)
    np.savez(npz, **{k: np.asarray(v) for k, v in arrays.items()})
    return [png, npz]
