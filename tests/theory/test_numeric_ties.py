"""Hand-written numerics tied to their registered integrals.

``gm.phi``, ``gm.entropy_gap`` and ``cw.Phi_typical`` have no generated code (they are
integrals); their NumPy implementations (windowed Gauss–Legendre, erfc closed forms,
Gauss–Hermite) are checked here against the *registered* SymPy expression, its integrals
evaluated by mpmath at 30 digits, at awkward points.
"""

from __future__ import annotations

import importlib

import mpmath as mp
import pytest
import sympy as sp

from theory import registry
from theory.special import logcosh, sech2

pytestmark = pytest.mark.sympy


def _numeric(ref: str):
    """The numeric function ``module:function``."""
    mod, _, fn = ref.partition(":")
    return getattr(importlib.import_module(mod), fn)


def _mp_value(expr: sp.Expr, point: dict, dps: int = 30) -> mp.mpf:
    """Evaluate ``expr`` at ``point`` with every Integral done by mpmath.quad, split at the
    transitions of its tanh / ln cosh arguments (where the integrand bends sharply)."""
    with mp.workdps(dps + 10):
        e = expr.subs({s: sp.Float(v, dps + 15) for s, v in point.items()})
        values = {}
        for integral in e.atoms(sp.Integral):
            ((var, lo, hi),) = integral.limits
            f = integral.function.replace(logcosh, lambda a: sp.log(sp.cosh(a))).replace(sech2, lambda a: 1 / sp.cosh(a) ** 2)
            cuts = {mp.mpf(-12), mp.mpf(-2), mp.mpf(0), mp.mpf(2), mp.mpf(12)}
            for atom in f.atoms(sp.tanh, sp.cosh):
                arg = sp.expand(atom.args[0])
                slope, root_arg = arg.coeff(var, 1), arg.coeff(var, 0)
                if slope != 0 and not arg.has(var**2):
                    z0 = mp.mpf(str(sp.N(-root_arg / slope, dps + 10)))
                    width = 1 / abs(mp.mpf(str(sp.N(slope, dps + 10))))
                    cuts |= {z0 - width, z0, z0 + width}
            pts = [mp.mpf("-inf")] + sorted(c for c in cuts if abs(c) < 60) + [mp.mpf("inf")]
            fn = sp.lambdify(var, f, "mpmath")
            values[integral] = sp.Float(mp.quad(fn, pts, maxdegree=10), dps + 5)
        return mp.mpf(str(sp.N(e.xreplace(values), dps + 5)))


PHI_POINTS = [(1e-3, 0.5), (0.3, 0.1), (1.0, 0.5), (4.7, 0.97), (60.0, 0.3), (0.9, 0.01)]


@pytest.mark.parametrize("kappa,p", PHI_POINTS)
def test_quadrature_phi_is_the_registered_integral(kappa, p):
    phi = _numeric("numerics.universal:phi")
    r = registry.get("gm.phi")
    k_, p_ = r.arg_symbols
    ref = _mp_value(r.expr, {k_: kappa, p_: p})
    assert float(phi(kappa, p)) == pytest.approx(float(ref), abs=1e-11, rel=1e-11)


@pytest.mark.parametrize("kappa,p", PHI_POINTS)
def test_quadrature_entropy_gap_is_the_registered_integral(kappa, p):
    gap = _numeric("numerics.universal:entropy_gap")
    r = registry.get("gm.entropy_gap")
    k_, p_ = r.arg_symbols
    ref = _mp_value(r.expr, {k_: kappa, p_: p})
    assert float(gap(kappa, p)) == pytest.approx(float(ref), abs=1e-11, rel=1e-9)


@pytest.mark.parametrize("mu,t,beta,m", [
    (0.0, 1.0, 1.5, 0.0), (0.4, 0.3, 2.5, 0.6), (-1.0, 3.0, 1.2, -0.9), (0.9, 0.05, 4.0, 0.95), (0.2, 8.0, 0.5, 0.3),
])
def test_phi_typical_is_the_registered_integral(mu, t, beta, m):
    phi_typical = _numeric("numerics.models.cw.model:phi_typical")
    r = registry.get("cw.Phi_typical")
    mu_, t_, beta_, m_ = r.arg_symbols
    ref = _mp_value(r.expr, {mu_: mu, t_: t, beta_: beta, m_: m})
    # 80-node Gauss–Hermite across the kink of ln 2cosh: ~1e-12 at t ≥ 0.3, 4e-9 at t = 0.05
    assert float(phi_typical(mu, t, beta, m)) == pytest.approx(float(ref), abs=1e-9, rel=1e-12 if t >= 0.3 else 1e-8)
