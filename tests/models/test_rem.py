"""REM view of collapse (THEORY §3): derivation chain, generated code, numerics and checks."""

from __future__ import annotations

import json
import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from numerics.models.rem import model as rem
from numerics.generated import rem as g
from theory import registry

t, sigma, alpha, r, y, k = registry.get("rem.cgf").model.symbols("t sigma alpha r y k")
PTS = [(0.05, 0.3), (0.4, 1.0), (1.3, 2.5), (3.0, 0.7), (0.9, 1.0)]


# ---------------------------------------------------------------- derivation chain
def test_alpha_c_rebuilt_from_rate_function():
    """α_c = I(y*) with y* = Δ_t at r = Γ_t, from the Legendre-transformed rate function,
    equals ½ ln(Γ_t/Δ_t) to 1e-10 (symbolically and in the generated code)."""
    rate = registry.get("rem.rate").expr
    D = 1 - sp.exp(-2 * t)
    G = D + sigma**2 * sp.exp(-2 * t)
    rebuilt = rate.subs(r, G).subs(y, D)
    f = sp.lambdify((t, sigma), rebuilt, "mpmath")
    for tv, sv in PTS:
        Dv = -math.expm1(-2 * tv)
        Gv = Dv + sv * sv * math.exp(-2 * tv)
        target = 0.5 * math.log(Gv / Dv)
        assert abs(float(f(mp.mpf(tv), mp.mpf(sv))) - target) < 1e-10
        assert abs(float(g.alpha_c(tv, sv)) - target) < 1e-10
        assert abs(float(rem.alpha_c(tv, sv)) - target) < 1e-10
    expr = registry.get("rem.alpha_c").expr
    diff = expr - sp.log(G / D) / 2
    for tv, sv in ((sp.Rational(1, 1000), sp.Rational(1, 3)), (sp.Rational(7, 4), 2), (25, sp.Rational(3, 2))):
        assert abs(sp.N(diff.subs({t: tv, sigma: sv}), 60)) < 1e-45


def test_collapse_is_condensation():
    """f(t) = α - α_c(t) identically (gm.f_leading), and t_C from α_c equals gm.t_C_alpha."""
    f = registry.get("gm.f_leading").expr
    diff = sp.lambdify((alpha, t, sigma), f - (alpha - registry.get("rem.alpha_c").expr), "mpmath")
    mp.mp.dps = 40
    for a, tv, sv in ((0.01, 1e-4, 0.3), (1.0, 0.7, 2.0), (0.2, 8.0, 1.0)):
        assert abs(diff(mp.mpf(a), mp.mpf(tv), mp.mpf(sv))) < mp.mpf(10) ** -30
    mp.mp.dps = 15
    from numerics.generated import gm

    for a in (1e-3, 0.03, 0.4, 2.0):
        for s in (0.2, 1.0, 3.0):
            tc = float(g.t_C_alpha(a, s))
            assert abs(tc - float(gm.t_C_alpha(a, s))) < 1e-10 * max(1, tc)
            assert abs(float(g.alpha_c(tc, s)) - a) < 1e-9 * max(1, a)


def test_cgf_against_quadrature():
    """Λ(k) per coordinate = ln ∫ N(a; 0, σ²) exp(k (x - e^{-t} a)²) da (mpmath)."""
    for kv, tv, sv, xv in ((-0.7, 0.5, 1.2, 0.8), (0.1, 1.0, 0.9, -1.5), (-3.0, 0.2, 2.0, 0.1)):
        s = math.exp(-tv)
        val = mp.log(mp.quad(lambda a: mp.npdf(a, 0, sv) * mp.exp(kv * (xv - s * a) ** 2), [-mp.inf, 0, mp.inf]))
        assert abs(float(g.cgf(kv, tv, sv, xv * xv)) - float(val)) < 1e-10


def test_rate_is_legendre_transform_numerically():
    """I(y) = sup_k [k y - Λ(k)] by direct numerical maximisation; I(mean) = 0; I' = k(y)."""
    from scipy.optimize import minimize_scalar

    for yv, tv, sv, rv in ((0.4, 0.6, 1.0, 1.0), (2.5, 0.3, 1.5, 0.8), (0.9, 1.4, 0.7, 1.1)):
        kmax = 1 / (2 * sv * sv * math.exp(-2 * tv))
        res = minimize_scalar(lambda kk: -(kk * yv - g.cgf(kk, tv, sv, rv)), bounds=(-50, kmax * (1 - 1e-9)),
                              method="bounded", options={"xatol": 1e-12})
        assert abs(-res.fun - float(g.rate(yv, tv, sv, rv))) < 1e-7
        h = 1e-6
        slope = (g.rate(yv + h, tv, sv, rv) - g.rate(yv - h, tv, sv, rv)) / (2 * h)
        assert abs(slope - g.k_of_y(yv, tv, sv, rv)) < 1e-6
        mean = sv * sv * math.exp(-2 * tv) + rv
        assert abs(g.rate(mean, tv, sv, rv)) < 1e-12


def test_rho_parametrisation_consistent():
    for rho, tv, sv, rv in ((0.3, 0.5, 1.0, 1.0), (0.8, 1.2, 2.0, 0.5)):
        yv = g.energy_rho(rho, tv, sv, rv)
        assert abs(g.rate(yv, tv, sv, rv) - g.rate_rho(rho, tv, sv, rv)) < 1e-10
        assert abs(g.k_of_y(yv, tv, sv, rv) - g.k_rho(rho, tv, sv)) < 1e-9


def test_branches_meet_at_threshold_and_m_is_one():
    """At α = α_c the condensed branch equals the liquid one and m = 1; below, liquid > condensed."""
    for tv, sv in PTS:
        ac = float(rem.alpha_c(tv, sv))
        liq = float(rem.free_entropy_liquid_branch(ac, tv, sv))
        rho0 = rem.lowest_level_rho(ac * (1 - 1e-12), tv, sv)
        cond = float(g.free_entropy_condensed_rho(rho0, tv, sv, rem.gamma_t(tv, sv)))
        assert abs(liq - cond) < 1e-7
        assert abs(float(rem.freezing_m(ac * (1 - 1e-12), tv, sv)) - 1) < 1e-5
        a = 0.5 * ac
        assert float(rem.free_entropy(a, tv, sv)) < float(rem.free_entropy_liquid_branch(a, tv, sv))
        assert rem.phase(a, tv, sv) == "condensed" and rem.phase(2 * ac, tv, sv) == "liquid"
        assert 0 < float(rem.participation_ratio(a, tv, sv)) < 1


# ---------------------------------------------------------------- Poisson–Dirichlet
def _pd_sample(rng, m, reps=4000, levels=4000):
    """Points of the Poisson process with N(X > x) = x^{-m}: X_j = Γ_j^{-1/m} (Γ_j arrival times)."""
    arr = np.cumsum(rng.exponential(size=(reps, levels)), axis=1)
    return arr ** (-1.0 / m)


@pytest.mark.parametrize("m", [0.3, 0.55])
def test_pd_participation_and_log_partition_by_sampling(m):
    rng = np.random.default_rng(11)
    x = _pd_sample(rng, m)
    s = x.sum(1)
    pr = ((x / s[:, None]) ** 2).sum(1)
    z = abs(pr.mean() - g.pd_participation(m)) / (pr.std() / math.sqrt(len(pr)))
    assert z < 4
    ls = np.log(s)
    assert abs(ls.mean() - g.pd_log_partition(m)) / (ls.std() / math.sqrt(len(ls))) < 4


def test_derrida_rem():
    """β_c = sqrt(2α); free entropy continuous at β_c; direct sampling at d = 200, α = 0.05."""
    for a in (0.1, 0.7):
        bc = g.derrida_beta_c(a)
        assert abs(bc - math.sqrt(2 * a)) < 1e-14
        assert abs(g.derrida_free_entropy(a, bc * (1 - 1e-12)) - g.derrida_free_entropy(a, bc * (1 + 1e-12))) < 1e-9
        assert g.derrida_free_entropy(a, 0.5 * bc) == pytest.approx(a + (0.5 * bc) ** 2 / 2)
    rng = np.random.default_rng(3)
    d, a = 200, 0.05
    n = int(math.exp(a * d))
    for b in (0.1, 0.6):
        vals = []
        for _ in range(200):
            e = rng.standard_normal(n) * math.sqrt(d)  # energies with variance d
            v = b * e
            vals.append((v.max() + math.log(np.exp(v - v.max()).sum())) / d)
        vals = np.array(vals)
        # leading order in d: O(ln d / d) allowance on the condensed side
        assert abs(vals.mean() - g.derrida_free_entropy(a, b)) < (0.002 if b < math.sqrt(2 * a) else 3 * math.log(d) / d)


# ---------------------------------------------------------------- numerics vs direct sums
def test_phi_c_leading_order_step_and_finite_d():
    tc = float(rem.t_C(0.03, 1.0))
    assert rem.phi_C(0.9 * tc, 0.03, 1.0) == 1.0 and rem.phi_C(1.1 * tc, 0.03, 1.0) == 0.0
    v = rem.phi_C(np.array([0.5 * tc, 2.0 * tc]), 0.03, 1.0, 256)
    assert v[0] > 0.99 and v[1] < 0.02


def test_checks_pass_with_fixed_seed():
    """The registered verification checks pass their z-score criterion (threshold 4)."""
    from numerics.verify import all_checks

    names = {c.name: c for c in all_checks()}
    for name in ("rem.free_entropy", "rem.participation_ratio", "rem.phi_C"):
        ms = names[name].fn(np.random.default_rng(20261123), False)
        assert len(ms) >= 3
        phases = set()
        for m in ms:
            z = max(0.0, abs(m.value - m.theory) - m.bias_allowance) / m.stderr
            assert z < 4, (name, m.label, m.value, m.theory, m.stderr)
            assert m.params["d"] >= 256
            phases.add(rem.phase(m.params["alpha"], m.params["t"], m.params["sigma"]))
        assert phases == {"liquid", "condensed"}


# ---------------------------------------------------------------- CLI


def test_cli_rem_json(cli_process, cli):
    p = cli_process("rem", "--sigma", "1", "--t", "0.9", "--alpha", "0.03", "--json")
    assert p.returncode == 0, p.stderr
    o = json.loads(p.stdout)
    assert abs(o["alpha_c"] - 0.5 * math.log(1 / -math.expm1(-1.8))) < 1e-12
    assert o["phase"] == "condensed" and 0 < o["participation_ratio"] < 1
    assert set(o) >= {"alpha_c", "free_entropy", "phase", "participation_ratio", "t_C"}
    rc, out, _ = cli("rem", "--sigma", "1", "--t", "2", "--json")
    assert rc == 0 and "free_entropy" not in json.loads(out)
    rc, out, _ = cli("rem", "--sigma", "1", "--t", "2.5", "--alpha", "0.03", "--json")
    assert json.loads(out)["phase"] == "liquid"


@pytest.mark.parametrize("bad", [["--sigma", "0", "--t", "1"], ["--sigma", "1", "--t", "-1"],
                                 ["--sigma", "1", "--t", "1", "--alpha", "nan"], ["--t", "1"],
                                 ["--sigma", "1", "--t", "1", "--d", "100"]])
def test_cli_rem_errors(cli, bad):
    rc, _, err = cli("rem", *bad, "--json")
    assert rc != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.slow
def test_cloning_phi_c_matches_exact_identity():
    """Cloned empirical-score trajectories: P(same training point) = E_{x~P^e_t} Σ w² (z < 4)."""
    from numerics.models.rem.checks import phi_c_cloning

    for m in phi_c_cloning(np.random.default_rng(5), False):
        assert abs(m.value - m.theory) / m.stderr < 4, (m.label, m.value, m.theory, m.stderr)
