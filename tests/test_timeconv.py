"""Time conventions: OU t ↔ DDPM step ↔ EDM σ (numerics.timeconv)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numerics import timeconv as tc


def test_linear_schedule_matches_definition():
    ab = tc.alpha_bar("linear")
    betas = np.linspace(1e-4, 0.02, 1000)
    assert ab.shape == (1001,) and ab[0] == 1.0
    np.testing.assert_allclose(ab[1:], np.cumprod(1 - betas), rtol=1e-12)
    # the last step of the standard schedule: ᾱ_1000 ≈ 4.04e-5, t ≈ 5.06
    assert math.isclose(tc.time_from_step(1000), -0.5 * math.log(np.prod(1 - betas)), rel_tol=1e-12)
    assert 5.0 < tc.time_from_step(1000) < 5.1


def test_cosine_schedule_matches_definition():
    K, s = 1000, 0.008
    f = lambda k: np.cos((k / K + s) / (1 + s) * np.pi / 2) ** 2  # noqa: E731
    ab = tc.alpha_bar("cosine")
    k = np.arange(1, 900)
    np.testing.assert_allclose(ab[k], f(k) / f(0), rtol=1e-10)  # no β clipping below k≈990
    assert np.all(np.diff(ab) < 0)


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
def test_step_time_round_trip(schedule):
    k = np.array([0, 1, 7, 250, 500.5, 999, 1000])
    t = tc.time_from_step(k, schedule)
    assert np.all(np.diff(t) > 0)
    np.testing.assert_allclose(tc.step_from_time(t, schedule), k, atol=1e-9)
    assert tc.step_from_time(tc.time_from_step(321, schedule), schedule, integer=True) == 321
    # t = -½ ln ᾱ_k exactly at integer steps
    ab = tc.alpha_bar(schedule)
    np.testing.assert_allclose(tc.time_from_step(np.arange(1001), schedule), -0.5 * np.log(ab), rtol=1e-13)


def test_edm_sigma_closed_forms():
    t = np.array([1e-8, 1e-3, 0.5, 1.0, 3.0, 10.0])
    sig = tc.edm_sigma_from_time(t)
    delta = 1 - np.exp(-2 * t)
    np.testing.assert_allclose(sig, np.sqrt(delta) / np.exp(-t), rtol=1e-7)
    np.testing.assert_allclose(tc.time_from_edm_sigma(sig), t, rtol=1e-12)
    assert math.isclose(tc.edm_sigma_from_time(1e-8), math.sqrt(2e-8), rel_tol=1e-7)  # expm1: no cancellation


@settings(deadline=None, max_examples=60)
@given(st.floats(min_value=1e-6, max_value=5.0))
def test_round_trips_hypothesis(t):
    assert math.isclose(tc.time_from_edm_sigma(tc.edm_sigma_from_time(t)), t, rel_tol=1e-10)
    assert math.isclose(float(tc.time_from_alpha_bar(tc.alpha_bar_from_time(t))), t, rel_tol=1e-10)
    tmax = tc.time_from_step(1000, "linear")
    if t <= tmax:
        k = tc.step_from_time(t, "linear")
        assert math.isclose(tc.time_from_step(k, "linear"), t, rel_tol=1e-9, abs_tol=1e-12)


def test_convert_times_and_errors():
    out = tc.convert_times(1.0)
    assert math.isclose(out["alpha_bar"], math.exp(-2))
    assert math.isclose(out["edm_sigma"], math.sqrt(math.exp(2) - 1))
    assert 0 < out["ddpm_linear_step"] < 1000 and 0 < out["ddpm_cosine_step"] < 1000
    assert tc.convert_times(20.0)["ddpm_linear_step"] is None  # beyond the schedule
    with pytest.raises(ValueError):
        tc.step_from_time(20.0)
    with pytest.raises(ValueError):
        tc.time_from_step(-1)
    with pytest.raises(ValueError):
        tc.alpha_bar("sigmoid")
    with pytest.raises(ValueError):
        tc.edm_sigma_from_time(float("nan"))
