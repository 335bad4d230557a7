"""Shared fixtures: a seeded rng, an in-process CLI runner, a subprocess CLI runner, small models.

Markers (pyproject): ``slow`` (long; ``make test-fast`` deselects), ``notebooks`` (executes notebooks),
``browser`` (drives Chromium), ``sympy`` (runs SymPy derivations)."""

import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".venv", "numba-cache"))


@pytest.fixture
def rng():
    return np.random.default_rng(20240229)


@pytest.fixture
def cli(capsys):
    """``cli(*argv) -> (exit code, stdout, stderr)``: ``regimes`` run in this process."""
    from numerics.cli import main

    def run(*argv):
        rc = main([str(a) for a in argv])
        out = capsys.readouterr()
        return rc, out.out, out.err

    return run


@pytest.fixture
def cli_process():
    """``cli_process(*argv) -> CompletedProcess``: ``python -m numerics.cli`` in a fresh process."""

    def run(*argv, **kw):
        return subprocess.run([sys.executable, "-m", "numerics.cli", *map(str, argv)], capture_output=True, text=True,
                              **kw)

    return run


@pytest.fixture
def gm_model():
    """The paper's two-class mixture at a small dimension: d = 64, μ̃ = σ = 1, p_+ = ½."""
    from numerics.models.gm import GaussianMixture

    return GaussianMixture(64, 1.0, 1.0)


@pytest.fixture
def cw_model():
    """A small ordered Curie–Weiss model: N = 33, β = 1.5, H = 0.5."""
    from numerics.models.cw import CurieWeiss

    return CurieWeiss(33, 1.5, 0.5)
