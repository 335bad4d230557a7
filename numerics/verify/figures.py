r"""Registry of figures written by ``regimes verify --out DIR`` (and drawn in notebooks), and the
one figure style.

``@figure(name, quick=True, check=None)`` registers ``fn(out_dir: Path, full: bool, rng) -> list[Path]``;
each writes its figure (:func:`save`: PNG, PDF or SVG at the configured dpi) and its raw numbers
(NPZ or CSV) and returns the paths written. A figure that illustrates a check names it
(``check="datasets.digits01"``): ``regimes verify --out`` then hands it the check's own random stream,
so a figure that repeats the check's computation states the same numbers as the check's row. The
``figures`` module of every model folder and ``numerics.data.figures`` are discovered automatically.

Style: :func:`use_style` applies ``numerics/style/regimes.mplstyle`` (mathtext in Computer Modern,
colour-blind-safe cycle, legends with a frame, 150 dpi); :func:`new_axes` applies it.
:func:`configure` sets the output format and dpi (``regimes verify --format pdf --dpi 300``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["figure", "all_figures", "Figure", "new_axes", "save", "use_style", "configure", "STYLE", "FORMATS",
           "savefig"]

#: The style sheet (package data).
STYLE = Path(__file__).resolve().parents[1] / "style" / "regimes.mplstyle"
#: Output formats of :func:`save`.
FORMATS = ("png", "pdf", "svg")
_OUTPUT = {"format": "png", "dpi": None}  # dpi None: the style's savefig.dpi


@dataclass
class Figure:
    """A registered figure: ``fn(out_dir, full, rng) -> list[Path]``; ``check``: the check it illustrates."""

    name: str
    fn: Callable
    quick: bool
    description: str
    check: str | None = None


_FIGS: dict[str, Figure] = {}


def figure(name: str, *, quick: bool = True, description: str = "", check: str | None = None):
    """Register ``fn(out_dir: Path, full: bool, rng) -> list[Path]`` as figure ``name``.

    Parameters
    ----------
    name : str
        File stem and registry name.
    quick : bool
        Drawn by ``regimes verify --quick --out`` too (else only with ``--full``).
    description : str
        One line; default the function's docstring.
    check : str, optional
        The check this figure illustrates: the figure receives that check's random stream.
    """

    def deco(fn):
        if name in _FIGS:
            raise ValueError(f"figure {name!r} registered twice")
        _FIGS[name] = Figure(name, fn, quick, description or (fn.__doc__ or "").strip(), check)
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


def use_style() -> None:
    """Apply the regimes style sheet (:data:`STYLE`) to matplotlib's global settings."""
    import matplotlib.pyplot as plt

    plt.style.use(str(STYLE))


def configure(format: str = "png", dpi: float | None = None) -> None:
    """Output of :func:`save`: ``format`` in :data:`FORMATS`; ``dpi`` (raster resolution; default the
    style's 150; PDF and SVG stay vector, dpi only affects embedded images)."""
    if format not in FORMATS:
        raise ValueError(f"figure format must be one of {', '.join(FORMATS)}, got {format!r}")
    if dpi is not None and not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    _OUTPUT.update(format=format, dpi=dpi)


def new_axes(ncols: int = 1, width: float = 5.0, height: float = 3.8):
    """A matplotlib (Agg) figure with ``ncols`` axes in the regimes style."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    use_style()
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), constrained_layout=True)
    return fig, axes


def savefig(fig, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` atomically (format from the suffix, dpi from :func:`configure`): a fresh
    temporary file beside it (O_EXCL, never a predictable name) renamed over it, so a symlink planted at
    ``path`` is replaced, never written through (:func:`numerics.io.open_atomic`)."""
    from numerics.io import open_atomic

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or _OUTPUT["format"]
    kw = {"dpi": _OUTPUT["dpi"]} if _OUTPUT["dpi"] else {}
    with open_atomic(path, "wb") as fh:
        fig.savefig(fh, format=fmt, **kw)
    return path


def save(fig, out_dir: Path, stem: str, **arrays) -> list[Path]:
    """Write ``<stem>.<format>`` (:func:`configure`) and ``<stem>.npz`` with ``arrays``, each atomically
    (:mod:`numerics.io`); close ``fig``."""
    import matplotlib.pyplot as plt
    import numpy as np

    from numerics.io import open_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    img, npz = out_dir / f"{stem}.{_OUTPUT['format']}", out_dir / f"{stem}.npz"
    savefig(fig, img)
    plt.close(fig)
    with open_atomic(npz, "wb") as fh:  # atomic, and never through a symlink planted at the final path
        np.savez(fh, **{k: np.asarray(v) for k, v in arrays.items()})
    return [img, npz]
