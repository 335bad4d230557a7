"""Registry and code generation: every result derives, renders, and its generated code
agrees with a high-precision evaluation of the derived expression."""

import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from numerics.results import numeric
from theory import codegen, registry
from theory.symbols import SYMBOLS

ALL = registry.names()

# awkward parameter values per symbol (large d, t near 1e-6 and 20, p_+ near 0.01 ...)
AWKWARD = {
    "t": [1e-6, 0.37, 3.0, 20.0],
    "d": [1.0, 7.0, 1000.0, 1e6],
    "n": [2.0, 50.0, 20000.0, 1e9],
    "alpha": [1e-6, 0.01, 0.7, 5.0],
    "sigma": [0.05, 1.0, 1.0 + 1e-9, 3.0],
    "mu": [0.01, 0.5, 1.0, 4.0],
    "p_plus": [0.01, 0.5, 0.77, 0.999],
    "q": [-3.0, 0.0, 0.25, 40.0],
    "x": [0.1, 0.9, 1.5, 2.0],
    "u": [-30.0, -1.0, 0.3, 12.0],
    "kappa": [1e-8, 0.5, 1.0, 300.0],
    "eps": [1e-4, 0.05, 0.5, 3.0],
    "lam": [1e-3, 0.5, 1.0, 50.0],
    "gamma": [0.01, 0.25, 0.5, 0.9],
    # rem
    "k": [-50.0, -1.0, -1e-3, 0.1],
    "r": [1e-3, 0.5, 1.0, 20.0],
    "y": [1e-3, 0.5, 2.0, 30.0],
    "beta": [1e-3, 0.3, 1.0, 10.0],
    "m_pd": [1e-3, 0.3, 0.7, 0.999],
    "rho": [1e-4, 0.2, 0.7, 0.999],
}
# Curie-Weiss (cw) symbols
AWKWARD.update({
    "N": [7.0, 40.0, 100.0, 1000.0], "beta": [0.3, 0.9, 1.5, 4.0], "H": [-2.0, 0.0, 0.5, 30.0],
    "h": [-0.3, 0.0, 0.005, 2.0], "m": [-0.9, 0.0, 0.3, 0.95], "M": [-4.0, 0.0, 2.0, 6.0],
    "mu_hs": [-1.2, 0.0, 0.4, 1.0], "lam_i": [-50.0, -0.5, 0.0, 30.0], "chi": [0.1, 0.43, 2.0, 50.0],
    "Lambda": [0.5, 1.0, 60.0, 1e6], "z": [-2.0, 0.0, 0.7, 3.0],
})


def test_registry_lists_the_foundation_results():
    for name in ["gm.t_S", "gm.t_C", "gm.phi", "gm.kappa", "gm.Lambda", "gm.score_q", "gm.t_curv_logp",
                 "gm.t_curv_V", "gm.entropy_gap", "gauss.kl_expected", "gauss.mp_density"]:
        assert name in ALL


@pytest.mark.parametrize("name", ALL)
def test_result_derives_and_renders(name):
    r = registry.get(name)
    assert isinstance(r.expr, sp.Basic)
    tex = r.latex()
    assert tex.startswith(r.symbol) and "=" in tex
    assert r.label.startswith("eq:") and r._repr_latex_().startswith("$")
    assert set(r.expr.free_symbols) <= set(r.arg_symbols) | {s for s in r.expr.free_symbols if s.name in ("z",)}


def _points(r, k):
    """k-th awkward parameter combination (cycled per argument)."""
    return [AWKWARD[a][(k + 2 * j) % 4] for j, a in enumerate(r.args)]


CODEGEN = [n for n in ALL if registry.get(n).codegen]


@pytest.mark.parametrize("name", CODEGEN)
def test_generated_matches_high_precision(name):
    """Generated NumPy (and Numba) code vs the SymPy expression evaluated at 50 digits."""
    r = registry.get(name)
    f = numeric(name)
    f_nb = None  # Numba variants are compiled on demand (see numerics.results)
    checked = 0
    for k in range(4):
        vals = _points(r, k)
        subs = {SYMBOLS[a]: sp.Float(v, 60) for a, v in zip(r.args, vals)}
        if name == "gauss.kl_expected":
            nn, dd = int(min(vals[0], 2000)) + 40, int(min(vals[1], 30))
            subs = {SYMBOLS["n"]: sp.Integer(nn), SYMBOLS["d"]: sp.Integer(dd)}
            vals = [nn, dd]
        exact = sp.N(r.expr.subs(subs).doit().rewrite(sp.log), 50)
        if not exact.is_real or not exact.is_finite:
            continue  # outside the result's domain (e.g. the curvature never changes sign)
        got = float(f(*vals))
        assert math.isfinite(got), (name, vals)
        assert got == pytest.approx(float(exact), rel=1e-10, abs=1e-300), (name, vals)
        if f_nb is not None:
            assert float(f_nb(*[float(v) for v in vals])) == pytest.approx(float(exact), rel=1e-10, abs=1e-300)
        checked += 1
    assert checked >= 1


def test_generated_files_are_up_to_date():
    for model in codegen.models():
        path = codegen.GENERATED_DIR / f"{model}.py"
        assert path.read_text() == codegen.module_source(model), f"stale {path}: run `make generate`"


def test_stable_rewrites():
    t, x = sp.symbols("t x", positive=True)
    e = codegen.stable_form(1 - sp.exp(-2 * t))
    assert "expm1" in str(e)
    e = codegen.stable_form(sp.log(1 + x))
    assert "log1p" in str(e)
    src = codegen.module_source("gm")
    assert "numpy.select" not in src and "sympy" not in src


def test_derivation_steps_recorded():
    steps = registry.get("gm.t_curv_V").derivation
    assert any("numerator" in what for what, _ in steps)
    assert registry.get("gauss.Delta").derivation
