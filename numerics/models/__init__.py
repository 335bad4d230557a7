"""One folder per model: ``numerics/models/<name>/``, ``<name>`` = the registry prefix of its results
(``theory/<name>.py`` is the symbolic side).

A model folder holds what is specific to the model, each part optional:

- ``model.py``: the model class, implementing the engine's protocol (:mod:`numerics.engine.protocol`);
- ``cli.py``: its commands and, for ``regimes simulate --model <name>``, ``add_model_arguments(parser)``
  and ``BUILD = "module:function"`` (a function ``ns -> model``);
- ``commands.py``: the code those commands run; ``checks.py``: its verification checks
  (:mod:`numerics.verify`); ``figures.py``: its figures; ``bench.py``: ``run(quick) -> dict`` for
  ``regimes bench``; any kernels and helpers it needs.

Nothing outside the folder names the model: the CLI, the verification runner, the figure registry and
the benchmark discover the parts by these file names. Adding a model = ``theory/<name>.py`` + this
folder + ``tests/models/test_<name>.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType

__all__ = ["names", "parts"]


def names() -> list[str]:
    """Names of the model folders (sorted)."""
    return sorted(i.name for i in pkgutil.iter_modules(__path__) if i.ispkg and not i.name.startswith("_"))


def parts(part: str) -> list[ModuleType]:
    """The ``part`` module (``"checks"``, ``"figures"``, ``"bench"``, ``"cli"`` ...) of every model that has one, imported."""
    out = []
    for name in names():
        mod = f"{__name__}.{name}.{part}"
        if importlib.util.find_spec(mod) is not None:
            out.append(importlib.import_module(mod))
    return out
