"""General Gaussian mixtures (THEORY §6): every closed form against an independent route (dense
d-dimensional matrices, Brent roots of the generated κ, mpmath quadrature of the registered integrals,
the two-class model gm, a limit) and Monte Carlo with stated tolerances (seeded z-tests)."""

from __future__ import annotations

import json
import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq
from scipy.stats import multivariate_normal

from numerics import universal
from numerics.engine.posterior import posterior_mc
from numerics.generated import gm as GG
from numerics.generated import mixture as G
from numerics.models.gm.model import GaussianMixture
from numerics.models.mixture import collapse as C
from numerics.models.mixture import phi as Q
from numerics.models.mixture.checks import covariance_mixture, hierarchy_mixture, kl_pairs, low_rank_mixture
from numerics.models.mixture.model import Mixture
from numerics.models.mixture.spec import Cov, load_spec, parse_spec

Z_MAX = 4.0  # |z| bound of the seeded Monte Carlo tests (two-sided p ≈ 6e-5 each)


def _gm_spec(d: int, p: float = 0.5, mu: float = 1.0, sigma: float = 1.0) -> dict:
    m = [0.0] * d
    m[0] = mu * math.sqrt(d)
    return {"weights": [p, 1 - p], "means": [m, [-v for v in m]], "covariances": [sigma**2, sigma**2]}


def _write(tmp_path, obj, name="spec.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return str(path)


def _random_spd(rng, d, scale=1.0, ridge=0.1):
    A = rng.standard_normal((d, d)) / math.sqrt(d)
    return scale * A @ A.T + ridge * np.eye(d)


def _dense_gamma(model: Mixture, c: int, t: float) -> np.ndarray:
    return -math.expm1(-2 * t) * np.eye(model.d) + math.exp(-2 * t) * model.covs[c].dense()


def _dense_kl(model: Mixture, a: int, b: int, t: float) -> float:
    """½[tr(Γ_b⁻¹Γ_a) − d + δᵀΓ_b⁻¹δ + ln det Γ_b − ln det Γ_a] with explicit d × d matrices."""
    Ga, Gb = _dense_gamma(model, a, t), _dense_gamma(model, b, t)
    dl = math.exp(-t) * (model.means[a] - model.means[b])
    return 0.5 * (np.trace(np.linalg.solve(Gb, Ga)) - model.d + dl @ np.linalg.solve(Gb, dl)
                  + np.linalg.slogdet(Gb)[1] - np.linalg.slogdet(Ga)[1])


def _dense_kappa(model, a, b, t):
    return 0.25 * (_dense_kl(model, a, b, t) + _dense_kl(model, b, a, t))


def _zoo(rng) -> list[Mixture]:
    """Small mixtures of every covariance kind (dense references are cheap)."""
    d = 12
    U, _ = np.linalg.qr(rng.standard_normal((d, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((d, 2)))
    return [
        Mixture([0.3, 0.7], rng.standard_normal((2, d)), [1.0, 1.0]),
        Mixture([0.5, 0.5], np.zeros((2, d)), [1.3, 0.7]),
        Mixture([0.2, 0.3, 0.5], rng.standard_normal((3, d)), [0.5, 2.0, 1.0]),
        Mixture([0.4, 0.6], rng.standard_normal((2, d)), [rng.uniform(0.2, 2, d), rng.uniform(0.2, 2, d)]),
        Mixture([0.5, 0.5], rng.standard_normal((2, d)), [Cov.low_rank(U, [2.0, 1.0, 0.5]), Cov.low_rank(V, [3.0, 1.5], 0.4)]),
        Mixture([0.5, 0.5], rng.standard_normal((2, d)), [_random_spd(rng, d), _random_spd(rng, d, 2.0, 0.0)]),
        Mixture([0.6, 0.4], rng.standard_normal((2, d)), [Cov.low_rank(U, [2.0, 1.0, 0.5]), 0.8]),
    ]


# ---------------------------------------------------------------------------------------- SPEC
def test_spec_json_and_npz_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    d = 5
    C = _random_spd(rng, d)
    spec = {"weights": [0.2, 0.3, 0.5], "means": rng.standard_normal((3, d)).tolist(),
            "covariances": [1.5, list(rng.uniform(0.5, 2, d)), C.tolist()], "groups": [["x", "x", "y"]]}
    a = load_spec(_write(tmp_path, spec))
    np.savez(tmp_path / "s.npz", weights=spec["weights"], means=spec["means"], covariance_0=1.5,
             covariance_1=spec["covariances"][1], covariance_2=C, groups=np.array([["x", "x", "y"]]))
    b = load_spec(tmp_path / "s.npz")
    assert [c.kind for c in a.covariances] == ["iso", "diag", "eig"] == [c.kind for c in b.covariances]
    for ca, cb in zip(a.covariances, b.covariances):
        np.testing.assert_allclose(ca.dense(), cb.dense(), atol=1e-12)
    np.testing.assert_allclose(a.covariances[2].dense(), C, atol=1e-12)
    assert a.groups == b.groups == [["x", "x", "y"]]


@pytest.mark.parametrize("mutate,field", [
    (lambda s: s.update(weights=[0.5, 0.6]), "weights"),
    (lambda s: s.update(weights=[1.2, -0.2]), "weights"),
    (lambda s: s.update(means=s["means"][:1]), "means"),
    (lambda s: s["means"].__setitem__(1, s["means"][1][:-1]), "means"),
    (lambda s: s.update(covariances=[1.0]), "covariances"),
    (lambda s: s["covariances"].__setitem__(0, [1.0] * 3), "covariances[0]"),
    (lambda s: s["covariances"].__setitem__(0, -1.0), "covariances[0]"),
    (lambda s: s["covariances"].__setitem__(1, [[1.0, 0.5, 0, 0], [0.4, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), "covariances[1]"),
    (lambda s: s["covariances"].__setitem__(1, [[1.0, 2.0, 0, 0], [2.0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), "covariances[1]"),
    (lambda s: s["means"][0].__setitem__(2, float("nan")), "means"),
    (lambda s: s.update(groups=[["a", "b", "c"]]), "groups[0]"),
    (lambda s: s.update(weight=[1.0]), "SPEC"),
])
def test_bad_spec_is_one_line_naming_the_field(tmp_path, cli, mutate, field):
    spec = {"weights": [0.5, 0.5], "means": [[1.0, 0, 0, 0], [-1.0, 0, 0, 0]], "covariances": [1.0, 1.0]}
    mutate(spec)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))  # json writes NaN as the NaN token, which json.load accepts
    with pytest.raises(ValueError, match=rf"^{__import__('re').escape(field)}"):
        load_spec(path)
    rc, out, err = cli("mixture", str(path), "--json")
    assert rc == 2 and out == "" and err.count("\n") == 1 and field in err, err


def test_npz_is_never_unpickled(tmp_path, cli):
    np.savez(tmp_path / "obj.npz", weights=np.array([0.5, 0.5], dtype=object), means=np.zeros((2, 3)),
             covariances=np.ones(2))
    rc, _, err = cli("mixture", str(tmp_path / "obj.npz"))
    assert rc == 2 and "SPEC" in err and err.count("\n") == 1


def test_covariance_factorisation_kinds():
    rng = np.random.default_rng(1)
    d = 16
    U, _ = np.linalg.qr(rng.standard_normal((d, 3)))
    low = (U * [3.0, 2.0, 1.0]) @ U.T  # rank 3: base 0
    spiked = 0.7 * np.eye(d) + (U[:, :1] * 5.0) @ U[:, :1].T  # bulk 0.7 + one spike
    assert Cov.from_matrix(2.0 * np.eye(d)).kind == "iso"
    assert Cov.from_matrix(np.diag(np.arange(1.0, d + 1))).kind == "diag"
    c = Cov.from_matrix(low)
    assert c.kind == "eig" and c.r == 3 and c.s == 0.0
    s = Cov.from_matrix(spiked)
    assert s.kind == "eig" and s.r == 1 and s.s == pytest.approx(0.7)
    for m in (low, spiked):
        np.testing.assert_allclose(Cov.from_matrix(m).dense(), m, atol=1e-12)
    # sampling reproduces the covariance (seeded; tolerance: 5 standard errors of a sample covariance entry)
    x = s.sample(40000, np.random.default_rng(2))
    emp = x.T @ x / x.shape[0]
    se = np.sqrt((np.outer(np.diag(spiked), np.diag(spiked)) + spiked**2) / x.shape[0])
    assert np.max(np.abs(emp - spiked) / se) < 5.0


# ---------------------------------------------------------------------------------------- densities and score
def test_log_components_against_dense_gaussians():
    rng = np.random.default_rng(3)
    for model in _zoo(rng):
        for t in (0.02, 0.4, 2.5):
            x = 1.3 * rng.standard_normal((5, model.d))
            ref = np.array([[math.log(w) + multivariate_normal.logpdf(xx, math.exp(-t) * m, _dense_gamma(model, c, t))
                             for c, (w, m) in enumerate(zip(model.weights, model.means))] for xx in x])
            np.testing.assert_allclose(model.log_components(x, t), ref, rtol=1e-11, atol=1e-9)


def test_score_against_finite_differences():
    rng = np.random.default_rng(4)
    h = 1e-5
    for model in _zoo(rng):
        t = 0.3
        x = rng.standard_normal((3, model.d))
        s = model.score(x, t)
        eye = np.eye(model.d)
        fd = np.array([[(model.log_density(xx[None] + h * e, t)[0] - model.log_density(xx[None] - h * e, t)[0]) / (2 * h)
                        for e in eye] for xx in x])
        np.testing.assert_allclose(s, fd, rtol=1e-6, atol=1e-6)


def test_generated_coordinate_functions_tie_the_model():
    """log N_c is the sum of mixture.log_component over an eigenbasis; the score of a class is
    mixture.score_component per eigen-coordinate; mixture.Gamma is gm.Gamma at λ = σ²."""
    rng = np.random.default_rng(5)
    model = _zoo(rng)[4]
    t = 0.7
    x = rng.standard_normal((4, model.d))
    for c in range(2):
        w, V = np.linalg.eigh(model.covs[c].dense())
        y = (x - math.exp(-t) * model.means[c]) @ V
        lc = G.log_component(y, t, np.maximum(w, 0.0)).sum(axis=1)
        np.testing.assert_allclose(lc, model.log_components(x, t)[:, c] - model.logp[c], rtol=1e-12)
        one = Mixture([1.0], model.means[c:c + 1], [model.covs[c]])
        np.testing.assert_allclose(one.score(x, t), G.score_component(y, t, np.maximum(w, 0.0)) @ V.T, rtol=1e-10, atol=1e-12)
    ts = np.array([1e-4, 0.3, 4.0])
    np.testing.assert_allclose(G.Gamma(ts, 2.25), GG.Gamma(ts, 1.5), rtol=1e-15)


def test_posterior_labels_follow_the_posterior():
    model = hierarchy_mixture(16)
    rng = np.random.default_rng(6)
    x = model.sample_t(1, 2.0, rng).repeat(20000, axis=0)
    lab = model.labels(x, 2.0, rng)["class"]
    freq = np.bincount(lab, minlength=4) / lab.size
    p = model.class_posterior(x[:1], 2.0)[0]
    assert np.max(np.abs(freq - p) / np.sqrt(p * (1 - p) / lab.size + 1e-300)) < Z_MAX


# ---------------------------------------------------------------------------------------- the two-class model of §2
@pytest.mark.parametrize("d,p", [(64, 0.5), (1024, 0.5), (300, 0.3)])
def test_two_class_spec_reproduces_gm(tmp_path, cli, d, p):
    """Acceptance: regimes mixture on the §2 spec reproduces regimes gm (κ, φ, t_C, t_S) to 1e-10."""
    ts = [0.5, 1.0, 2.0, 3.3, 5.0]
    rc, out, _ = cli("mixture", _write(tmp_path, _gm_spec(d, p)), "--n", 3000, "--t", *ts, "--json")
    assert rc == 0
    o = json.loads(out)
    rc, out, _ = cli("gm", "--d", d, "--mu", 1, "--sigma", 1, "--p-plus", p, "--n", 3000, "--t", *ts, "--json")
    g = json.loads(out)
    (pair,) = o["pairs"]
    (level,) = o["levels"]
    np.testing.assert_allclose(pair["kappa"], g["kappa"], rtol=1e-10)
    np.testing.assert_allclose(pair["phi"], g["phi"], rtol=1e-10)
    np.testing.assert_allclose(level["phi"], g["phi"], rtol=1e-10)
    assert o["t_C"] == pytest.approx(g["t_C"], rel=1e-10)
    np.testing.assert_allclose(o["f_finite_d"], g["f"], rtol=1e-10, atol=1e-12)
    assert 0.5 * math.log(o["Lambda"][0]) == pytest.approx(g["t_S"], rel=1e-10)  # the eigenvalue cascade: ½ ln Λ, any p
    if p == 0.5:  # κ = 1 is gm's 4 p₊p₋ κ = 1 only at p = ½ (the brief's §6 criterion, see docs/mixtures.md)
        assert pair["t_S_large_d"] == pytest.approx(g["t_S"], rel=1e-10)
        assert level["t_S_large_d"] == pytest.approx(g["t_S"], rel=1e-10)
        assert pair["t_S"] == pytest.approx(g["t_curv_logp"], rel=1e-10)


def test_kappa_mean_reduces_to_gm_kappa():
    t = np.array([1e-5, 0.3, 2.0, 9.0])
    for d, mu, sigma in ((10.0, 0.7, 1.3), (1e5, 2.0, 0.1)):
        np.testing.assert_allclose(G.kappa_mean(t, 4 * d * mu**2, sigma), GG.kappa(t, d, mu, sigma), rtol=1e-13)


# ---------------------------------------------------------------------------------------- KL, κ, speciation times
def test_kl_and_kappa_against_dense_matrices():
    rng = np.random.default_rng(7)
    models = _zoo(rng) + [m for _, m, _ in kl_pairs()]
    for model in models:
        for a, b in model.pairs():
            for t in (0.03, 0.6, 3.0):
                assert model.pair_kl(a, b, t)[0] == pytest.approx(_dense_kl(model, a, b, t), rel=1e-9, abs=1e-12)
                assert model.pair_kl(b, a, t)[0] == pytest.approx(_dense_kl(model, b, a, t), rel=1e-9, abs=1e-12)
                assert model.pair_kappa(a, b, t)[0] == pytest.approx(_dense_kappa(model, a, b, t), rel=1e-9, abs=1e-12)


def test_pair_and_level_t_S_are_roots_of_kappa_one():
    """Acceptance: pairwise and level t_S equal the roots of κ_ab(t) = 1 computed independently (1e-8)."""
    rng = np.random.default_rng(8)
    models = _zoo(rng) + [hierarchy_mixture(16, mu_M=1.5, mu_m=0.9)]
    checked = 0
    for model in models:
        roots = {}
        for a, b in model.pairs():
            f = lambda t: math.log(_dense_kappa(model, a, b, t))  # noqa: E731
            got = model.pair_t_S(a, b)
            if f(1e-9) <= 0:
                assert got is None
                roots[(a, b)] = None
                continue
            ref = brentq(f, 1e-9, 60.0, xtol=1e-14)
            assert got == pytest.approx(ref, abs=1e-8)
            roots[(a, b)] = ref
            checked += 1
        for lv in model.level_names:
            cross = [roots[p] for p in model.cross_pairs(lv)]
            want = None if (not cross or any(r is None for r in cross)) else min(cross)
            got = model.level_t_S(lv)
            assert (got is None and want is None) or got == pytest.approx(want, abs=1e-8)
    assert checked >= 8


def test_closed_form_times():
    for d, s2a, s2b in ((512, 1.3, 0.7), (7, 0.2, 5.0), (4096, 0.5, 0.6)):
        ref = brentq(lambda t: math.log(G.kappa_cov(t, d, s2a, s2b)), 1e-9, 60, xtol=1e-15)
        assert G.t_S_cov(d, s2a, s2b) == pytest.approx(ref, abs=1e-12)
        assert G.t_S_cov(d, s2b, s2a) == pytest.approx(ref, abs=1e-12)  # symmetric in a ↔ b
    for D2, sigma in ((400.0, 1.0), (9.0, 0.3), (1e6, 2.0)):
        ref = brentq(lambda t: math.log(G.kappa_mean(t, D2, sigma)), 1e-9, 60, xtol=1e-15)
        assert G.t_S_mean(D2, sigma) == pytest.approx(ref, abs=1e-12)
        assert G.t_S_mean_large_d(D2, sigma) == pytest.approx(0.5 * math.log(sigma**2 + D2 / 4), rel=1e-14)


def test_quarter_ln_d_law_is_the_large_d_limit():
    """t_S_cov − ¼ ln(d Δσ⁴/8) → 0: like −(σ_a² + σ_b² − 2)/(√(2d)|σ_a² − σ_b²|) in general (d^{-1/2}), like 1/d
    when σ_a² + σ_b² = 2 (σ²(1 ± ε) with σ² = 1, the acceptance pair 1.3/0.7) — the series of the derivation."""
    dims = np.array([1e3, 1e5, 1e7, 1e9])
    gap = G.t_S_cov(dims, 2.0, 0.5) - G.t_S_cov_large_d(dims, 2.0, 0.5)
    np.testing.assert_allclose(gap, -0.5 / (np.sqrt(2 * dims) * 1.5), rtol=0.07)  # next order: O(1/d) relative
    np.testing.assert_allclose(gap[1:], -0.5 / (np.sqrt(2 * dims[1:]) * 1.5), rtol=0.007)
    gap = G.t_S_cov(dims, 1.3, 0.7) - G.t_S_cov_large_d(dims, 1.3, 0.7)
    assert abs(gap[-1]) < 1e-8
    np.testing.assert_allclose(gap[1:] / gap[:-1], 0.01, rtol=0.01)  # × 100 in d ⇒ × 1/100


def test_hierarchy_level_times_are_the_eigenvalue_cascade():
    model = hierarchy_mixture(256)
    lam = model.data_covariance_top(3)
    assert model.level_t_S("level_1", large_d=True) == pytest.approx(0.5 * math.log(lam[0]), rel=1e-12)
    assert model.level_t_S("class", large_d=True) == pytest.approx(0.5 * math.log(lam[1]), rel=1e-12)


def test_simplex_eigenvalue_time_differs_from_pairwise_speciation():
    """K orthogonal equal-norm means: ½ ln Λ = ½ ln(σ² + |m|²/K) (origin destabilised) but the classes separate
    at ½ ln(σ² + |m|²/2) (pairwise κ = 1): the eigenvalue cascade is the level time only for K = 2 per split."""
    d, K = 64, 5
    means = np.zeros((K, d))
    for c in range(K):
        means[c, c] = math.sqrt(d)
    model = Mixture([1 / K] * K, means, [1.0] * K)
    assert 0.5 * math.log(model.Lambda) == pytest.approx(0.5 * math.log(1 + d / K), rel=1e-12)
    assert model.level_t_S("class", large_d=True) == pytest.approx(0.5 * math.log(1 + d / 2), rel=1e-12)


def test_data_covariance_top_dense_and_lanczos():
    rng = np.random.default_rng(9)
    model = _zoo(rng)[4]
    mbar = model.weights @ model.means
    dense = sum(w * (c.dense() + np.outer(m - mbar, m - mbar)) for w, m, c in zip(model.weights, model.means, model.covs))
    np.testing.assert_allclose(model.data_covariance_top(4), np.linalg.eigvalsh(dense)[::-1][:4], rtol=1e-12)
    big = hierarchy_mixture(3000)  # d > 2048: Lanczos; shared σ² I: eigenvalues σ² + eig(B) = 1 + |M|², 1 + |m|²
    np.testing.assert_allclose(big.data_covariance_top(3), [3001.0, 1 + 0.09 * 3000, 1.0], rtol=1e-9)


# ---------------------------------------------------------------------------------------- φ
def _mp_integral(expr, point, d):
    """Evaluate the registered mixture.phi_cov at ``point`` with its integrals done by mpmath (30 digits)."""
    with mp.workdps(30):
        e = expr.subs({s: sp.Float(v, 40) for s, v in point.items()})
        vals = {}
        for integral in e.atoms(sp.Integral):
            ((u, lo, hi),) = integral.limits
            f = sp.lambdify(u, integral.function, "mpmath")
            w = mp.sqrt(2 * d)
            pts = sorted({mp.mpf(0), mp.mpf(d) / 4, max(mp.mpf(d) - 12 * w, mp.mpf(d) / 2), mp.mpf(d), mp.mpf(d) + 12 * w,
                          3 * mp.mpf(d) + 40})
            vals[integral] = sp.Float(mp.quad(f, pts + [mp.inf]), 30)
        return float(sp.N(e.xreplace(vals), 25))


@pytest.mark.sympy
@pytest.mark.parametrize("t,d,s2a,s2b,p", [(0.3, 3, 1.3, 0.7, 0.5), (0.8, 40, 2.0, 0.5, 0.2), (0.6, 500, 1.3, 0.7, 0.5),
                                             (0.05, 60, 1.1, 0.9, 0.9)])
def test_radial_phi_is_the_registered_integral(t, d, s2a, s2b, p):
    from theory import registry

    r = registry.get("mixture.phi_cov")
    syms = dict(zip(r.args, r.arg_symbols))
    ref = _mp_integral(r.expr, {syms["t"]: t, syms["d"]: d, syms["s2a"]: s2a, syms["s2b"]: s2b, syms["p_a"]: p}, d)
    gam = G.Gamma(t, np.array([s2a, s2b]))
    got, _ = Q.phi_radial(gam, np.array([p, 1 - p]), d, [np.arange(2)])
    assert got[0] == pytest.approx(ref, abs=1e-11)


def test_radial_phi_tends_to_the_universal_curve():
    """Same-mean covariance classes: the exact χ²_d φ → φ(κ_ab(t)) as d → ∞ at fixed κ (local asymptotic normality)."""
    gaps = []
    for d in (1e2, 1e4, 1e6):
        model = covariance_mixture(int(d))
        t = model.pair_t_S(0, 1)  # κ = 1
        exact = model.phi_levels(t)["class"][0]
        gaps.append(abs(exact - float(universal.phi(1.0, 0.5))))
    assert gaps[2] < 1e-4 and gaps[2] < gaps[1] < gaps[0]


def test_embedded_phi_is_exact_for_a_shared_covariance():
    """Three classes, shared σ² I, d = 40: the quadrature against exact-posterior Monte Carlo (seeded z-test),
    and the embedding distances are 4κ."""
    rng = np.random.default_rng(10)
    model = Mixture([0.2, 0.5, 0.3], 1.6 * rng.standard_normal((3, 40)), [1.0] * 3, groups=[["a", "a", "b"]])
    ts = np.array([0.8, 1.6, 2.4])
    U = Q.embed(model.kappa_matrix(1.6))
    np.testing.assert_allclose(np.sum((U[:, None] - U[None]) ** 2, axis=-1), 4 * model.kappa_matrix(1.6), rtol=1e-10, atol=1e-12)
    th = model.phi_levels(ts)
    mc = posterior_mc(model, ts, 40000, 11)
    for lv in model.level_names:
        z = (mc.mean(lv) - th[lv]) / mc.stderr(lv)
        assert np.max(np.abs(z)) < Z_MAX, (lv, z)
    p = np.array([0.2, 0.5, 0.3])
    mi = -np.sum(p * np.log(p)) - mc.entropy.mean(axis=0)  # I(c; x) = H(p) − E[−Σ π ln π]
    z = (mi - model.mutual_information(ts)) / (mc.entropy.std(axis=0, ddof=1) / math.sqrt(40000))
    assert np.max(np.abs(z)) < Z_MAX


def test_sobol_quadrature_accuracy():
    """r ≥ 3 (scrambled Sobol, 2^16 points) against 2^20 points: below 5e-5 for K = 5, κ ≤ 4."""
    rng = np.random.default_rng(12)
    U = rng.standard_normal((5, 4)) * 1.5
    p = rng.dirichlet(2 * np.ones(5))
    maps = [np.array([0, 1, 0, 1, 0]), np.arange(5)]
    v, i = Q.phi_embedded(U, p, maps)
    old = Q._SOBOL_LOG2
    try:
        Q._SOBOL_LOG2 = 20
        Q._sobol_normal.cache_clear()
        vr, ir = Q.phi_embedded(U, p, maps)
    finally:
        Q._SOBOL_LOG2 = old
        Q._sobol_normal.cache_clear()
    assert np.max(np.abs(np.array(v) - vr)) < 5e-5 and abs(i - ir) < 5e-5


def test_fast_path_is_the_exact_projection():
    rng = np.random.default_rng(13)
    for model in (hierarchy_mixture(64), low_rank_mixture(40, 4)):
        fast = model.fast_path()
        assert fast.d < model.d
        V = model._fast_basis()
        x = model.sample_t(50, 0.7, rng)
        np.testing.assert_allclose(fast.class_posterior(x @ V, 0.7), model.class_posterior(x, 0.7), rtol=1e-10, atol=1e-13)
        for a, b in model.pairs():
            assert fast.pair_kappa(a, b, 0.7)[0] == pytest.approx(model.pair_kappa(a, b, 0.7)[0], rel=1e-10)
    with pytest.raises(ValueError, match="no exact lower-dimensional projection"):
        covariance_mixture(32).fast_path()


def test_engine_posterior_mc_is_model_free():
    """The exact-posterior Monte Carlo of the engine on the two-class gm model: φ(κ(t)) (seeded z-test)."""
    gm = GaussianMixture(200, 1.0, 1.0, 0.3)
    ts = gm.t_S * np.array([0.9, 1.0, 1.1])
    res = posterior_mc(gm, ts, 30000, 14)
    z = (res.mean("class") - gm.phi(ts)) / res.stderr("class")
    assert np.max(np.abs(z)) < Z_MAX


# ---------------------------------------------------------------------------------------- collapse
def test_low_rank_t_C_closed_form():
    """Acceptance: the low-rank t_C equals ½ ln(1 + λ/(n^{2/D} − 1)) (1e-10), and the generic spectrum root agrees."""
    for d, D, lam, n in ((256, 8, 1.0, 3000), (512, 32, 2.5, 1e5), (64, 64, 0.7, 50)):
        model = low_rank_mixture(d, D, lam)
        want = 0.5 * math.log(1 + lam / (n ** (2 / D) - 1))
        assert model.t_C(n) == pytest.approx(want, rel=1e-10)
        assert C.t_C_spectrum([lam], [D], d, n) == pytest.approx(want, rel=1e-10)
        assert C.t_C_gaussian_spectrum([lam] * D, d, n) == pytest.approx(want, rel=1e-10)


def test_isotropic_t_C_is_gm_t_C_and_f_vanishes_at_t_C():
    model = Mixture([0.5, 0.5], np.zeros((2, 100)), [Cov.from_matrix(np.diag(np.r_[np.full(50, 2.0), np.full(50, 0.5)])),
                                                    1.0])
    tc = model.t_C(5000)
    assert float(model.excess_entropy(tc, 5000, finite_d=False)[0]) == pytest.approx(0.0, abs=1e-13)
    assert GaussianMixture(100, 0.3, 1.3).t_C(5000) == pytest.approx(Mixture([1.0], np.zeros((1, 100)), [1.69]).t_C(5000), rel=1e-12)


def test_t_C_gaussian_spectrum_of_data():
    """The dataset route: eigenvalues of the sample covariance (dense and Gram agree), Gaussian data of known spectrum."""
    rng = np.random.default_rng(15)
    X = rng.standard_normal((300, 50)) * np.sqrt(np.linspace(0.2, 3.0, 50))
    a = C.covariance_eigenvalues(X)
    b = C.covariance_eigenvalues(X[:40])  # n < d: Gram route
    Xc = X[:40] - X[:40].mean(axis=0)
    np.testing.assert_allclose(b[:39], np.linalg.eigvalsh(Xc.T @ Xc / 40)[::-1][:39], rtol=1e-9, atol=1e-12)
    tc = C.t_C_gaussian_spectrum(a, 50, 300)
    f = math.log(300) / 50 - np.sum(0.5 * np.log1p(a * math.exp(-2 * tc) / -math.expm1(-2 * tc))) / 50
    assert abs(f) < 1e-13
    with pytest.raises(ValueError, match="eigenvalues"):
        C.t_C_gaussian_spectrum([1.0, float("nan")], 5, 10)


# ---------------------------------------------------------------------------------------- CLI
def test_cli_contract(tmp_path, cli):
    rng = np.random.default_rng(16)
    d = 32
    spec = {"weights": [0.25] * 4, "means": (3 * rng.standard_normal((4, d))).tolist(), "covariances": [1.0] * 4,
            "groups": [["a", "a", "b", "b"]]}
    rc, out, _ = cli("mixture", _write(tmp_path, spec), "--n", 1000, "--t", 0.5, 1.0, "--json")
    assert rc == 0
    o = json.loads(out)
    for key in ("d", "K", "Lambda", "pairs", "levels", "alpha", "t_C", "f", "units", "t"):
        assert key in o
    assert len(o["pairs"]) == 6 and all({"a", "b", "t_S", "kappa", "phi"} <= set(p) for p in o["pairs"])
    assert [lv["level"] for lv in o["levels"]] == ["level_1", "class"]
    assert all({"groups", "t_S", "phi", "phi_large_d"} <= set(lv) for lv in o["levels"])
    assert all(len(p["phi"]) == len(p["kappa"]) == 2 for p in o["pairs"])
    rc, out, _ = cli("mixture", _write(tmp_path, spec))
    assert rc == 0 and "level_1" in out


def test_cli_general_mixture_uses_monte_carlo(tmp_path, cli):
    d = 8
    spec = {"weights": [0.5, 0.5], "means": [[1.0] + [0.0] * (d - 1), [0.0] * d], "covariances": [1.5, [0.5] * (d - 1) + [2.0]]}
    rc, out, _ = cli("mixture", _write(tmp_path, spec), "--t", 0.3, "--samples", 2000, "--json")
    o = json.loads(out)
    assert rc == 0 and o["levels"][0]["phi_method"] == "exact-posterior Monte Carlo"
    assert o["levels"][0]["phi_stderr"][0] > 0


def test_simulate_clone_with_mixture(tmp_path, cli):
    path = _write(tmp_path, {"weights": [0.5, 0.5], "means": [[0.0] * 64, [0.0] * 64], "covariances": [1.3, 0.7]})
    rc, out, _ = cli("simulate", "clone", "--model", "mixture", "--spec", path, "--samples", 400, "--t-branch", 0.6, 0.8,
                     "--seed", 3, "--steps", 30, "--t-min", 0.3, "--json")
    assert rc == 0
    o = json.loads(out)
    assert o["t"] == [0.6, 0.8] and o["seconds"] > 0
    (lv,) = o["levels"]
    assert {"groups", "phi", "stderr", "phi_theory"} <= set(lv)
    z = (np.array(lv["phi"]) - lv["phi_theory"]) / np.array(lv["stderr"])
    assert np.max(np.abs(z)) < Z_MAX
    rc, _, err = cli("simulate", "clone", "--model", "mixture", "--samples", 10, "--t-branch", 0.5)
    assert rc == 2 and "--spec" in err


def test_times_reports_the_gaussian_spectrum_t_C(tmp_path, cli):
    rng = np.random.default_rng(17)
    X = rng.standard_normal((400, 20)) * np.sqrt(np.linspace(0.5, 2.0, 20))
    np.save(tmp_path / "x.npy", X)
    rc, out, _ = cli("times", str(tmp_path / "x.npy"), "--n-mc", 100, "--n-boot", 20, "--json")
    assert rc == 0
    o = json.loads(out)
    assert math.isfinite(o["t_C_gaussian"]) and o["units"]["t_C_gaussian"]["t"] == o["t_C_gaussian"]


# ---------------------------------------------------------------------------------------- acceptance runs (slow)
@pytest.mark.slow
def test_acceptance_cloning_same_mean_classes():
    """d = 512, 3000 pairs, variances 1.3 and 0.7: cloned φ within 4σ of the exact finite-d theory at five times."""
    from numerics.models.mixture.checks import cov_phi

    rows = [r for r in cov_phi(np.random.default_rng(18), False) if r.label.endswith("cloning")]
    assert len(rows) == 5
    assert all(abs(r.value - r.theory) < 4 * r.stderr for r in rows), [(r.value, r.theory, r.stderr) for r in rows]


@pytest.mark.slow
def test_acceptance_quarter_ln_d_slope():
    """Measured speciation times at d = 256, 1024, 4096 follow ¼ ln d: slope 0.25 ± 0.03."""
    from numerics.models.mixture.checks import cov_t_s

    slope = [r for r in cov_t_s(np.random.default_rng(19), False) if r.label == "slope_in_ln_d"][0]
    assert abs(slope.value - 0.25) <= 0.03
    assert abs(slope.value - slope.theory) < 4 * slope.stderr


def test_parse_spec_accepts_cov_objects():
    rng = np.random.default_rng(20)
    U, _ = np.linalg.qr(rng.standard_normal((10, 2)))
    s = parse_spec({"weights": [1.0], "means": [[0.0] * 10], "covariances": [Cov.low_rank(U, [1.0, 2.0])]})
    assert s.covariances[0].r == 2
