"""Lazy re-exports for packages whose names should be importable without importing everything
(``from numerics.models.gm import GaussianMixture`` loads only ``numerics.models.gm.model``)."""

from __future__ import annotations

import importlib
from typing import Callable

__all__ = ["lazy_getattr", "exports"]


def lazy_getattr(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module-level ``__getattr__`` for ``package`` resolving ``name`` from submodule ``exports[name]``."""

    def __getattr__(name: str):  # noqa: N807 - the module protocol's name
        if name in exports:
            return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def exports(**modules: str) -> dict[str, str]:
    """``{name: submodule}`` from ``submodule="name name ..."`` keywords (names separated by white space)."""
    return {name: module for module, names in modules.items() for name in names.split()}
