"""Gaussian model (THEORY §1): noise law, score, generation, and the learned-covariance law."""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate

from numerics.models.gauss import model as g
from numerics.generated import gauss as G


def test_delta_matches_ou_variance_by_simulation(rng):
    """Δ_t is the variance of x(t) | x(0) = 0 under dx = -x dt + sqrt(2) dB (exact OU steps)."""
    t, steps, N = 0.7, 70, 200000
    h = t / steps
    x = np.zeros(N)
    for _ in range(steps):
        x = math.exp(-h) * x + math.sqrt(1 - math.exp(-2 * h)) * rng.standard_normal(N)
    var = x.var(ddof=1)
    se = var * math.sqrt(2 / (N - 1))
    assert abs(var - G.Delta(t)) / se < 4
    assert G.Delta(1e-12) == pytest.approx(2e-12, rel=1e-9)  # expm1 form: no cancellation


def test_score_coef_is_minus_inverse_variance():
    for t, lam in [(1e-6, 0.3), (1.0, 2.0), (20.0, 5.0)]:
        assert G.score_coef(t, lam) == pytest.approx(-1.0 / G.var_t(t, lam), rel=1e-12)


@pytest.mark.parametrize("n,d", [(12, 3), (40, 10), (300, 50), (5000, 20)])
def test_expected_kl_exact_vs_mpmath(n, d):
    with mp.workdps(30):
        ref = (n * d / mp.mpf(n - d - 1) - d + sum(mp.digamma(mp.mpf(n - i + 1) / 2) for i in range(1, d + 1))
               + d * mp.log(2) - d * mp.log(n)) / 2
    assert g.expected_kl(n, d) == pytest.approx(float(ref), rel=1e-10)


def test_expected_kl_monte_carlo(rng):
    """Average KL over independent sample covariances: |z| < 4 from the measured standard error."""
    n, d, reps = 60, 8, 3000
    lams = np.linspace(0.5, 3.0, d)
    c = np.diag(lams)
    kls = np.empty(reps)
    for r in range(reps):
        a = rng.standard_normal((n, d)) * np.sqrt(lams)
        kls[r] = g.kl_gaussians(c, g.sample_covariance(a))
    z = (kls.mean() - g.expected_kl(n, d)) / (kls.std(ddof=1) / math.sqrt(reps))
    assert abs(z) < 4


def test_kl_large_n_limit():
    for d in [1, 5, 30]:
        ratios = [g.expected_kl(n, d) / g.expected_kl_large_n(n, d) for n in [10**4, 10**6]]
        assert abs(ratios[1] - 1) < abs(ratios[0] - 1) < 0.02
        assert ratios[1] == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("gamma", [0.05, 0.3, 0.8])
def test_mp_density_normalised_and_matches_spectrum(gamma, rng):
    lo, hi = G.mp_edge_minus(gamma), G.mp_edge_plus(gamma)
    mass, _ = integrate.quad(lambda x: g.mp_density(x, gamma), lo, hi, limit=200)
    assert mass == pytest.approx(1.0, abs=1e-8)
    mean, _ = integrate.quad(lambda x: x * g.mp_density(x, gamma), lo, hi, limit=200)
    assert mean == pytest.approx(1.0, abs=1e-8)  # E λ = tr Ĉ / d = 1
    d = 400
    n = int(d / gamma)
    a = rng.standard_normal((n, d))
    ev = np.linalg.eigvalsh(g.sample_covariance(a))
    # compare the empirical CDF at quartiles of the theory law (finite-size tolerance 0.02)
    for qx in np.linspace(lo, hi, 7)[1:-1]:
        cdf, _ = integrate.quad(lambda x: g.mp_density(x, gamma), lo, qx, limit=200)
        assert np.mean(ev <= qx) == pytest.approx(cdf, abs=0.02)


def test_generation_recovers_covariance(rng):
    """Backward generation with the exact score regenerates N(0, C) (z-scores per eigenvalue,
    after removing the documented O(h) integrator bias with a fine grid)."""
    model = g.GaussianModel(np.array([0.25, 1.0, 4.0]))
    y = model.generate(40000, rng, T=12.0, t_min=1e-4, steps=800)
    var = y.var(axis=0, ddof=1)
    target = model.var_t(1e-4)
    se = target * math.sqrt(2 / (y.shape[0] - 1))
    assert np.all(np.abs(var - target) / se < 4), (var, target)


def test_bad_inputs():
    with pytest.raises(ValueError, match="n"):
        g.expected_kl(5, 10)
    with pytest.raises(ValueError, match="lams"):
        g.GaussianModel(np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="gamma"):
        g.mp_density(1.0, 1.5)


def test_tracy_widom_edge_offsets_predict_the_extreme_eigenvalues():
    """The derived finite-(d, n) offsets of E λ_max / E λ_min (gauss.marchenko_pastur's edge rows) against a
    large independent sample at the check's size (d = 200, n = 800; 300 matrices, seed 5, 7x the quick
    check's): |z| < 4 each, and the offsets are not negligible (> 5 stderr), so the test can fail. (At d = 60
    the O(d^{-2/3}) remainder of the TW centring, 0.1 TW units, is visible: 4 stderr with 3000 matrices.)"""
    import math

    import numpy as np

    from numerics.models.gauss.checks import tw_edge_offset

    rng = np.random.default_rng(5)
    d, n, reps = 200, 800, 300
    ext = np.empty((reps, 2))
    for r in range(reps):
        x = rng.standard_normal((n, d))
        ev = np.linalg.eigvalsh(x.T @ x / n)
        ext[r] = ev[-1], ev[0]
    g = d / n
    for j, (edge, mp_edge) in enumerate((("plus", (1 + math.sqrt(g)) ** 2), ("minus", (1 - math.sqrt(g)) ** 2))):
        se = ext[:, j].std(ddof=1) / math.sqrt(reps)
        off = tw_edge_offset(edge, d, n)
        assert abs(ext[:, j].mean() - (mp_edge + off)) < 4 * se, (edge, ext[:, j].mean(), mp_edge + off, se)
        assert abs(off) > 5 * se
