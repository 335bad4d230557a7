"""Load the generated numeric function of a named result (``numeric("gm.t_S")``).

This is the numeric side of a registry entry: the function lives in the committed file
``numerics/generated/<model>.py``; importing it never imports SymPy.
"""

from __future__ import annotations

import importlib
from typing import Callable

__all__ = ["numeric"]


def numeric(name: str, *, numba: bool = False) -> Callable:
    """The generated function for result ``name`` (``"gm.t_S"``); ``numba=True`` gives the
    ``@njit`` version."""
    model, _, short = name.partition(".")
    if not short:
        raise ValueError(f"result name must look like 'model.name', got {name!r}")
    try:
        mod = importlib.import_module(f"numerics.generated.{model}")
    except ModuleNotFoundError:
        raise ValueError(f"no generated module for model {model!r}") from None
    fname = short + ("_nb" if numba else "")
    try:
        return getattr(mod, fname)
    except AttributeError:
        raise ValueError(f"no generated function for result {name!r}") from None
