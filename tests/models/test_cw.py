"""Curie–Weiss (THEORY §4): exact values against brute-force enumeration / mpmath, the quadrature
score against finite differences of the enumerated ln P_t, sampler and generation by z-scores."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest

from numerics.models.cw import data_law as D
from numerics.models.cw import generation as Gen
from numerics.models.cw import kernels as K
from numerics.models.cw import model as C
from numerics.models.cw.commands import cw_table


# ------------------------------------------------------------------ independent references
def _configs(N):
    return np.array(list(itertools.product((-1.0, 1.0), repeat=N)))


def _brute_law(N, beta, H, fields=None, J=None):
    S = _configs(N)
    M = S.sum(1)
    f = np.full(N, H / N) if fields is None else np.asarray(fields)
    J = beta if J is None else J
    lw = J * M**2 / (2 * N) + S @ f
    w = np.exp(lw - lw.max())
    return S, M, w / w.sum()


def _mp_values(N, beta, H):
    """p_+, <|m|>, Var(M)/N by mpmath sums over M with exact binomials (50 digits)."""
    mp.mp.dps = 50
    h = mp.mpf(H) / N
    ws, Ms = [], []
    for k in range(N + 1):
        M = 2 * k - N
        ws.append(mp.binomial(N, k) * mp.exp(mp.mpf(beta) * M * M / (2 * N) + h * M))
        Ms.append(M)
    Z = mp.fsum(ws)
    P = [w / Z for w in ws]
    pp = mp.fsum(p for p, M in zip(P, Ms) if M > 0) + mp.fsum(p for p, M in zip(P, Ms) if M == 0) / 2
    am = mp.fsum(p * abs(M) for p, M in zip(P, Ms)) / N
    m1 = mp.fsum(p * M for p, M in zip(P, Ms))
    m2 = mp.fsum(p * M * M for p, M in zip(P, Ms))
    return float(pp), float(am), float((m2 - m1 * m1) / N)


@pytest.mark.parametrize("N,beta,H", [(1, 0.7, 0.3), (7, 0.5, 0.0), (10, 1.5, 0.7), (12, 2.5, -1.3),
                                      (100, 1.5, 0.5), (101, 0.8, 2.0), (400, 1.2, -0.4), (64, 1.0, 0.0)])
def test_cli_values_match_exact_law(N, beta, H):
    o = cw_table(N, beta, H, t=[1.0])
    pp, am, lam = _mp_values(N, beta, H)
    assert abs(o["p_plus"] - pp) < 1e-8
    assert abs(o["mean_abs_m"] - am) < 1e-8
    assert abs(o["Lambda"] - lam) < 1e-8 * max(1.0, lam)
    assert abs(o["t_S"] - 0.5 * math.log(lam)) < 1e-8
    if N <= 12:  # and against enumeration of all 2^N configurations
        S, M, P = _brute_law(N, beta, H)
        assert abs(o["p_plus"] - (P[M > 0].sum() + 0.5 * P[M == 0].sum())) < 1e-12


def test_m_star_chi_and_asymptotics():
    m = C.CurieWeiss(2000, 1.5, 0.5)
    ms = m.m_star
    assert abs(ms - math.tanh(1.5 * ms)) < 1e-14 and ms > 0.8
    # χ = dm/dh by a finite difference of the root of m = tanh(βm + h)
    eps = 1e-6
    fd = (C.equilibrium_m(1.5, eps) - ms) / eps  # one-sided: h < 0 selects the other state
    assert abs(fd - m.chi) < 1e-4
    # exact weights -> e^{2Hm*} at large N; Λ -> χ + 4p+p- N m*²
    assert abs(m.p_plus - m.p_plus_asymptotic) < 2e-3
    assert abs(m.Lambda / m.Lambda_asymptotic - 1) < 0.01
    assert C.CurieWeiss(50, 0.7, 0.0).m_star == 0.0


def test_lambda_is_top_eigenvalue_of_covariance():
    S, M, P = _brute_law(10, 1.3, 0.4)
    mean = P @ S
    cov = (S * P[:, None]).T @ S - np.outer(mean, mean)
    assert abs(np.linalg.eigvalsh(cov)[-1] - C.CurieWeiss(10, 1.3, 0.4).Lambda) < 1e-12


def test_bimodality_time_between_zero_and_ts():
    m = C.CurieWeiss(1000, 1.5, 0.0)
    tb = m.t_bimodal
    assert 0.2 < tb < m.t_S
    assert C._n_maxima(tb * 1.05, 1.5, m.m_star) == 2 and C._n_maxima(tb * 0.95, 1.5, m.m_star) == 1
    assert math.isnan(C.CurieWeiss(100, 0.8, 0.0).t_bimodal)


# ------------------------------------------------------------------ score
def _brute_logp(x, t, N, beta, fields, J=None):
    S, M, P = _brute_law(N, beta, 0.0, fields, J)
    delta = -math.expm1(-2 * t)
    d2 = ((x[None, :] - math.exp(-t) * S) ** 2).sum(1)
    a = np.log(P) - d2 / (2 * delta)
    return a.max() + math.log(np.exp(a - a.max()).sum())


@pytest.mark.parametrize("t", [0.05, 0.4, 1.5])
def test_exact_score_matches_finite_difference_of_enumerated_density(t):
    rng = np.random.default_rng(3)
    N, beta = 8, 1.7
    fields = rng.normal(0, 0.3, N)
    x = rng.normal(0, 1, N)
    s = K.score_exact(x, t, beta, fields)[0]
    s_np = K.score_exact_numpy(x, t, beta, fields)[0]
    eps = 1e-5
    fd = np.array([(_brute_logp(x + eps * e, t, N, beta, fields) - _brute_logp(x - eps * e, t, N, beta, fields)) / (2 * eps)
                   for e in np.eye(N)])
    assert np.max(np.abs(s - fd)) < 1e-6 * max(1, np.abs(fd).max())
    assert np.max(np.abs(s - s_np)) < 1e-12


@pytest.mark.parametrize("N,beta,t", [(30, 0.6, 0.2), (100, 1.5, 0.01), (100, 1.5, 2.0), (150, 3.0, 0.7), (120, 1.0, 5.0)])
def test_quadrature_score_against_brute_force_grid(N, beta, t):
    rng = np.random.default_rng(N)
    model = C.CurieWeiss(N, beta, 0.7)
    x = model.sample_t(4, t, rng)
    fields = model.h + rng.normal(0, 0.05, N)
    s = K.score_exact(x, t, beta, fields)
    lim = 1 + 12 / math.sqrt(N * beta)
    ref = K.score_exact_numpy(x, t, beta, fields, grid=np.linspace(-lim, lim, 12001))
    assert np.max(np.abs(s - ref)) < 1e-8
    assert np.all(np.isfinite(s))


def test_saddle_score_close_to_exact_at_large_N():
    model = C.CurieWeiss(2000, 1.5, 0.0)
    x = model.sample_t(5, 0.5, np.random.default_rng(1))
    ex = K.score_exact(x, 0.5, 1.5, 0.0)
    sa = K.score_saddle(x, 0.5, 1.5, 0.0)
    assert np.max(np.abs(ex - sa)) < 1e-2


# ------------------------------------------------------------------ laws with site fields
def test_log_esp_and_posterior_against_enumeration():
    rng = np.random.default_rng(7)
    N = 9
    f = rng.normal(0, 0.5, N)
    S = _configs(N)
    k = (S > 0).sum(1)
    L = K.log_esp(f)
    for kk in range(N + 1):
        ref = np.log(np.exp(S[k == kk] @ f).sum())
        assert abs(L[kk] - ref) < 1e-12
    S2, M, P = _brute_law(N, 1.3, 0.0, f, 1.3)
    assert abs(K.p_plus_of_fields(f, 1.3) - (P[M > 0].sum() + 0.5 * P[M == 0].sum())) < 1e-12
    model = C.CurieWeiss(N, 1.3, 0.8)
    x = rng.normal(0, 1, N)
    t = 0.6
    lam = x * math.exp(-t) / (-math.expm1(-2 * t))
    S3, M3, P3 = _brute_law(N, 1.3, 0.8)
    post = P3 * np.exp(S3 @ lam)
    post /= post.sum()
    ref = post[M3 > 0].sum() + 0.5 * post[M3 == 0].sum()
    assert abs(model.posterior(x, t)["class"][0, 0] - ref) < 1e-12


def test_sampler_magnetization_law():
    model = C.CurieWeiss(40, 1.4, 0.6)
    rng = np.random.default_rng(11)
    S = model.sample(20000, rng)
    M = S.sum(1)
    Mv, P = model.magnetization_law()
    counts = np.array([(M == v).sum() for v in Mv])
    keep = P * len(M) > 5
    chi2 = np.sum((counts[keep] - P[keep] * len(M)) ** 2 / (P[keep] * len(M)))
    assert chi2 < keep.sum() + 6 * math.sqrt(2 * keep.sum())
    # uniform configuration given M: each site equally likely +
    site = (S[M == 20] > 0).mean(0)
    assert np.all(np.abs(site - 0.75) < 5 * math.sqrt(0.75 * 0.25 / max(1, (M == 20).sum())))


def test_posterior_spins_are_exact():
    model = C.CurieWeiss(21, 1.5, 0.5)
    rng = np.random.default_rng(4)
    x = model.sample_t(4000, 0.4, rng)
    s = K.posterior_spins(x, 0.4, 1.5, model.h, rng)
    st, M = C.state_of(s, rng)
    p = (st > 0).mean()
    assert abs(p - model.p_plus) < 4 * math.sqrt(model.p_plus * (1 - model.p_plus) / 4000)
    am = np.abs(M) / 21
    assert abs(am.mean() - model.mean_abs_m) < 4 * am.std() / math.sqrt(4000)


def test_pseudolikelihood_recovers_parameters():
    rng = np.random.default_rng(5)
    N = 20
    model = C.CurieWeiss(N, 0.8, 0.0)
    X = model.sample(40000, rng)
    h, J = D.fit_pseudolikelihood(X)
    assert abs(J - 0.8) < 0.05
    assert np.max(np.abs(h)) < 0.05
    Hml = D.fit_global_H(X, 0.8)
    assert abs(Hml) < 0.5


# ------------------------------------------------------------------ generation
def test_exact_score_generation_p_plus_and_abs_m():
    model = C.CurieWeiss(25, 1.6, 0.6)
    rng = np.random.default_rng(2024)
    g = Gen.generate(model, 800, rng, steps=160)
    assert abs(g["p_plus"] - model.p_plus) < 4 * g["p_plus_stderr"]
    assert abs(g["mean_abs_m"] - model.mean_abs_m) < 4 * g["mean_abs_m_stderr"] + 0.01


def test_data_law_measurement_small():
    res = D.data_law_measure([24], [16.0], 1.5, 0.5, 20, np.random.default_rng(9))
    r = res["rows"][0]
    assert r["rms_pl"] > 0 and r["law"] > 0
    assert 0.5 < r["rms_pl"] / r["law_finite_N"] < 1.6
    # the ML global weight does not need n >> N: its error is far below the learned-fields error
    assert r["rms_ml"] < r["rms_pl"]


# ------------------------------------------------------------------ CLI

def test_cli_contract_and_errors(cli):
    rc, out, err = cli("cw", "--N", "20", "--beta", "1.5", "--H", "0.3", "--t", "0.5", "1.0", "--json")
    assert rc == 0, err
    o = json.loads(out)
    for k in ("m_star", "chi", "p_plus", "p_plus_asymptotic", "Lambda", "t_S", "t", "phi"):
        assert k in o
    assert len(o["phi"]) == 2
    for bad in (["cw", "--N", "0", "--beta", "1"], ["cw", "--N", "5", "--beta", "abc"], ["cw", "--N", "2.5", "--beta", "1"],
                ["simulate", "generate", "--model", "cw", "--N", "10", "--beta", "1", "--samples", "0"],
                ["simulate", "generate", "--model", "cw", "--N", "-3", "--beta", "1"],
                ["simulate", "generate", "--model", "cw", "--N", "10", "--beta", "1", "--score", "learned"]):
        rc, out, err = cli(*bad)
        assert rc != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    rc, out, err = cli("simulate", "generate", "--model", "cw", "--N", "15", "--beta", "1.5", "--H", "0.5",
                        "--samples", "50", "--seed", "1", "--steps", "40", "--json")
    assert rc == 0, err
    o = json.loads(out)
    for k in ("p_plus", "p_plus_stderr", "mean_abs_m", "seconds"):
        assert k in o
    rc, out, err = cli("simulate", "generate", "--model", "cw", "--N", "15", "--beta", "1.5", "--samples", "20",
                        "--score", "learned", "--n-train", "300", "--steps", "30", "--json")
    assert rc == 0, err
    assert 0 <= json.loads(out)["p_plus_learned_exact"] <= 1


def test_cli_entry_point_subprocess():
    r = subprocess.run([sys.executable, "-m", "numerics.cli", "cw", "--N", "0", "--beta", "1"], capture_output=True, text=True)
    assert r.returncode == 2 and "--N" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_generation_with_learned_score_matches_learned_model():
    rng = np.random.default_rng(17)
    model = C.CurieWeiss(21, 1.5, 0.5)
    h, J = D.fit_pseudolikelihood(model.sample(84, rng))
    target = K.p_plus_of_fields(h, J)
    g = Gen.generate(model, 600, rng, fields=h, J=J, steps=140)
    assert abs(g["p_plus"] - target) < 4 * g["p_plus_stderr"]
