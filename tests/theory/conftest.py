"""Theory-layer tests: registry, derivations, codegen, cache, LaTeX.

Derivations load from the on-disk cache (``REGIMES_CACHE_DIR`` or the user cache directory;
the first run derives and fills it). Tests that exercise the cache itself use their own
temporary directory. SymPy-heavy tests carry the ``sympy`` marker (``-m "not sympy"``
deselects them).
"""

from __future__ import annotations

import sys
import warnings

import pytest

from theory import registry


@pytest.fixture(scope="session")
def all_results() -> list[registry.Result]:
    """Every registered result, derived (or loaded) once per session."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a result that cannot be cached is a bug
        for r in registry.all_results():
            r.expr
    return registry.all_results()


@pytest.fixture
def fresh_model_name(request) -> str:
    """A model name no other test uses (removed from the registry afterwards)."""
    name = "t_" + request.node.name.replace("[", "_").replace("]", "").replace("-", "_")[:40]
    yield name
    model = registry._MODELS.get(name)
    if model is not None:
        model.unregister()
    for mod in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[mod]
