"""Gaussian-mixture theory: every closed form against an independent route (mpmath
quadrature of the defining integral, a limiting case, a second derivation) and Monte Carlo."""

import math

import mpmath as mp
import numpy as np
import pytest

from numerics import universal
from numerics.models.gm.model import GaussianMixture

AWKWARD_MODELS = [
    GaussianMixture(1000, 1.0, 1.0, 0.5),
    GaussianMixture(1e6, 0.3, 0.7, 0.01),
    GaussianMixture(50, 0.8, 2.0, 0.77),
    GaussianMixture(256, 1.0, 1.0, 0.99),
]


def _mp_logp(model, q, t):
    """ln P_t(q) of the 1-D projected law from the raw mixture, at high precision."""
    with mp.workdps(max(50, mp.mp.dps)):  # never lower the caller's precision (mp.diff raises it)
        t = mp.mpf(t)
        G = 1 - mp.exp(-2 * t) + model.sigma**2 * mp.exp(-2 * t)
        c = mp.exp(-t) * mp.sqrt(model.d) * model.mu
        p = mp.mpf(model.p_plus)
        return mp.log(p * mp.npdf(q, c, mp.sqrt(G)) + (1 - p) * mp.npdf(q, -c, mp.sqrt(G)))


@pytest.mark.parametrize("model", AWKWARD_MODELS)
@pytest.mark.parametrize("t", [1e-6, 0.5, 3.0, 20.0])
def test_log_density_and_score_vs_mpmath(model, t):
    for q in [-2.0, 0.0, 0.7, math.exp(-t) * model.m_norm]:
        ref = _mp_logp(model, q, t)
        from numerics.generated import gm as G

        got = G.log_density_q(q, t, model.d, model.mu, model.sigma, model.p_plus)
        assert float(got) == pytest.approx(float(ref), rel=1e-10, abs=1e-10)
        with mp.workdps(50):
            dref = mp.diff(lambda qq: _mp_logp(model, qq, t), q)
        assert float(model.score_q(q, t)) == pytest.approx(float(dref), rel=1e-9, abs=1e-9)


def test_full_score_matches_projection(rng):
    m = GaussianMixture(20, 0.8, 0.6, 0.3)
    x = rng.standard_normal((5, 20))
    t = 0.4
    s = m.score(x, t)
    # independent route: finite-difference gradient of the full d-dimensional log-density
    def logp(y):
        G = m.Gamma(t)
        c = math.exp(-t) * m.m_norm
        mplus = np.zeros(20); mplus[0] = c
        lp = -np.sum((y - mplus) ** 2) / (2 * G)
        lm = -np.sum((y + mplus) ** 2) / (2 * G)
        return np.logaddexp(math.log(m.p_plus) + lp, math.log(1 - m.p_plus) + lm)
    h = 1e-6
    for i in range(5):
        g = np.array([(logp(x[i] + h * e) - logp(x[i] - h * e)) / (2 * h) for e in np.eye(20)])
        np.testing.assert_allclose(s[i], g, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("model", AWKWARD_MODELS)
def test_lambda_is_top_eigenvalue(model):
    d = 30
    small = GaussianMixture(d, model.mu, model.sigma, model.p_plus)
    m = np.zeros(d); m[3] = small.m_norm
    mean = (2 * small.p_plus - 1) * m
    cov = small.sigma**2 * np.eye(d) + np.outer(m, m) - np.outer(mean, mean)
    assert np.linalg.eigvalsh(cov)[-1] == pytest.approx(small.Lambda, rel=1e-12)
    assert small.t_S == pytest.approx(0.5 * math.log(small.Lambda), rel=1e-14)


def _mp_curvature(model, t, which):
    with mp.workdps(40):
        f = lambda q: _mp_logp(model, q, t)  # noqa: E731
        c = mp.diff(f, 0, 2)
        return c if which == "logp" else -1 - 2 * c


@pytest.mark.parametrize("model", [GaussianMixture(100, 1.0, 1.0), GaussianMixture(1000, 0.5, 0.7, 0.2),
                                   GaussianMixture(1e6, 1.0, 1.3, 0.5), GaussianMixture(40, 1.0, 1.0 + 1e-9, 0.6)])
@pytest.mark.parametrize("which", ["logp", "V"])
def test_curvature_times_change_sign_there(model, which):
    t0 = model.t_curv_logp if which == "logp" else model.t_curv_V
    assert math.isfinite(t0)
    before = _mp_curvature(model, t0 - 1e-4, which)
    after = _mp_curvature(model, t0 + 1e-4, which)
    at = _mp_curvature(model, t0, which)
    if which == "logp":  # ln P is double-well (positive curvature at 0) before, single-well after
        assert before > 0 > after
    else:  # V: negative curvature (double well) at small t
        assert before < 0 < after
    assert abs(float(at)) < 1e-6 * max(abs(float(before)), 1e-12) * 1e4


def test_curvature_times_large_d_limit():
    """Both exact times scale like t_S = ½ ln Λ; the derivation shows t_V - t_S -> ½ ln 2 while
    t_{ln P} - t_S -> 0 (THEORY §2's 'common limit' holds for t/t_S, not for the difference)."""
    for d in [1e4, 1e6, 1e8]:
        m = GaussianMixture(d, 1.0, 1.0)
        assert m.t_curv_logp - m.t_S == pytest.approx(0.0, abs=2.0 / d)
        assert m.t_curv_V - m.t_S == pytest.approx(0.5 * math.log(2), abs=2.0 / d)
        assert m.t_curv_V / m.t_S == pytest.approx(1.0, abs=0.5 * math.log(2) / m.t_S + 1e-12)


@pytest.mark.parametrize("p", [0.5, 0.3, 0.01, 0.999])
@pytest.mark.parametrize("kappa", [1e-9, 1e-3, 0.2, 1.0, 2.7, 9.0, 60.0, 1e4, 1e7])
def test_phi_fast_vs_mpmath(kappa, p):
    assert float(universal.phi(kappa, p)) == pytest.approx(float(universal.phi_mpmath(kappa, p)), abs=1e-10)


def test_phi_at_kappa_one_and_nishimori():
    assert round(float(universal.phi(1.0)), 10) == 0.7752002454
    assert float(universal.phi_mpmath(1.0, 0.5, dps=40)) == pytest.approx(0.77520024539666, abs=1e-13)
    for k in [0.3, 1.0, 4.0]:
        with mp.workdps(30):
            e_tanh = mp.quad(lambda z: mp.npdf(z) * mp.tanh(k + mp.sqrt(k) * z), [-mp.inf, -mp.sqrt(k), mp.inf])
            e_tanh2 = mp.quad(lambda z: mp.npdf(z) * mp.tanh(k + mp.sqrt(k) * z) ** 2, [-mp.inf, -mp.sqrt(k), mp.inf])
        assert float(e_tanh - e_tanh2) == pytest.approx(0, abs=1e-20)
        assert float(universal.phi(k)) == pytest.approx(float(0.5 + 0.5 * e_tanh), abs=1e-12)


def test_phi_limits():
    for p in [0.5, 0.2, 0.01]:
        assert float(universal.phi(0.0, p)) == pytest.approx(p**2 + (1 - p) ** 2, abs=1e-14)
        assert float(universal.phi(1e8, p)) == 1.0
    ks = np.geomspace(1e-6, 1e4, 200)
    ph = universal.phi(ks)
    assert np.all(np.diff(ph) >= -1e-15) and np.all(np.isfinite(ph))


def test_phi_t_sharpens_into_step_as_d_grows():
    """At t = t_S κ -> 1 and φ -> 0.7752; vs t/t_S the curve sharpens into a step."""
    vals = []
    for d in [256, 4096, 1e6]:
        m = GaussianMixture(d, 1.0, 1.0)
        assert float(m.phi(m.t_S)) == pytest.approx(0.7752002454, abs=2.0 / d)
        vals.append(float(m.phi(0.9 * m.t_S)) - float(m.phi(1.1 * m.t_S)))
    assert vals[0] < vals[1] < vals[2]


@pytest.mark.parametrize("p", [0.5, 0.3, 0.01])
@pytest.mark.parametrize("kappa", [1e-9, 0.1, 1.0, 3.0, 30.0, 1e4, 1e7])
def test_entropy_gap_vs_mpmath_and_bounds(kappa, p):
    got = float(universal.entropy_gap(kappa, p))
    ref = float(universal.entropy_gap_mpmath(kappa, p))
    assert got == pytest.approx(ref, rel=1e-10, abs=1e-14)
    hp = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    assert -1e-15 <= got <= hp + 1e-12


@pytest.mark.parametrize("model", [GaussianMixture(10, 0.8, 0.9, 0.3), GaussianMixture(200, 1.0, 1.0, 0.5)])
@pytest.mark.parametrize("t", [0.05, 1.0, 4.0])
def test_excess_entropy_vs_direct_entropy_integral(model, t):
    """f(t) against s(t) from -∫ P ln P of the 1-D law (mpmath) plus (d-1) Gaussian directions."""
    n = 5000
    with mp.workdps(30):
        c = mp.exp(-t) * model.m_norm
        G = 1 - mp.exp(-2 * mp.mpf(t)) + model.sigma**2 * mp.exp(-2 * mp.mpf(t))
        ent = lambda q: -mp.exp(_mp_logp(model, q, t)) * _mp_logp(model, q, t)  # noqa: E731
        sg = mp.sqrt(G)
        h1 = mp.quad(ent, [-c - 40 * sg, -c, 0, c, c + 40 * sg])
        s = ((model.d - 1) * mp.log(2 * mp.pi * mp.e * G) / 2 + h1) / model.d
        s_delta = mp.log(2 * mp.pi * mp.e * (1 - mp.exp(-2 * mp.mpf(t)))) / 2
        f_ref = mp.log(n) / model.d - (s - s_delta)
    assert float(model.excess_entropy(t, n)) == pytest.approx(float(f_ref), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("n,d,sigma", [(20000, 256, 1.0), (1e5, 1e6, 1.0), (2, 1, 0.05), (1e9, 20, 3.0), (50, 1000, 1e-3)])
def test_collapse_time_closed_form(n, d, sigma):
    m = GaussianMixture(d, 1.0, sigma)
    tc = m.t_C(n)
    with mp.workdps(60):
        ref = mp.log(1 + mp.mpf(sigma) ** 2 / (mp.power(n, mp.mpf(2) / d) - 1)) / 2
    assert tc == pytest.approx(float(ref), rel=1e-10)
    # second route: the root of the leading-order excess entropy
    from scipy.optimize import brentq

    from numerics.generated import gm as G

    a = math.log(n) / d
    root = brentq(lambda t: G.f_leading(t, a, sigma), tc / 10, tc * 10 + 1, xtol=1e-15, rtol=1e-14)
    assert root == pytest.approx(tc, rel=1e-9)


def test_n_required_inverts_collapse_time():
    for d, sigma, eps in [(10, 1.0, 0.1), (100, 2.0, 0.01), (1000, 0.5, 1.0)]:
        m = GaussianMixture(d, 1.0, sigma)
        ln_n = m.log_n_required(eps)
        a = ln_n / d
        from numerics.generated import gm as G

        assert float(G.t_C_alpha(a, sigma)) == pytest.approx(eps, rel=1e-10)
        # small-eps asymptote n ≳ (σ²/2ε)^{d/2}
    m = GaussianMixture(100, 1.0, 1.0)
    assert m.log_n_required(1e-4) / (50 * math.log(1 / 2e-4)) == pytest.approx(1.0, rel=1e-3)


def test_phi_monte_carlo_z_score(rng):
    """φ(t) = E Σ_c P(c|x)² estimated by sampling P_t (stated tolerance: |z| < 4)."""
    m = GaussianMixture(64, 1.0, 1.0, 0.3)
    for t in [0.5 * m.t_S, m.t_S, 1.5 * m.t_S]:
        x = m.sample_t(40000, t, rng)
        post = m.posterior_plus(x[:, 0], t)
        agree = post**2 + (1 - post) ** 2
        z = (agree.mean() - float(m.phi(t))) / (agree.std(ddof=1) / math.sqrt(agree.size))
        assert abs(z) < 4


def test_bad_parameters_raise_value_error_naming_parameter():
    with pytest.raises(ValueError, match="d"):
        GaussianMixture(0, 1, 1)
    with pytest.raises(ValueError, match="sigma"):
        GaussianMixture(10, 1, -1)
    with pytest.raises(ValueError, match="p_plus"):
        GaussianMixture(10, 1, 1, 1.0)
    with pytest.raises(ValueError, match="n"):
        GaussianMixture(10, 1, 1).t_C(0.5)
    with pytest.raises(ValueError, match="t"):
        GaussianMixture(10, 1, 1).phi(0.0)
    with pytest.raises(ValueError, match="mu"):
        GaussianMixture(10, "abc", 1)


def test_no_nan_at_extreme_times():
    for m in AWKWARD_MODELS:
        ts = np.array([1e-6, 1e-3, 1.0, 20.0])
        for arr in (m.kappa(ts), m.phi(ts), m.excess_entropy(ts, 1000), m.Gamma(ts)):
            assert np.all(np.isfinite(arr))
