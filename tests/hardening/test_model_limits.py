"""The stable forms and limits behind issue #15 items 2-4, each against an independent route (mpmath at
high precision, the exact law summed directly, direct log-sum-exp Monte Carlo with a z-score, or a limit).
"""

import math
import warnings

import mpmath as mp
import numpy as np
import pytest

from numerics.models.cw import CurieWeiss
from numerics.models.cw.model import critical_lambda, log_variance
from numerics.models.gm import GaussianMixture
from numerics.models.rem import model as rem
from numerics.results import numeric


# ------------------------------------------------------------------------------------------- Curie-Weiss
def _exact_law_mp(N, beta, H, dps=60):
    """p_+, p_-, Var(M)/N of the CW magnetization law summed in mpmath (independent of the log-space code)."""
    with mp.workdps(dps):
        h = mp.mpf(H) / N
        w = {M: mp.binomial(N, (N + M) // 2) * mp.exp(mp.mpf(beta) * M * M / (2 * N) + h * M)
             for M in range(-N, N + 1, 2)}
        Z = mp.fsum(w.values())
        pp = (mp.fsum(v for M, v in w.items() if M > 0) + w.get(0, 0) / 2) / Z
        pm = (mp.fsum(v for M, v in w.items() if M < 0) + w.get(0, 0) / 2) / Z
        mean = mp.fsum(M * v for M, v in w.items()) / Z
        var = mp.fsum((M - mean) ** 2 * v for M, v in w.items()) / Z
        return float(pp), float(pm), float(var / N)


@pytest.mark.parametrize("N, beta, H", [(3, 1.5, 50.0), (40, 10.0, 50.0), (2, 0.5, -50.0), (25, 1.0, 0.0),
                                        (101, 1.2, 0.3), (7, 3.0, -700.0)])
def test_cw_weights_and_lambda_vs_mpmath(N, beta, H):
    m = CurieWeiss(N, beta, H)
    pp, pm, lam = _exact_law_mp(N, beta, H)
    assert m.p_plus == pytest.approx(pp, rel=1e-12, abs=1e-300)
    assert m.p_minus == pytest.approx(pm, rel=1e-9, abs=1e-300)  # the tiny weight keeps its relative precision
    assert m.Lambda == pytest.approx(lam, rel=1e-9, abs=1e-300)
    assert 0 <= m.p_plus <= 1 and 0 <= m.p_minus <= 1 and m.Lambda >= 0


def test_cw_t_S_when_lambda_underflows():
    """N = 1, H = 1000: Var(M) = 4 p_+ p_- ≈ 4e^{-2000} underflows; t_S = ½(ln 4 - 2H + ...) stays exact."""
    m = CurieWeiss(1, 1.5, 1000.0)
    assert m.Lambda == 0.0
    assert m.t_S == pytest.approx(0.5 * (math.log(4.0) - 2000.0), rel=1e-12)


def test_log_variance_vs_direct():
    rng = np.random.default_rng(3)
    x = np.arange(12, dtype=float)
    p = rng.random(12)
    p /= p.sum()
    var = float(np.sum(p * (x - np.sum(p * x)) ** 2))
    assert math.exp(log_variance(x, np.log(p))) == pytest.approx(var, rel=1e-13)
    assert log_variance(np.array([3.0]), np.array([0.0])) == -math.inf
    # a law concentrated on one value: Var = ε(1 - ε) Δ², no cancellation
    lp = np.array([math.log1p(-1e-30), math.log(1e-30)])
    assert math.exp(log_variance(np.array([0.0, 2.0]), lp)) == pytest.approx(4e-30, rel=1e-12)


def test_cw_critical_lambda_finite_size_scaling():
    """At β = 1 the exact Var(M)/N approaches sqrt(12N) Γ(3/4)/Γ(1/4) with relative corrections O(N^{-1/2}):
    the deviation shrinks by ≈ 10 per factor 100 in N (8 to 12.5 allowed)."""
    dev = {N: CurieWeiss(N, 1.0).Lambda / critical_lambda(N) - 1 for N in (10**3, 10**5)}
    assert abs(dev[10**5]) < 0.01
    assert 8.0 < dev[10**3] / dev[10**5] < 12.5
    assert CurieWeiss(100, 1.0).Lambda_asymptotic == critical_lambda(100)


@pytest.mark.parametrize("beta", [1.0 + 1e-9, 1.001, 1.5, 4.0, 10.0, 30.0])
def test_cw_chi_vs_mpmath(beta):
    """χ = (1 - m²)/(1 - β(1 - m²)) at the root of m = tanh βm, in mpmath (60 digits) from our m*."""
    m = CurieWeiss(10, beta)
    with mp.workdps(60):
        ms = mp.findroot(lambda x: x - mp.tanh(beta * x), m.m_star)
        s = 1 - ms * ms
        chi = float(s / (1 - beta * s))
    assert m.chi == pytest.approx(chi, rel=1e-6 if beta < 1.01 else 1e-12)
    assert CurieWeiss(10, 1.0).chi == math.inf and CurieWeiss(10, 0.5).chi == pytest.approx(2.0, rel=1e-15)


def test_cw_chi_matches_generated_in_the_normal_range():
    for beta in (1.2, 1.5, 2.5, 5.0):
        m = CurieWeiss(50, beta)
        assert m.chi == pytest.approx(float(numeric("cw.chi")(m.m_star, beta)), rel=1e-12)


# ------------------------------------------------------------------------------------------- Gaussian mixture
def _gm_mp(d, mu, sigma, p):
    with mp.workdps(80):
        d, mu, sigma, p = map(mp.mpf, (d, mu, sigma, p))
        a = 4 * p * (1 - p) * d * mu**2
        b = sigma**2 - 1
        t_s = mp.log(sigma**2 + a) / 2
        t_v = mp.log(a + mp.sqrt(a * a + b * b)) / 2
        t_l = mp.log(1 + a - sigma**2) / 2 if 1 + a - sigma**2 > 1 else mp.nan
        return float(t_s), float(t_v), float(t_l) if t_l == t_l else math.nan


@pytest.mark.parametrize("d, mu, sigma, p", [(10, 1.0, 1e100, 0.5), (10, 1e100, 1.0, 0.3), (10, 1e149, 1e150, 0.5),
                                             (10, 1e-200, 1e-200, 0.5), (1024, 1.0, 1.0, 0.5), (1e300, 1.0, 0.5, 0.1)])
def test_gm_curvature_and_speciation_times_vs_mpmath(d, mu, sigma, p):
    m = GaussianMixture(d, mu, sigma, p)
    t_s, t_v, t_l = _gm_mp(d, mu, sigma, p)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert m.t_S == pytest.approx(t_s, rel=1e-12)
        assert m.t_curv_V == pytest.approx(t_v, rel=1e-12) if t_v > 0 else math.isnan(m.t_curv_V)
        assert (m.t_curv_logp == pytest.approx(t_l, rel=1e-9)) if not math.isnan(t_l) else math.isnan(m.t_curv_logp)


@pytest.mark.parametrize("n, d, sigma", [(100, 10, 1e100), (2, 1e300, 1e150), (1e300, 1, 1.0), (20000, 1024, 1.0)])
def test_gm_collapse_time_vs_mpmath(n, d, sigma):
    with mp.workdps(80):
        ref = float(mp.log(1 + mp.mpf(sigma) ** 2 / mp.expm1(2 * mp.log(n) / d)) / 2)
    assert GaussianMixture(d, 1.0, sigma).t_C(n) == pytest.approx(ref, rel=1e-12, abs=1e-300)


# ------------------------------------------------------------------------------------------- REM
def test_rem_deep_liquid_limit_one_over_n():
    """All levels alike (t → ∞): Σ w² = 1/n exactly, n = round(e^{αd}) = 2165, (1/d) ln Z = ln(n)/d - ½;
    continuous across s² = σ² e^{-2t} = 1e-290 (t ≈ 333.9), where the exact limits replace the
    Laplace-transform evaluation (whose d r/s² would overflow)."""
    inv_n = 1 / 2165
    for t in (30.0, 1e3, 1e300):
        assert float(rem.participation_ratio(0.03, t, 1.0, None, 256)) == pytest.approx(inv_n, rel=1e-12)
        assert float(rem.phi_C(t, 0.03, 1.0, 256)) == pytest.approx(inv_n, rel=1e-12)
        assert float(rem.free_entropy(0.03, t, 1.0, None, 256)) == pytest.approx(math.log(2165) / 256 - 0.5, abs=1e-12)
    t_switch = 0.5 * math.log(1e290)
    for fn in (lambda t: rem.participation_ratio(0.03, t, 1.0, None, 256), lambda t: rem.phi_C(t, 0.03, 1.0, 256),
               lambda t: rem.free_entropy(0.03, t, 1.0, None, 256)):
        assert float(fn(t_switch - 1.0)) == pytest.approx(float(fn(t_switch + 1.0)), rel=1e-12)


@pytest.mark.parametrize("d, n, t", [(64, 602, 3.0), (64, 602, 6.0), (32, 602, 8.0), (16, 50, 12.0)])
def test_rem_finite_d_participation_vs_direct(d, n, t):
    """E Σ w² at points of P_t, direct log-sum-exp over n Gaussian training points (20 sets × 50 points,
    seed 5) vs the exact finite-(d, n) value at each point's r: |z| < 4 from the block standard error."""
    alpha = math.log(n) / d
    _, rows = rem.partition_blocks(np.random.default_rng(5), d, alpha, t, 20, 50, empirical=False)
    diff = np.array([pr.mean() - np.mean(rem.participation_ratio(alpha, t, 1.0, r, d)) for _, pr, r in rows])
    z = diff.mean() / (diff.std(ddof=1) / math.sqrt(len(diff)))
    assert abs(z) < 4.0, z


def test_rem_large_inputs():
    """Leading order: finite, no warning, at any α, t, σ in range; finite d: refused with one line outside
    the range of the exact evaluation (αd ≤ 100, σ²e^{-2t}/(2Δ_t) ≤ 1e5)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(rem.t_C(700.0, 1.0)) == 0.0
        assert math.isfinite(float(rem.free_entropy(5.0, 1e3, 1.0)))
        assert float(rem.participation_ratio(5.0, 1e300, 1.0)) == 0.0
        assert float(rem.freezing_m(0.01, 0.1, 1e70)) <= 1.0
    with pytest.raises(ValueError, match="alpha"):
        rem.phi_C(3.0, 5.0, 1.0, 1e5)
    with pytest.raises(ValueError, match="sigma"):
        rem.free_entropy(1.0, 1.0, 1e75, None, 10)
    with pytest.raises(ValueError, match="alpha"):
        rem.t_C(math.inf, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        rem.alpha_c(1.0, 1e100)
    with pytest.raises(ValueError, match="t"):
        rem.alpha_c(1e-300, 1.0)
