"""Integrators of the backward SDE: convergence order on the Gaussian model (exact discrete
variance recursion, no sampling noise), Monte Carlo agreement, grids."""

import math

import numpy as np
import pytest

from numerics.engine import sde
from numerics.models.gauss.model import GaussianModel


def _variance_after(lam: float, grid: np.ndarray, method: str) -> float:
    """Exact variance of y at grid[-1] for the scalar linear dynamics with the exact score
    S = -y/(e^{-2t}λ + Δ_t), started from the exact variance at grid[0]."""
    v = math.exp(-2 * grid[0]) * lam - math.expm1(-2 * grid[0])
    for t, tn in zip(grid[:-1], grid[1:]):
        h = t - tn
        k = 1.0 / (math.exp(-2 * t) * lam - math.expm1(-2 * t))
        if method == "exponential":
            a, q = math.exp(h) - 2 * math.expm1(h) * k, math.expm1(2 * h)
        else:
            a, q = 1 + h * (1 - 2 * k), 2 * h
        v = a * a * v + q
    return v


@pytest.mark.parametrize("method", sde.METHODS)
@pytest.mark.parametrize("lam", [0.3, 4.0])
def test_weak_order_one(method, lam):
    T, t_min = 3.0, 0.05
    exact = math.exp(-2 * t_min) * lam - math.expm1(-2 * t_min)
    errs = [abs(_variance_after(lam, sde.time_grid(T, t_min, n, "uniform"), method) - exact) for n in (100, 200, 400, 800)]
    ratios = [errs[i] / errs[i + 1] for i in range(3)]
    for r in ratios:
        assert 1.8 < r < 2.2, (errs, ratios)
    assert errs[-1] < 0.02 * exact


def test_exponential_exact_for_linear_part(rng):
    """S = 0: the exponential step integrates dy = y dτ + sqrt(2) dW exactly, so any grid gives the
    same law: y(t) ~ e^{T-t} y_0 + N(0, e^{2(T-t)} - 1). Checked on a 2-step vs 7-step grid by
    propagating the (mean, variance) pair through backward_step with zero / unit noise."""
    zero = lambda y, t: np.zeros_like(y)  # noqa: E731
    for steps, kind in [(2, "uniform"), (7, "geometric")]:
        g = sde.time_grid(3.0, 0.5, steps, kind)
        m, v = np.array([1.3]), 0.0
        for t, tn in zip(g[:-1], g[1:]):
            m = sde.backward_step(m, t, tn, zero, np.zeros(1))
            v = math.exp(2 * (t - tn)) * v + math.expm1(2 * (t - tn))
        assert m[0] == pytest.approx(1.3 * math.exp(2.5), rel=1e-13)
        assert v == pytest.approx(math.expm1(5.0), rel=1e-13)


@pytest.mark.parametrize("method", sde.METHODS)
def test_integrate_backward_matches_variance_recursion(rng, method):
    lams = np.array([0.2, 1.0, 5.0])
    model = GaussianModel(lams)
    grid = sde.time_grid(4.0, 1e-2, 60, "mixed")
    n = 20000
    y0 = rng.standard_normal((n, 3)) * np.sqrt(model.var_t(4.0))
    y = sde.integrate_backward(model.score, y0, grid, rng, method)
    for i, lam in enumerate(lams):
        v_th = _variance_after(lam, grid, method)
        se = v_th * math.sqrt(2.0 / n)
        assert abs(np.var(y[:, i]) - v_th) < 4.5 * se


def test_grids_and_merge():
    for kind in sde.GRIDS:
        g = sde.time_grid(6.0, 1e-4, 50, kind)
        assert g[0] == 6.0 and g[-1] == pytest.approx(1e-4) and len(g) == 51
        assert np.all(np.diff(g) < 0)
    g = sde.time_grid(6.0, 1e-3, 10, "mixed")
    new, idx = sde.merge_times(g, [2.5, 6.0, 2.5, 1e-3])
    assert np.all(np.diff(new) < 0)
    assert new[idx].tolist() == [2.5, 6.0, 2.5, 1e-3]
    with pytest.raises(ValueError, match="times must lie"):
        sde.merge_times(g, [7.0])
    with pytest.raises(ValueError, match="grid kind"):
        sde.time_grid(1.0, 0.1, 3, "cosine")
