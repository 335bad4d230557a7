"""Speciation (spectrum + bootstrap) and collapse (f^e Monte Carlo, t_C) from data."""

import math

import numpy as np
import pytest
from scipy.special import logsumexp

from numerics.data import sources as data, times as DT
from numerics.models.gm.model import GaussianMixture


def _structured(rng, n=300, d=40):
    scales = np.linspace(3.0, 0.5, d)
    return data.preprocess(rng.standard_normal((n, d)) * scales).X


@pytest.mark.parametrize("method", ["dense", "gram", "lanczos"])
def test_solvers_agree_with_dense_eigh(rng, method):
    X = _structured(rng)
    ref = np.sort(np.linalg.eigvalsh(np.cov(X.T, bias=True)))[::-1][:5]
    w, V, used = DT.covariance_spectrum(X, 5, method)
    assert used == method
    np.testing.assert_allclose(w, ref, rtol=1e-9)
    C = X.T @ X / X.shape[0]
    np.testing.assert_allclose(C @ V[:, 0], w[0] * V[:, 0], rtol=1e-7, atol=1e-9)


def test_gram_path_when_n_small(rng):
    X = data.preprocess(rng.standard_normal((20, 300))).X
    w, _, used = DT.covariance_spectrum(X, 3, "gram")
    ref = np.sort(np.linalg.eigvalsh(X.T @ X / 20))[::-1][:3]
    np.testing.assert_allclose(w, ref, rtol=1e-9)


def test_bootstrap_is_exact_resampling_when_subspace_is_full(rng):
    X = _structured(rng, n=200, d=12)
    w, V, _ = DT.covariance_spectrum(X, 12, "dense")
    boot = DT.bootstrap_spectrum(X, V, 3, 25, np.random.default_rng(7))
    r2 = np.random.default_rng(7)
    for b in range(25):
        idx = r2.integers(0, 200, 200)
        Xb = X[idx]
        ref = np.sort(np.linalg.eigvalsh(np.cov(Xb.T, bias=True)))[::-1][:3]
        np.testing.assert_allclose(boot[b], ref, rtol=1e-9)


def test_bootstrap_error_matches_gaussian_theory(rng):
    """For Gaussian data with an isolated top eigenvalue, Var(λ̂) ≈ 2λ²/n."""
    n, d = 2000, 30
    scales = np.ones(d)
    scales[0] = 4.0
    X = rng.standard_normal((n, d)) * scales
    X -= X.mean(axis=0)
    out = DT.speciation(X, k=3, n_boot=400, rng=rng)
    expected = math.sqrt(2.0 / n) * out["Lambda"]
    assert abs(out["Lambda_err"] / expected - 1) < 0.2
    assert math.isclose(out["t_S_err"], out["Lambda_err"] / (2 * out["Lambda"]), rel_tol=0.1)


def test_gaussian_mixture_acceptance(rng):
    """Issue 6 acceptance: Λ = sample top eigenvalue (rel 1e-3); t_C within 0.25 of the closed form."""
    d, n, mu, sigma = 200, 4000, 1.0, 1.0
    raw = GaussianMixture(d, mu, sigma).sample(n, rng)
    ds = data.preprocess(raw)
    s = ds.preprocessing["unit_scale"]
    out = DT.dataset_times(ds.X, seed=3, n_boot=100, n_mc=600)
    sample_top = np.linalg.eigvalsh(np.cov(raw.T, bias=True))[-1] / s**2
    assert math.isclose(out["Lambda"], sample_top, rel_tol=1e-3)
    theory = GaussianMixture(d, mu / s, sigma / s)       # the same mixture in preprocessed units
    assert abs(out["t_S"] - theory.t_S) < 5 * out["t_S_err"] + 0.01
    assert abs(out["t_C"] - theory.t_C(n)) < 0.25
    assert 0 < out["t_C_err"] < 0.05
    assert math.isclose(out["alpha"], math.log(n) / d)


def test_excess_entropy_identity_per_sample(rng):
    """-ln w_μ = ln P^e_t(x) + ln n + (d/2) ln(2πΔ) + |z|²/2, hence f^e = α - [s^e - s_Δ] on average."""
    X = _structured(rng, n=50, d=6)
    n, d = X.shape
    ts = np.array([0.05, 0.3, 1.0, 3.0])
    idx = rng.integers(0, n, 40)
    z = rng.standard_normal((40, d))
    L, part = DT.excess_entropy_samples(X, ts, 40, rng, source_idx=idx, z=z, participation=True)
    for j, t in enumerate(ts):
        c, delta = math.exp(-t), -math.expm1(-2 * t)
        x = c * X[idx] + math.sqrt(delta) * z
        e = -((x[:, None, :] - c * X[None, :, :]) ** 2).sum(-1) / (2 * delta)
        lnP = logsumexp(e, axis=1) - math.log(n) - 0.5 * d * math.log(2 * math.pi * delta)
        ref = lnP + math.log(n) + 0.5 * d * math.log(2 * math.pi * delta) + 0.5 * (z * z).sum(1)
        np.testing.assert_allclose(L[:, j] * d, ref, rtol=2e-5, atol=2e-5)   # float32 inner loop
        w = np.exp(e - logsumexp(e, axis=1, keepdims=True))
        np.testing.assert_allclose(part[:, j], (w * w).sum(1), rtol=1e-5)
    assert np.all(L >= 0)


def test_excess_entropy_limits(rng):
    X = _structured(rng, n=200, d=20)
    n, d = X.shape
    cur = DT.excess_entropy_curve(X, np.array([0.01, 8.0]), 300, rng)
    assert cur["f"][0] < 1e-6                          # collapsed: w_μ = 1
    assert abs(cur["f"][1] - math.log(n) / d) < 1e-3   # t → ∞: all weights 1/n


def test_collapse_estimator_exact_on_model_curve():
    """On a noiseless isotropic-Gaussian curve the estimator returns the closed form."""
    alpha, c = 0.05, 0.7
    ts = np.geomspace(0.05, 5, 80)
    f = np.maximum(0.0, alpha - 0.5 * np.log1p(c / np.expm1(2 * ts)))
    samples = np.tile(f, (4, 1)) + 1e-9 * np.arange(4)[:, None]
    out = DT.collapse_time(ts, samples, alpha, n_boot=20)
    assert math.isclose(out["t_C"], 0.5 * math.log1p(c / math.expm1(2 * alpha)), rel_tol=1e-6)


def test_digits_times_ordered():
    ds = data.load("digits", builtin=True, classes=[0, 1])
    out = DT.dataset_times(ds.X, seed=1, n_boot=100, n_mc=800)
    assert 0 < out["t_C"] < out["t_S"]
    assert out["t_C_err"] > 0 and out["t_S_err"] > 0
    assert out["eigenvalues"][0] == out["Lambda"] and out["eigenvalues"][1] < out["Lambda"]


def test_fe_agrees_with_engine_estimator(rng):
    """Same f^e(t) as numerics.engine.entropy.excess_entropy_mc (independent samples, z-test)."""
    from numerics.engine.entropy import excess_entropy_mc

    X = data.load("digits", builtin=True, classes=[3, 8]).X
    ts = np.array([0.3, 0.6, 1.0, 2.0])
    mine = DT.excess_entropy_curve(X, ts, 1500, rng)
    eng = excess_entropy_mc(X, ts, samples=3000, seed=5)
    z = (mine["f"] - eng.f) / np.hypot(mine["f_err"], eng.stderr)
    assert np.all(np.abs(z) < 4), z
