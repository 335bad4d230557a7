"""REM view of collapse (THEORY §3): derivation chain, generated code, numerics and checks."""

from __future__ import annotations

import json
import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from numerics.models.rem import finite_size as fs
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


# ---------------------------------------------------------------- exact finite-(d, n) theory
def _direct_conditional(rng, n, d, t, s, r, reps):
    """Monte Carlo of ln Z, Σ w², Gibbs mean |x - c a|²/d at a FIXED x with |x|²/d = r over ``reps``
    independent training sets (a ~ N(0, s² I))."""
    c, D = math.exp(-t), -math.expm1(-2 * t)
    x = np.zeros(d)
    x[0] = math.sqrt(d * r)
    a = rng.normal(0.0, s, (reps, n, d))
    sq = ((x - c * a) ** 2).sum(-1)
    e = -sq / (2 * D)
    top = e.max(1, keepdims=True)
    w = np.exp(e - top)
    z = w.sum(1)
    return top[:, 0] + np.log(z), (w**2).sum(1) / z**2, (w * sq).sum(1) / z / d


@pytest.mark.parametrize("n,d,t,s,r", [(30, 12, 0.3, 1.0, 1.1), (30, 12, 1.0, 1.0, 0.9), (7, 8, 2.0, 1.5, 1.3),
                                       (200, 6, 0.6, 0.7, 0.8)])
def test_exact_conditional_against_direct_sums(n, d, t, s, r):
    """E[ln Z | r], E[Σ w² | r] and the Gibbs mean energy against direct sums over 20000 training sets
    (seeded; z < 4 with the measured standard errors)."""
    rng = np.random.default_rng(hash((n, d, round(100 * t))) % 2**32)
    lz, pr, en = _direct_conditional(rng, n, d, t, s, r, 20000)
    ex = fs.conditional(n, d, t, s, r)
    D = -math.expm1(-2 * t)
    for val, th in ((lz, ex["log_Z"]), (pr, ex["participation"]), (en, ex["energy"] * 2 * D / d)):
        assert abs(val.mean() - th) / (val.std(ddof=1) / math.sqrt(val.size)) < 4, (val.mean(), th)


@pytest.mark.parametrize("n,d,t", [(40, 10, 0.4), (40, 10, 1.0), (40, 10, 1.8), (300, 16, 0.9)])
def test_exact_phi_c_and_averages_against_direct_sampling(n, d, t):
    """φ_C (x ~ P^e_t, planted level), E Σ w² and (1/d) E ln Z (x ~ P_t), averaged over x, against direct
    sampling with a fresh training set per draw (seeded; z < 4)."""
    rng = np.random.default_rng(1000 * n + d)
    reps = 6000
    c, D = math.exp(-t), -math.expm1(-2 * t)
    a = rng.standard_normal((reps, n, d))
    z = rng.standard_normal((reps, d))
    out = {}
    for planted in (True, False):
        a0 = a[:, 0] if planted else rng.standard_normal((reps, d))
        x = c * a0 + math.sqrt(D) * z
        e = -((x[:, None, :] - c * a) ** 2).sum(-1) / (2 * D)
        top = e.max(1, keepdims=True)
        w = np.exp(e - top)
        zz = w.sum(1)
        out[planted] = (top[:, 0] + np.log(zz)) / d, (w**2).sum(1) / zz**2
    for val, th in ((out[True][1], fs.phi_C(n, d, t, 1.0)), (out[False][1], fs.participation_ratio(n, d, t, 1.0)),
                    (out[False][0], fs.free_entropy(n, d, t, 1.0))):
        assert abs(val.mean() - th) / (val.std(ddof=1) / math.sqrt(reps)) < 4, (val.mean(), th)


def test_exact_two_levels_against_quadrature():
    """n = 2 by an independent route: ln Z = -min(E_1, E_2) + log1p(e^{-|E_1-E_2|}) and
    Σ w² = 1 - ½ sech²((E_1 - E_2)/2), integrated over the two scaled non-central χ² laws with SciPy's own
    density (scipy.stats.ncx2): twice the triangle E_1 < E_2 = E_1 + u, Gauss–Legendre in E_1 and in u
    (smooth there: no kink), 240 × 240 nodes."""
    from scipy import stats

    d, t, s, r = 6, 0.7, 1.0, 1.2
    s2, D = s * s * math.exp(-2 * t), -math.expm1(-2 * t)
    law = stats.ncx2(d, d * r / s2, scale=s2 / (2 * D))
    lo, hi = law.ppf(1e-14), law.ppf(1 - 1e-14)
    x, w = np.polynomial.legendre.leggauss(240)
    e1 = lo + (hi - lo) * (x + 1) / 2
    w1 = w * (hi - lo) / 2
    span = hi - e1
    u = span[:, None] * (x[None, :] + 1) / 2
    wu = w[None, :] * span[:, None] / 2
    dens = law.pdf(e1)[:, None] * law.pdf(e1[:, None] + u) * wu * w1[:, None] * 2
    lz = float(np.sum(dens * (-e1[:, None] + np.log1p(np.exp(-u)))))
    pr = float(np.sum(dens * (1 - 0.5 / np.cosh(u / 2) ** 2)))
    ex = fs.conditional(2, d, t, s, r)
    # 1e-8: at d = 6 the level density ∝ V² at the hard edge V = 0 limits the trapezoid to O(h⁴) there
    assert abs(ex["log_Z"] - lz) < 1e-8 * abs(lz) and abs(ex["participation"] - pr) < 1e-8
    one = fs.conditional(1, d, t, s, r)  # one level: ln Z = -E, E[E] = (d s² + d r)/(2Δ)
    assert one["log_Z"] == pytest.approx(-(d * s2 + d * r) / (2 * D), rel=1e-8)
    assert one["participation"] == pytest.approx(1.0, abs=1e-13)
    assert fs.phi_C(1, d, t, s) == pytest.approx(1.0, abs=1e-13)


def test_exact_quadrature_converged():
    """Halving the grid spacing and doubling the χ² nodes change nothing beyond 1e-10."""
    n, d = 2165, 256
    for t in (0.6, 1.45, 2.4):
        a, b = fs.conditional(n, d, t, 1.0, 1.02), fs.conditional(n, d, t, 1.0, 1.02, h_max=0.1)
        assert all(abs(a[k] - b[k]) < 1e-10 * max(1.0, abs(a[k])) for k in a)
        assert abs(fs.phi_C_conditional(n, d, t, 1.0, 0.97) - fs.phi_C_conditional(n, d, t, 1.0, 0.97, h_max=0.1)) < 1e-10
        assert abs(fs.phi_C(n, d, t, 1.0) - fs.phi_C(n, d, t, 1.0, nodes=24)) < 1e-10
    law = fs._ordinary_law(n, d, 0.9, 1.0, 1.0)
    assert abs(law.mass - 1.0) < 1e-10


def test_exact_coarse_lattice_and_kernels():
    """Cell-averaged kernels equal their quadrature; a coarse lattice (h = 0.5, 1.0) converges to the fine
    one like h² (the path used for very broad level laws, t -> 0)."""
    from scipy.integrate import quad

    for h in (0.5, 2.0):
        xs = np.array([-50.0, -43.0, -5.0, -0.3, 0.2, 2.0, 43.0, 50.0])
        cell = fs._kernels(xs, ("k0", "k1", "k2"), h)
        for k in ("k0", "k1", "k2"):
            ref = [quad(lambda y: fs._kernels(np.array([y]), (k,))[k][0], x - h / 2, x + h / 2, epsabs=0,
                        epsrel=1e-12)[0] / h for x in xs]
            assert np.allclose(cell[k], ref, rtol=1e-9, atol=1e-300)
    n, sd = 1000, 30.0
    fine = fs.law_moments(fs.gaussian_level_law(0.0, sd, n), n)
    errs = []
    for h in (0.5, 1.0):
        law = fs._law_from_logpdf(lambda E: -0.5 * (E / sd) ** 2 - math.log(sd * math.sqrt(2 * math.pi)), 0.0, sd, n,
                                  None, fs.H_MAX, fs.TAIL, h)
        errs.append(np.abs(np.array(fs.law_moments(law, n)) - np.array(fine)))
    assert np.all(errs[0] < [2e-3, 1e-5, 2e-3]) and np.all(errs[0] < errs[1])
    assert errs[1][0] < 4.5 * errs[0][0] and errs[1][2] < 4.5 * errs[0][2]  # ln Z, energy: O(h²)


def test_log_ive_all_branches():
    """ln(I_ν(x) e^{-x}) from the Debye, Hankel and series branches against SciPy where SciPy is finite;
    finite where SciPy returns NaN (x ≥ 1e10)."""
    import scipy.special as sps

    for nu in (0.0, 3.0, 31.0, 127.0):
        x = np.logspace(-2 if nu >= 30 else 5, 9, 30)
        with np.errstate(divide="ignore"):
            ref = np.log(sps.ive(nu, x))
        ok = np.isfinite(ref) & ((x >= nu + 1) | (nu >= 30) | (x < 1))
        real = sps.ive
        try:
            sps.ive = lambda n_, xx: np.full(np.shape(xx), np.nan)
            alt = fs._log_ive(nu, x)
        finally:
            sps.ive = real
        assert np.max(np.abs(alt - ref)[ok]) < 1e-9
    big = fs._log_ive(127.0, np.array([1e10, 1e14]))
    assert np.all(np.isfinite(big)) and np.allclose(big, -0.5 * np.log(2 * np.pi * np.array([1e10, 1e14])), atol=1e-6)


def test_exact_large_d_limits():
    """(1/d) E ln Z approaches the REM free entropy as d grows at fixed α (liquid: α - α_c - r/(2Γ);
    condensed: -y_0/(2Δ_t) + O(ln d/d)); the participation ratio approaches the Poisson–Dirichlet 1 - m;
    φ_C approaches the step at t_C."""
    alpha, s = 0.03, 1.0
    tc = float(rem.t_C(alpha, s))
    err_liq, err_pr, step_lo, step_hi = [], [], [], []
    for d in (128, 512, 2048):
        n = fs.n_points(alpha, d)
        a = math.log(n) / d
        G = float(rem.gamma_t(2.2, s))
        err_liq.append(abs(fs.free_entropy(n, d, 2.2, s, G) - float(rem.free_entropy(a, 2.2, s, G))))
        G5 = float(rem.gamma_t(0.5, s))
        err_pr.append(abs(fs.participation_ratio(n, d, 0.5, s, G5) - float(rem.participation_ratio(a, 0.5, s, G5))))
        step_lo.append(fs.phi_C(n, d, 0.8 * tc, s))
        step_hi.append(fs.phi_C(n, d, 1.25 * tc, s))
    assert err_liq[2] < err_liq[1] < err_liq[0] and err_liq[2] < 1e-4
    assert err_pr[2] < err_pr[1] < err_pr[0] and err_pr[2] < 0.02
    assert step_lo[0] < step_lo[1] < step_lo[2] and step_lo[2] > 0.995
    assert step_hi[0] > step_hi[1] > step_hi[2] and step_hi[2] < 0.01


def test_exact_deep_liquid_is_one_over_n():
    """Deep in the liquid phase every weight tends to 1/n: E Σ w² and φ_C → 1/n (the public d= path too),
    E ln Z → ln n - E[E]; no NaN/inf up to t = 40 (point-mass level laws)."""
    n, d = 2165, 256
    for t in (8.0, 12.0, 40.0):
        pr, ph = fs.participation_ratio(n, d, t, 1.0), fs.phi_C(n, d, t, 1.0)
        assert abs(n * pr - 1) < 1e-3 and abs(n * ph - 1) < 1e-3
        assert abs(float(rem.phi_C(t, 0.03, 1.0, d)) * n - 1) < 1e-3
        fe = fs.free_entropy(n, d, t, 1.0, 1.0)
        assert math.isfinite(fe) and abs(fe - (math.log(n) / d - 0.5)) < 1e-3
    assert abs(fs.phi_C(n, d, 4.0, 1.0) * n - 1) < 0.5  # already within a factor 1.5 of 1/n at t = 4


def test_exact_small_t_is_finite_and_condensed():
    """Small t (broad level laws, coarse lattice): finite, φ_C → 1, E Σ w² → 1, free entropy at the
    lowest level."""
    n, d = 2165, 256
    v = fs.phi_C(n, d, 0.02, 1.0)
    pr = fs.participation_ratio(n, d, 0.02, 1.0, 1.0)
    assert math.isfinite(v) and v > 0.999999 and 0.99 < pr <= 1.0
    law = fs._ordinary_law(n, d, 2e-4, 1.0, 1.0)
    assert law.h > fs.H_MAX and law.w.size <= fs.N_MAX + 1
    assert np.all(np.isfinite(fs.law_moments(law, n)))


def test_exact_interpolation_in_r():
    """The checks' Chebyshev interpolation of the conditional values over the sampled r range is exact
    to 1e-9 (relative)."""
    from numerics.models.rem.checks import exact_at

    n, d = 2165, 256
    for t in (0.5, 1.8, 2.5):
        G = float(rem.gamma_t(t, 1.0))
        r = G * (1 + 0.12 * np.linspace(-1, 1, 7) ** 3)
        got = exact_at(n, d, t, r)
        for j, rv in enumerate(r):
            c = fs.conditional(n, d, t, 1.0, float(rv))
            assert abs(got["free_entropy"][j] - c["log_Z"] / d) < 1e-9
            assert abs(got["participation"][j] / c["participation"] - 1) < 1e-9


@pytest.mark.parametrize("bad", [dict(n=0), dict(n=2.5), dict(d=1), dict(t=0.0), dict(t=float("nan")),
                                 dict(sigma=-1.0), dict(r=-0.5)])
def test_exact_rejects_invalid_input(bad):
    kw = dict(n=30, d=12, t=0.5, sigma=1.0, r=1.0)
    kw.update(bad)
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        fs.free_entropy(kw["n"], kw["d"], kw["t"], kw["sigma"], kw["r"])
    with pytest.raises(ValueError, match="d"):
        rem.phi_C(1.0, 0.03, 1.0, 100.5)


def test_checks_pass_with_fixed_seed():
    """The REM point checks pass their z-score criterion (threshold 4) in both phases; so do the φ_C
    crossing times and the deep-liquid φ_C."""
    from numerics.verify import all_checks

    names = {c.name: c for c in all_checks()}
    for name in ("rem.free_entropy", "rem.participation_ratio", "rem.mean_energy"):
        ms = names[name].fn(np.random.default_rng(20261123), False)
        assert len(ms) >= 4
        phases = set()
        for m in ms:
            z = max(0.0, abs(m.value - m.theory) - m.bias_allowance) / m.stderr
            assert z < 4, (name, m.label, m.value, m.theory, m.stderr)
            assert m.params["d"] >= 256
            phases.add(rem.phase(m.params["alpha"], m.params["t"], m.params["sigma"]))
        assert phases == {"liquid", "condensed"}
    ms = names["rem.phi_C"].fn(np.random.default_rng(20261123), False)
    assert [m.label for m in ms][:3] == ["crossing,level=0.85", "crossing,level=0.5", "crossing,level=0.15"]
    for m in ms:
        assert abs(m.value - m.theory) / m.stderr < 4, (m.label, m.value, m.theory, m.stderr)


def test_unchecked_and_tested_cover_every_rem_result():
    """Every registered rem.* result is named by a check (tests=) or declared in UNCHECKED, not both."""
    from numerics.models.rem.checks import UNCHECKED
    from numerics.verify import all_checks
    from theory import registry

    names = {r for r in registry.names() if r.startswith("rem.")}
    tested = {r for c in all_checks() for r in c.tests if r.startswith("rem.")}
    assert names == tested | set(UNCHECKED) and not (tested & set(UNCHECKED))


@pytest.mark.slow
@pytest.mark.parametrize("factor", ["1.05", "0.95"])
def test_phi_c_crossing_fails_for_wrong_collapse_time(capsys, factor):
    """The collapse time measured through φ_C: t_C (rem.t_C_alpha) or the threshold (rem.alpha_c) wrong by
    ±5 % fails the quick φ_C checks (unmutated they pass: test_checks_pass_with_fixed_seed)."""
    from numerics.cli import main

    assert main(["verify", "--quick", "--only", "rem.phi_C*", "--mutate", f"rem.t_C_alpha={factor}"]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert main(["verify", "--quick", "--only", "rem.phi_C*", "--mutate", f"rem.alpha_c={factor}"]) == 1


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
def test_cloning_phi_c_matches_exact_theory_and_identity():
    """Cloned empirical-score trajectories on independent training sets (d = 128): P(same training point)
    against the exact finite-(d, n) φ_C in the crossover and against E_{x~P^e_t} Σ w² sampled directly on the
    same training sets (z < 4)."""
    from numerics.models.rem.checks import phi_c_cloning

    for m in phi_c_cloning(np.random.default_rng(5), False):
        assert abs(m.value - m.theory) / m.stderr < 4, (m.label, m.value, m.theory, m.stderr)
        se = math.hypot(m.stderr, m.extra["direct_stderr"])
        assert abs(m.value - m.extra["direct_same_sets"]) / se < 4, (m.label, m.value, m.extra)
