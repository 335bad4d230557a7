"""Empirical score: fast chunked-GEMM engine vs the naive reference, chunking invariance,
precision, nearest-point bookkeeping, stability at small t."""

import math

import numpy as np
import pytest

from numerics.models.gm.model import GaussianMixture
from numerics.engine.empirical import (EmpiricalScore, empirical_log_density, empirical_log_density_naive,
                             empirical_score, empirical_score_naive)


@pytest.fixture
def data(rng):
    train = rng.standard_normal((257, 19)) * 1.5
    x = rng.standard_normal((41, 19))
    return train, x


@pytest.mark.parametrize("t", [1e-4, 1e-2, 0.3, 1.0, 4.0, 30.0])
def test_float64_matches_naive(data, t):
    train, x = data
    ref, wref = empirical_score_naive(x, t, train, return_weights=True)
    for n_chunk, batch_chunk in [(None, None), (1, 7), (50, 1), (256, 40), (257, 41)]:
        es = EmpiricalScore(train, dtype=np.float64, n_chunk=n_chunk, batch_chunk=batch_chunk)
        got = es(x, t)
        assert np.max(np.abs(got - ref)) <= 1e-10 * max(1.0, np.max(np.abs(ref)))
    s, w = empirical_score(x, t, train, return_weights=True)
    np.testing.assert_allclose(w, wref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(empirical_log_density(x, t, train, n_chunk=13),
                               empirical_log_density_naive(x, t, train), rtol=1e-12, atol=1e-9)


def test_points_near_training_points_small_t(data, rng):
    """x sitting on noisy training points at small t: the worst cancellation case."""
    train, _ = data
    t = 1e-3
    c, delta = math.exp(-t), -math.expm1(-2 * t)
    x = c * train[:30] + math.sqrt(delta) * rng.standard_normal((30, train.shape[1]))
    ref = empirical_score_naive(x, t, train)
    got = EmpiricalScore(train, dtype=np.float64, n_chunk=64)(x, t)
    assert np.max(np.abs(got - ref)) <= 1e-10 * np.max(np.abs(ref))


def test_chunked_identical_to_unchunked(data):
    """Chunking over the batch or over n changes only the floating-point summation order (BLAS
    blocking, online log-sum-exp): agreement to ~1e-13; the same configuration is bit-for-bit."""
    train, x = data
    full = EmpiricalScore(train, dtype=np.float64, n_chunk=train.shape[0], batch_chunk=x.shape[0]).evaluate(x, 0.5)
    byb = EmpiricalScore(train, dtype=np.float64, n_chunk=train.shape[0], batch_chunk=5).evaluate(x, 0.5)
    np.testing.assert_allclose(byb.score, full.score, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(full.nearest, byb.nearest)
    again = EmpiricalScore(train, dtype=np.float64, n_chunk=train.shape[0], batch_chunk=5).evaluate(x, 0.5)
    np.testing.assert_array_equal(again.score, byb.score)
    byn = EmpiricalScore(train, dtype=np.float64, n_chunk=16, batch_chunk=5).evaluate(x, 0.5)
    np.testing.assert_allclose(byn.score, full.score, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(byn.log_density, full.log_density, rtol=1e-14)
    np.testing.assert_array_equal(byn.nearest, full.nearest)
    np.testing.assert_allclose(byn.dist_ratio, full.dist_ratio, rtol=1e-12)


@pytest.mark.parametrize("t", [0.05, 0.5, 3.0])
def test_float32_close_to_float64(rng, t):
    train = rng.standard_normal((3000, 64))
    x = GaussianMixture(64, 0.0, 1.0).sample_t(200, t, rng)
    ref = EmpiricalScore(train, dtype=np.float64)(x, t)
    got = EmpiricalScore(train, dtype=np.float32, n_chunk=700)(x.astype(np.float32), t)
    assert got.dtype == np.float32
    scale = np.sqrt(np.mean(ref**2))
    assert np.sqrt(np.mean((got - ref) ** 2)) < 1e-3 * scale


def test_nearest_and_distance_ratio_vs_brute_force(data):
    train, x = data
    t = 0.7
    res = EmpiricalScore(train, dtype=np.float64, n_chunk=30).evaluate(x, t)
    dist = np.linalg.norm(x[:, None, :] - math.exp(-t) * train[None], axis=-1)
    order = np.argsort(dist, axis=1)
    np.testing.assert_array_equal(res.nearest, order[:, 0])
    ratio = dist[np.arange(len(x)), order[:, 0]] / dist[np.arange(len(x)), order[:, 1]]
    np.testing.assert_allclose(res.dist_ratio, ratio, rtol=1e-9)
    res32 = EmpiricalScore(train, dtype=np.float32, n_chunk=30).evaluate(x.astype(np.float32), t)
    np.testing.assert_array_equal(res32.nearest, order[:, 0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_nan_at_small_t(rng, dtype):
    d, n = 512, 2000
    model = GaussianMixture(d, 1.0, 1.0)
    train = model.sample(n, rng)
    es = EmpiricalScore(train, dtype=dtype)
    t = 1e-4
    on_points = es.sample_t(100, t, rng)
    far = 30.0 * rng.standard_normal((100, d))
    for x in (on_points, far):
        res = es.evaluate(x.astype(dtype), t)
        assert np.all(np.isfinite(res.score)) and np.all(np.isfinite(res.log_density))
        assert np.all(np.isfinite(res.dist_ratio))
    # on-point samples: the score points back toward their own training point
    res = es.evaluate(on_points.astype(dtype), t)
    assert np.all((res.dist_ratio < 1.0))


def test_single_training_point_is_gaussian_score(rng):
    a = rng.standard_normal((1, 7))
    x = rng.standard_normal((5, 7))
    t = 0.4
    c, delta = math.exp(-t), -math.expm1(-2 * t)
    np.testing.assert_allclose(EmpiricalScore(a, dtype=np.float64)(x, t), (c * a - x) / delta, rtol=1e-13)


def test_bad_input():
    with pytest.raises(ValueError, match="train"):
        EmpiricalScore(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="train"):
        EmpiricalScore(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="dtype"):
        EmpiricalScore(np.zeros((2, 3)), dtype=np.int32)
    es = EmpiricalScore(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="x must have shape"):
        es(np.zeros((4, 2)), 1.0)
    with pytest.raises(ValueError, match="t"):
        es(np.zeros((4, 3)), 0.0)
    with pytest.raises(ValueError, match="n_chunk"):
        EmpiricalScore(np.zeros((2, 3)), n_chunk=0)


def test_streamed_training_set_equals_in_memory(tmp_path, rng):
    """A training set streamed from a .npy in chunks (nothing cached) gives the in-memory numbers."""
    from numerics.data import stores
    from numerics.data.stream import prepare

    train = rng.standard_normal((700, 13)) * 2.0 + 1.0
    np.save(tmp_path / "t.npy", train)
    ds = prepare(stores.open_store(tmp_path / "t.npy"), scale="none", memory_budget=1 << 20, cache=False)
    assert ds.cache is None and ds.rows < 700
    ref_train = ds.to_units(ds.materialize())          # the same centred rows, in memory
    ds.cache = None
    x = rng.standard_normal((37, 13))
    for dtype in (np.float64, np.float32):
        a = EmpiricalScore(ref_train, dtype=dtype, n_chunk=128).evaluate(x.astype(dtype), 0.4)
        b = EmpiricalScore(ds, dtype=dtype, n_chunk=128).evaluate(x.astype(dtype), 0.4)
        np.testing.assert_array_equal(b.score, a.score)
        np.testing.assert_array_equal(b.log_density, a.log_density)
        np.testing.assert_array_equal(b.nearest, a.nearest)
    es = EmpiricalScore(ds, dtype=np.float64)
    xs, idx = es.sample_t(9, 0.2, np.random.default_rng(1), return_index=True)
    xr, idr = EmpiricalScore(ref_train, dtype=np.float64).sample_t(9, 0.2, np.random.default_rng(1), return_index=True)
    np.testing.assert_array_equal(idx, idr)
    np.testing.assert_allclose(xs, xr, rtol=1e-15)
    np.testing.assert_allclose(es.train[idx], ref_train[idx], rtol=1e-15)
