r"""Verification checks of general Gaussian mixtures (THEORY §6).

Theory values go through :func:`numerics.results.theory` (mutable by ``regimes verify --mutate``); every
check names the registered results it tests and is sized so that a 5 % error in any of them fails
(``regimes verify --only 'mixture.*' --power`` measures the detection limits).

Speciation *times* are measured, never read at times chosen from the theory. The measured time t× is
where a Monte Carlo φ(t), on a grid of 9 times centred on a numeric root of κ = 1 (independent of any
mutation), crosses the fixed level L = φ_∞(κ = 1, p̃) of the universal two-class curve (0.7752 for
p̃ = ½; a convention, computed by :mod:`numerics.universal`, not a theory value). Its prediction is

    t× = T + [t_L − T_ind] + b,

T the registered closed form under test, T_ind the same time by an *independent* route (the top
eigenvalues of the data covariance, ½ ln Λ_j, or Brent's root of the generated κ = 1), t_L the time where
the exact finite-d theory φ(t) crosses L (derived; it moves with κ, the LLR geometry and φ), and b the
straight-line estimator's bias on the theory curve over the same grid (derived). Errors: bootstrap over
the independent draws. φ is measured by exact-posterior Monte Carlo (:mod:`numerics.engine.posterior`:
exact draws of P_t, the same draws at every grid time, φ = E Σ_G P(G|x)², no SDE and no integrator
bias) — the cloning probability of the exact backward dynamics, by the Markov property.

- ``mixture.hierarchy.t_S``: four classes ±M ± m (|M|² = d, |m|² = 0.09 d, M ⊥ m, σ = 1), super-class
  and class levels at d = 256 and 4096; T = ``mixture.t_S_mean_large_d`` of the level's closest cross pair,
  T_ind = ½ ln Λ_j (j = 1, 2: the eigenvalue cascade).
- ``mixture.hierarchy.phi``: the same mixture (d = 1024) cloned by the backward SDE in its exact 2-D
  projection, φ of both levels at six branch times, and the exact-posterior φ on the branch states, vs
  the exact theory (the LLR geometry of ``mixture.llr_cov`` from ``mixture.kappa_mean``).
- ``mixture.weights.t_S``: K = 5 random means (norms 0.6 … 1.4 √d, d = 512), unequal weights (0.05 … 0.38):
  every pair's φ restricted to the pair (its two-class sub-mixture) crosses φ_∞(1, p̃) at
  T = ``mixture.t_S_mean``, T_ind = Brent's root of ``mixture.kappa_mean`` = 1.
- ``mixture.weights.phi``: that mixture cloned in its exact 4-D projection, class level and a two-group
  level, vs the exact theory (scrambled-Sobol quadrature, error ≤ 2e-5).
- ``mixture.cov.t_S``: two same-mean classes with variances 1.3 and 0.7 at d = 256, 1024, 4096: the
  crossing vs T = ``mixture.t_S_cov`` (T_ind: Brent's root of ``mixture.kappa_cov`` = 1; t_L from the
  exact χ²_d integral ``mixture.phi_cov``), and the slope of t× in ln d against the ¼ of
  ``mixture.t_S_cov_large_d`` plus the slope of the derived offsets.
- ``mixture.cov.phi``: the acceptance run, d = 512, 3000 pairs, full d-dimensional cloning with the exact
  score at five times t_S + (−0.2 … 0.2), and the exact-posterior φ on the branch states, vs ``mixture.phi_cov``.
- ``mixture.kl``: E_a[ln N_a − ln N_b] = KL(a‖b) and ¼(E_a − E_b)[ln N_a − ln N_b] = κ_ab, exact at any d,
  by sampling N_a,t and N_b,t, for five pairs (shared isotropic, same-mean isotropic, diagonal, low rank vs
  spiked in different subspaces, full random covariances).
- ``mixture.low_rank.t_C``: two classes on one D-dimensional linear subspace (eigenvalue λ = 1, means ±1.5
  along it), d = 256, D = 8 and 32: f^e(t) over 8 training sets of n = 3000 points crosses cα (c = 0.8)
  at ``mixture.t_C_rank``(n^{1−c}) — f_lead = cα ⇔ (D/2d) ln(1 + λe^{−2t}/Δ_t) = (1 − c)α, the collapse
  law of n^{1−c} points — plus the derived shift of the exact finite-d f = f_lead − I(c; x_t)/d (I exact:
  shared covariance), T_ind: Brent's root of ``mixture.f_rank`` = cα; d·cα = c ln n = 6.4 (the REM
  correction of f^e, ≈ n^{1−2c}/d, over the slope f' ∝ D/d: 0.002 in t for D = 8; see ``COLLAPSE_LEVEL``).
- ``mixture.low_rank.excess_entropy``: f^e(t) vs the exact finite-d f in the liquid phase (f = 0.9α, 0.97α:
  d·f ≥ 7.2; at t = 1.5 t_C, d·f ≈ 1 for D = 8 and f^e exceeds f by 10 stderr — the REM rounding), for the rank-D mixture (``mixture.f_rank``) and for classes of different ranks (``mixture.entropy_term``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from numerics import universal
from numerics.engine.cloning import clone_phi
from numerics.engine.crossing import bootstrap_crossing, linear_crossing
from numerics.engine.entropy import excess_entropy_mc
from numerics.engine.posterior import posterior_mc
from numerics.models.mixture.model import LEVEL_CLASS, Mixture
from numerics.models.mixture.spec import Cov
from numerics.results import numeric
from numerics.verify import Measurement, check, seed_from

UNCHECKED = {
    "mixture.Gamma": "the class variance along an eigen-direction: enters the simulation (score, sampling; never "
                     "mutated) and, inlined, every generated κ and KL, which the checks test; unit tests tie it to "
                     "the affine OU moments",
    "mixture.log_component": "the exact class log-density the simulation uses (never mutated): tested against dense "
                             "d-dimensional Gaussian densities in tests/models/test_mixture.py; every cloning and "
                             "exact-posterior check runs on it",
    "mixture.score_component": "the exact class score the simulation uses (never mutated): tested against finite "
                               "differences of the log-density in tests/models/test_mixture.py; every cloning check runs on it",
}

LEVEL_KAPPA = 1.0  # the speciation criterion κ = 1


# ---------------------------------------------------------------------------------------- models
def hierarchy_mixture(d: int, mu_M: float = 1.0, mu_m: float = 0.3, sigma: float = 1.0) -> Mixture:
    """Four classes ±M ± m, |M| = μ_M √d, |m| = μ_m √d, M ⊥ m, shared σ² I, groups by the sign of M."""
    M = np.zeros(d)
    M[0] = mu_M * math.sqrt(d)
    m = np.zeros(d)
    m[1] = mu_m * math.sqrt(d)
    return Mixture([0.25] * 4, [M + m, M - m, -M + m, -M - m], [sigma**2] * 4, groups=[["+M", "+M", "-M", "-M"]])


def random_means_mixture(d: int = 512, K: int = 5, seed: int = 7) -> Mixture:
    """K random mean directions with norms 0.6 … 1.4 √d, unequal weights (Dirichlet(2)), σ = 1, and a
    two-group level (classes with even / odd index). A fixed seed: the model is part of the check."""
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((K, d))
    scale = rng.permutation(np.linspace(0.6, 1.4, K)) * math.sqrt(d)
    means = g / np.linalg.norm(g, axis=1, keepdims=True) * scale[:, None]
    w = rng.dirichlet(2.0 * np.ones(K))
    return Mixture(w, means, [1.0] * K, groups=[["even" if c % 2 == 0 else "odd" for c in range(K)]])


def covariance_mixture(d: int, s2a: float = 1.3, s2b: float = 0.7) -> Mixture:
    """Two same-mean isotropic classes σ_a² I, σ_b² I, equal weights."""
    return Mixture([0.5, 0.5], [np.zeros(d), np.zeros(d)], [s2a, s2b])


def low_rank_mixture(d: int, D: int, lam: float = 1.0, shift: float = 1.5, seed: int = 11) -> Mixture:
    """Two classes sharing one rank-D covariance λ U Uᵀ (a random D-dimensional subspace), means ±shift·u₁
    inside it: data on a D-dimensional linear manifold."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((d, D)))
    cov = Cov.low_rank(U, np.full(D, lam))
    return Mixture([0.5, 0.5], [shift * U[:, 0], -shift * U[:, 0]], [cov, cov])


# ---------------------------------------------------------------------------------------- helpers
def level_of_pair(p: float) -> float:
    """The crossing level L = φ_∞(κ = 1, p̃) of the universal two-class curve (a convention: numerics, not theory)."""
    return float(universal.phi(LEVEL_KAPPA, p))


def kappa_root(kappa, lo: float = 1e-6, hi: float = 60.0) -> float:
    """Brent's root of κ(t) = 1 for a decreasing κ."""
    return float(brentq(lambda t: math.log(float(kappa(t))), lo, hi, xtol=1e-13, rtol=1e-15))


def theory_crossing(phi_of_t, grid: np.ndarray, level: float) -> tuple[float, float, np.ndarray]:
    """(t_L, b, curve): root of the theory φ(t) = level (Brent, bracketed on the grid, or beyond it when a mutated
    theory moves the crossing off the grid), the straight-line estimator's bias on the theory curve over
    ``grid``, and the curve on the grid."""
    curve = np.array([float(phi_of_t(t)) for t in grid])
    s = curve - level
    k = np.flatnonzero(np.sign(s[:-1]) != np.sign(s[1:]))
    if k.size:
        lo, hi = grid[k[0]], grid[k[0] + 1]
    else:  # φ decreases with t: step outwards on the side the level lies
        step = float(grid[-1] - grid[0])
        lo, hi = (grid[-1], grid[-1] + step) if s[-1] > 0 else (grid[0] - step, grid[0])
        for _ in range(40):
            if (float(phi_of_t(lo)) - level) * (float(phi_of_t(hi)) - level) <= 0:
                break
            lo, hi = (hi, hi + step) if s[-1] > 0 else (max(lo - step, 1e-6), lo)
        else:
            raise ValueError(f"the theory curve does not cross {level:.4f}")
    t_l = float(brentq(lambda t: float(phi_of_t(t)) - level, lo, hi, xtol=1e-11))
    return t_l, linear_crossing(grid, curve, level) - t_l, curve


def posterior_crossing(model, grid, level_name: str, level: float, samples: int, rng) -> tuple[float, float, object]:
    """Measured crossing time of the exact-posterior φ through ``level`` (bootstrap over the draws)."""
    res = posterior_mc(model, grid, samples, seed_from(rng))
    est, se = bootstrap_crossing(grid, res.values[level_name], level, n_boot=300, rng=rng)
    return est, se, res


def clone_levels(model: Mixture, ts, pairs: int, steps: int, rng, *, fast_path: bool):
    """One cloning pass (exact score). The start is an exact draw of P_T at T = max(t) + 0.1 and the class of an
    endpoint is drawn from its exact posterior at t_min = min(t) − 0.2 (no t_min bias, see the model), so every
    step serves the branch window: uniform grid, the exponential integrator's O(h) bias below the errors
    (measured on the hierarchy at 100/200/400 steps: exact-posterior φ on the branch states within 1e-3)."""
    ts = np.asarray(ts, dtype=float)
    return clone_phi(model, ts, pairs, seed_from(rng), fast_path=fast_path, steps=steps, t_min=float(ts.min()) - 0.2,
                     T=float(ts.max()) + 0.1, grid="uniform")


def _phi_rows(res, tag: str, params: dict) -> list[Measurement]:
    """Cloning rows (binomial errors) and exact-posterior rows on the branch states, per level and time, against the
    model's exact theory computed by the engine (``phi_theory``, through ``numerics.results.theory``); rows where
    the theory φ exceeds 0.99 (a saturated level, 1 − φ below the integrator's resolution) are left out."""
    rows = []
    for lv in res.levels:
        name, th = lv["level"], lv["phi_theory"]
        for j, t in enumerate(res.t):
            if th[j] > 0.99:
                continue
            p = {**params, "t": float(t), "level": name}
            rows.append(Measurement(float(th[j]), float(lv["phi"][j]), float(lv["stderr"][j]), p,
                                    label=f"{tag},{name},t={t:.3f},cloning"))
            rows.append(Measurement(float(th[j]), float(lv["phi_posterior"][j]), float(lv["phi_posterior_stderr"][j]),
                                    p, label=f"{tag},{name},t={t:.3f},posterior"))
    return rows


# ---------------------------------------------------------------------------------------- hierarchy
@check("mixture.hierarchy.t_S", tests=("mixture.t_S_mean_large_d", "mixture.kappa_mean", "mixture.llr_cov"),
       description="four classes ±M±m: super-class and class speciation times measured (exact-posterior φ crossing "
                   "φ_∞(1) = 0.7752) vs ½ ln Λ_ab of the closest cross pair + derived finite-d offset; d = 256, 4096")
def hierarchy_t_s(rng, full):
    samples = 20000 if not full else 200000
    out = []
    for d in (256, 4096):
        model = hierarchy_mixture(d)
        fast = model.fast_path()
        eig = model.data_covariance_top(2)  # independent route: the eigenvalue cascade
        level = level_of_pair(0.5)
        for j, lv in enumerate(model.level_names):
            a, b = min(model.cross_pairs(lv), key=lambda ab: float(np.sum((model.means[ab[0]] - model.means[ab[1]]) ** 2)))
            D2 = float(np.sum((model.means[a] - model.means[b]) ** 2))
            centre = kappa_root(lambda t: numeric("mixture.kappa_mean")(t, D2, 1.0))
            grid = centre + np.linspace(-0.15, 0.15, 9)
            est, se, _ = posterior_crossing(fast, grid, lv, level, samples, rng)
            t_l, bias, _ = theory_crossing(lambda t: model.phi_levels(t, levels=[lv])[lv][0], grid, level)
            T = model.level_t_S(lv, large_d=True)
            T_ind = 0.5 * math.log(float(eig[j]))
            out.append(Measurement(T + (t_l - T_ind) + bias, est, se,
                                   {"d": d, "level": lv, "samples": samples, "t_S_large_d": T, "half_ln_Lambda": T_ind,
                                    "t_L": t_l, "estimator_bias": bias, "level_value": level, "pair": [a, b]},
                                   label=f"d={d},{lv}"))
    return out


@check("mixture.hierarchy.phi", tests=("mixture.kappa_mean", "mixture.llr_cov"),
       description="four classes ±M±m (d = 1024): cloned φ of the super-class and class levels (backward SDE in the "
                   "exact 2-D projection) and the exact-posterior φ on the branch states vs the exact theory")
def hierarchy_phi(rng, full):
    pairs, steps = (10000, 200) if not full else (100000, 800)
    model = hierarchy_mixture(1024)
    ts = []
    for lv in model.level_names:
        t0 = model.level_t_S(lv)
        ts += [t0 - 0.3, t0, t0 + 0.3]
    res = clone_levels(model, ts, pairs, steps, rng, fast_path=True)
    return _phi_rows(res, "d=1024", {"d": 1024, "pairs": pairs, "steps": steps})


# ---------------------------------------------------------------------------------------- K = 5, unequal weights
@check("mixture.weights.t_S", tests=("mixture.t_S_mean", "mixture.kappa_mean", "gm.phi"),
       description="K = 5 random means, unequal weights (d = 512): every pair's speciation time measured (its "
                   "exact-posterior φ crossing φ_∞(1, p̃)) vs the exact root of κ_ab = 1")
def weights_t_s(rng, full):
    samples = 20000 if not full else 200000
    model = random_means_mixture()
    out = []
    for a, b in model.pairs():
        sub = model.pair_model(a, b)
        p = float(sub.weights[0])
        level = level_of_pair(p)
        D2 = float(np.sum((model.means[a] - model.means[b]) ** 2))
        T_ind = kappa_root(lambda t: numeric("mixture.kappa_mean")(t, D2, 1.0))
        grid = T_ind + np.linspace(-0.15, 0.15, 9)
        est, se, _ = posterior_crossing(sub.fast_path(), grid, LEVEL_CLASS, level, samples, rng)
        t_l, bias, _ = theory_crossing(lambda t: sub.phi_levels(t)[LEVEL_CLASS][0], grid, level)
        T = model.pair_t_S(a, b)
        out.append(Measurement(T + (t_l - T_ind) + bias, est, se,
                               {"pair": [a, b], "p_tilde": p, "D2": D2, "samples": samples, "t_S": T,
                                "t_S_root_of_generated_kappa": T_ind, "t_L": t_l, "estimator_bias": bias,
                                "level_value": level}, label=f"{a}-{b}"))
    return out


@check("mixture.weights.phi", tests=("mixture.kappa_mean", "mixture.llr_cov"),
       description="K = 5 random means, unequal weights (d = 512): cloned φ of the class level and a two-group level "
                   "(backward SDE in the exact 4-D projection) and exact-posterior φ vs the exact theory")
def weights_phi(rng, full):
    pairs, steps = (10000, 200) if not full else (100000, 800)
    model = random_means_mixture()
    t0 = model.level_t_S(LEVEL_CLASS)
    ts = list(t0 + np.array([-0.2, 0.2, 0.6, 1.0]))
    res = clone_levels(model, ts, pairs, steps, rng, fast_path=True)
    return _phi_rows(res, "K=5", {"d": 512, "pairs": pairs, "steps": steps})


# ---------------------------------------------------------------------------------------- covariance classes
COV_DIMS = (256, 1024, 4096)


@check("mixture.cov.t_S", tests=("mixture.t_S_cov", "mixture.t_S_cov_large_d", "mixture.phi_cov"),
       description="same-mean classes σ² = 1.3, 0.7: speciation time measured (exact-posterior φ crossing 0.7752) at "
                   "d = 256, 1024, 4096 vs the exact root of κ_ab = 1, and its slope in ln d vs the ¼ ln d law")
def cov_t_s(rng, full):
    level = level_of_pair(0.5)
    rows, meas, pred, errs, lead = [], [], [], [], []
    for d in COV_DIMS:
        samples = (20000 if d <= 1024 else 8000) if not full else 100000  # d-dimensional draws: cost ∝ samples·d
        model = covariance_mixture(d)
        T_ind = kappa_root(lambda t: numeric("mixture.kappa_cov")(t, float(d), 1.3, 0.7))
        grid = T_ind + np.linspace(-0.1, 0.1, 9)
        est, se, _ = posterior_crossing(model, grid, LEVEL_CLASS, level, samples, rng)
        t_l, bias, _ = theory_crossing(lambda t: model.phi_levels(t)[LEVEL_CLASS][0], grid, level)
        T = model.pair_t_S(0, 1)
        T_large = model.pair_t_S_large_d(0, 1)
        T_large_num = float(numeric("mixture.t_S_cov_large_d")(float(d), 1.3, 0.7))
        rows.append(Measurement(T + (t_l - T_ind) + bias, est, se,
                                {"d": d, "samples": samples, "t_S": T, "t_S_root_of_generated_kappa": T_ind,
                                 "t_S_large_d": T_large, "t_L": t_l, "estimator_bias": bias, "level_value": level},
                                label=f"d={d}"))
        meas.append(est)
        errs.append(se)
        pred.append(T_large + (t_l + bias - T_large_num))
        lead.append(T_large)
    x = np.log(np.array(COV_DIMS, dtype=float))
    w = (x - x.mean()) / np.sum((x - x.mean()) ** 2)  # least-squares slope weights
    slope = float(w @ np.array(meas))
    slope_se = float(math.sqrt(np.sum((w * np.array(errs)) ** 2)))
    rows.append(Measurement(float(w @ np.array(pred)), slope, slope_se,
                            {"dims": list(COV_DIMS), "measured_times": meas, "slope_of_large_d_law": float(w @ np.array(lead)),
                             "slope_minus_quarter": slope - 0.25, "acceptance": "|slope - 0.25| <= 0.03"},
                            label="slope_in_ln_d"))
    return rows


@check("mixture.cov.phi", tests=("mixture.phi_cov",),
       description="same-mean classes σ² = 1.3, 0.7 at d = 512: full d-dimensional cloning (exact score, 3000 pairs) and "
                   "exact-posterior φ at t_S + (−0.2 … 0.2) vs the exact χ²_d integral")
def cov_phi(rng, full):
    pairs, steps = (3000, 50) if not full else (20000, 400)
    model = covariance_mixture(512)
    t0 = model.pair_t_S(0, 1)
    res = clone_levels(model, t0 + np.linspace(-0.2, 0.2, 5), pairs, steps, rng, fast_path=False)
    return _phi_rows(res, "d=512", {"d": 512, "pairs": pairs, "steps": steps})


# ---------------------------------------------------------------------------------------- KL and κ
def kl_pairs() -> list[tuple[str, Mixture, float]]:
    """(name, two-class mixture, time) for the KL check: κ_ab(t) ≈ 1 … 3 at the chosen times."""
    rng = np.random.default_rng(5)
    d = 128
    out = []
    m = np.zeros(d)
    m[0] = 3.0
    out.append(("shared_iso", Mixture([0.5, 0.5], [m, -m], [1.0, 1.0]), 0.6))
    out.append(("same_mean_iso", Mixture([0.5, 0.5], [np.zeros(d)] * 2, [1.3, 0.7]), 0.5))
    va, vb = rng.uniform(0.3, 2.0, d), rng.uniform(0.3, 2.0, d)
    out.append(("diagonal", Mixture([0.5, 0.5], [0.2 * rng.standard_normal(d), np.zeros(d)], [va, vb]), 0.8))
    Ua, _ = np.linalg.qr(rng.standard_normal((d, 8)))
    Ub, _ = np.linalg.qr(rng.standard_normal((d, 4)))
    low = Cov.low_rank(Ua, rng.uniform(1.0, 4.0, 8), base=0.0)
    spiked = Cov.low_rank(Ub, np.array([6.0, 5.0, 4.0, 3.0]), base=0.5)
    out.append(("low_rank_vs_spiked", Mixture([0.5, 0.5], [0.5 * Ua[:, 0], np.zeros(d)], [low, spiked]), 1.2))
    d2 = 32
    A = rng.standard_normal((d2, d2)) / math.sqrt(d2)
    B = rng.standard_normal((d2, d2)) / math.sqrt(d2)
    out.append(("full", Mixture([0.5, 0.5], [0.3 * rng.standard_normal(d2), np.zeros(d2)],
                                [A @ A.T + 0.1 * np.eye(d2), 2.0 * B @ B.T]), 0.9))
    return out


@check("mixture.kl", tests=("mixture.kl", "mixture.kl_gauss", "mixture.kappa", "mixture.kappa_gauss",
                            "mixture.kappa_mean", "mixture.kappa_cov"),
       description="E_a[ln N_a − ln N_b] = KL(a‖b) and ¼(E_a − E_b)[ln N_a − ln N_b] = κ_ab by sampling the noised "
                   "classes: shared isotropic, same-mean isotropic, diagonal, low rank vs spiked, full covariances")
def kl_check(rng, full):
    samples = 20000 if not full else 200000
    out = []
    for name, model, t in kl_pairs():
        llr = {}
        for c in (0, 1):
            x = _class_draws(model, c, t, samples, rng)
            lc = model.log_components(x, t) - model.logp  # ln N_a, ln N_b
            llr[c] = lc[:, 0] - lc[:, 1]
        kl = float(model.pair_kl(0, 1, t)[0])
        kap = float(model.pair_kappa(0, 1, t)[0])
        se_kl = float(llr[0].std(ddof=1) / math.sqrt(samples))
        kap_mc = 0.25 * (float(llr[0].mean()) - float(llr[1].mean()))
        se_kap = 0.25 * math.sqrt(llr[0].var(ddof=1) / samples + llr[1].var(ddof=1) / samples)
        p = {"pair": name, "t": t, "d": model.d, "samples": samples, "case": model._pair_case(0, 1)}
        out.append(Measurement(kl, float(llr[0].mean()), se_kl, p, label=f"{name},KL"))
        out.append(Measurement(kap, kap_mc, se_kap, p, label=f"{name},kappa"))
    return out


def _class_draws(model: Mixture, c: int, t: float, size: int, rng) -> np.ndarray:
    """Exact draws of N(e^{-t} m_c, Γ_c(t))."""
    a = model.means[c] + model.covs[c].sample(size, rng)
    return math.exp(-t) * a + math.sqrt(-math.expm1(-2 * t)) * rng.standard_normal(a.shape)


# ---------------------------------------------------------------------------------------- collapse
#: c of the collapse check. The REM (finite-n) correction of f^e in the liquid phase is, to leading order,
#: KL(P^e‖P)/d ≈ χ²/(2d) = (E_x[Π_i Γ_i/Δ_t] − 1)/(2dn) per class ≈ n^{1−2c}/d at f = cα for two separated
#: classes (measured on rank-8 classes, d = 256, n = 3000: f^e − f = 2.9e-4, 1.3e-4, 7.5e-5, 4.1e-5 at
#: d·f = 4.4, 5.7, 7.0, 7.7); it shifts the crossing by that over f'(t) ∝ D/d, large for a small intrinsic
#: dimension: c = 0.8 keeps it at 0.002 for D = 8 (0.35 stderr), c = 0.7 would give 0.008.
COLLAPSE_LEVEL = 0.8


def leading_root_dense(model: Mixture, n: float, level: float) -> float:
    """Root of the leading-order f(t) = level by an independent route: the eigenvalues of the dense class
    covariances (``numpy.linalg.eigvalsh``) in α − (1/2d) Σ_c p_c Σ_i ln(1 + λ_{c,i} e^{−2t}/Δ_t), NumPy only."""
    lams = [np.maximum(np.linalg.eigvalsh(cv.dense()), 0.0) for cv in model.covs]
    alpha = math.log(n) / model.d

    def f(t: float) -> float:
        u = math.exp(-2.0 * t) / -math.expm1(-2.0 * t)
        return alpha - sum(p * float(np.sum(np.log1p(lam * u))) for p, lam in zip(model.weights, lams)) / (2.0 * model.d)

    return float(brentq(lambda t: f(t) - level, 1e-4, 20.0, xtol=1e-13))


def collapse_crossing_theory(model: Mixture, n: int, c: float, grid: np.ndarray, mi=None) -> tuple[float, dict]:
    """Predicted crossing of f^e through cα on ``grid``: T + [t_fd − T_ind] + b (see the module docstring).

    T = t_C(n^{1−c}) (``mixture.t_C_rank`` for rank-D classes, else the root for the spectrum through
    ``mixture.entropy_term``); t_fd the root of the exact finite-d f = f_lead − I(c; x_t)/d = cα, with I exact
    (shared covariance) or ``mi(t)`` (exact-posterior Monte Carlo, interpolated); T_ind the leading root by an
    independent route (Brent on the generated ``mixture.f_rank``, or :func:`leading_root_dense`)."""
    alpha = math.log(n) / model.d
    level = c * alpha
    form = model._rank_form()

    def f_exact(t):
        if mi is None:
            return model.excess_entropy(t, n, finite_d=True)
        return model.excess_entropy(t, n, finite_d=False) - mi(np.atleast_1d(t)) / model.d

    lo, hi = float(grid[0]) - 0.15, float(grid[-1]) + 0.15
    t_fd = brentq(lambda t: float(f_exact(t)[0]) - level, lo, hi, xtol=1e-12)
    if form is not None:
        D, lam = form
        T_ind = brentq(lambda t: float(numeric("mixture.f_rank")(t, alpha, float(model.d), float(D), lam)) - level,
                       1e-4, 20.0, xtol=1e-13)
    else:
        T_ind = leading_root_dense(model, n, level)
    curve = f_exact(grid)
    bias = linear_crossing(grid, curve, level) - t_fd
    T = model.t_C(n ** (1.0 - c))
    slope = float(np.polyfit(grid, curve, 1)[0])
    return T + (t_fd - T_ind) + bias, {"t_C_n_pow": T, "finite_d_shift": t_fd - T_ind, "estimator_bias": bias,
                                       "level": level, "t_C": model.t_C(n), "f_slope": slope,
                                       "rank_form": None if form is None else {"D": form[0], "lambda": form[1]}}


@check("mixture.low_rank.t_C", tests=("mixture.t_C_rank", "mixture.f_rank", "mixture.entropy_term"),
       description="collapse on D-dimensional manifolds measured: f^e(t) over 8 training sets crosses cα (c = 0.8) at "
                   "t_C(n^{1−c}) with intrinsic dimension D (d = 256, n = 3000, D = 8 and 32; and classes of ranks 8 "
                   "and 24, the spectrum route) + derived finite-d shift")
def low_rank_t_c(rng, full):
    d, n, sets, samples = (256, 3000, 8, 800) if not full else (512, 20000, 12, 2000)
    c = COLLAPSE_LEVEL
    level = c * math.log(n) / d
    out = []
    for tag, model in (("D=8", low_rank_mixture(d, 8)), ("D=32", low_rank_mixture(d, 32)), ("ranks8+24", mixed_rank_mixture(d))):
        t_guess = brentq(lambda t: float(model.excess_entropy(t, n, finite_d=True)[0]) - level, 1e-4, 20.0)
        grid = t_guess * np.linspace(0.94, 1.06, 9)
        mi = mi_se = None
        if model.phi_method() == "large-d":  # no exact quadrature of I(c; x_t): exact-posterior Monte Carlo
            tg = np.linspace(grid[0] - 0.15, grid[-1] + 0.15, 13)
            pm = posterior_mc(model, tg, 20000, seed_from(rng))
            vals = math.log(2.0) - pm.entropy.mean(axis=0)
            errs = pm.entropy.std(axis=0, ddof=1) / math.sqrt(pm.samples)
            mi = lambda t, tg=tg, vals=vals: np.interp(t, tg, vals)  # noqa: E731
            mi_se = float(np.max(errs))
        theory, parts = collapse_crossing_theory(model, n, c, grid, mi)
        crossings = []
        for _ in range(sets):
            train = model.sample(n, rng)
            res = excess_entropy_mc(train, grid, samples, seed_from(rng), dtype=np.float32)
            crossings.append(linear_crossing(grid, res.f, level))
        crossings = np.array(crossings)
        se = float(crossings.std(ddof=1) / math.sqrt(sets))
        if mi_se is not None:  # the Monte Carlo error of I/d moves the predicted crossing by se_I/(d f')
            se = math.sqrt(se**2 + (mi_se / (d * parts["f_slope"])) ** 2)
        out.append(Measurement(theory, float(crossings.mean()), se,
                               {"d": d, "n": n, "c": c, "training_sets": sets, "samples": samples, "model": tag,
                                "mutual_information": "exact" if mi is None else "exact-posterior Monte Carlo", **parts},
                               label=tag))
    return out


def mixed_rank_mixture(d: int = 256, seed: int = 13) -> Mixture:
    """Two classes of ranks 8 and 24 (eigenvalues 1 and 0.5) in random subspaces, means 0 (entropy_term path)."""
    rng = np.random.default_rng(seed)
    Ua, _ = np.linalg.qr(rng.standard_normal((d, 8)))
    Ub, _ = np.linalg.qr(rng.standard_normal((d, 24)))
    return Mixture([0.5, 0.5], [np.zeros(d)] * 2, [Cov.low_rank(Ua, np.full(8, 1.0)), Cov.low_rank(Ub, np.full(24, 0.5))])


def liquid_times(model: Mixture, n: int, levels=(0.9, 0.97)) -> np.ndarray:
    """Times where the leading-order f equals cα, c in ``levels`` (d·f = c ln n ≥ 7.2: the REM correction of f^e,
    ≈ n^{1−2c}/d (see ``COLLAPSE_LEVEL``), is ≤ 7.5e-5, below one stderr), from the generated ``mixture.entropy_term`` (unmutated: the times stay put)."""
    vals, wts = model._spectrum()
    alpha = math.log(n) / model.d
    term = numeric("mixture.entropy_term")
    f = lambda t: alpha - float(np.dot(wts, term(t, vals))) / model.d  # noqa: E731
    return np.array([brentq(lambda t: f(t) - c * alpha, 1e-6, 50.0, xtol=1e-12) for c in levels])


@check("mixture.low_rank.excess_entropy", tests=("mixture.f_rank",),
       description="Monte Carlo f^e(t) over 8 training sets vs the exact finite-d f(t) in the liquid phase (f = 0.9α, "
                   "0.97α): rank-8 classes (f_rank) and classes of ranks 8 and 24 (entropy_term), d = 256, n = 3000")
def low_rank_entropy(rng, full):
    d, n, sets, samples = (256, 3000, 8, 150) if not full else (512, 20000, 12, 1000)
    out = []
    for tag, model in (("rank8", low_rank_mixture(d, 8)), ("ranks8+24", mixed_rank_mixture(d))):
        ts = liquid_times(model, n)
        tc = model.t_C(n)
        fe = np.array([excess_entropy_mc(model.sample(n, rng), ts, samples, seed_from(rng), dtype=np.float32).f
                       for _ in range(sets)])  # independent training sets: the error includes their fluctuation
        mi_se = np.zeros(ts.size)
        if model.phi_method() == "large-d":  # no exact quadrature: I(c; x_t) by exact-posterior Monte Carlo
            pm = posterior_mc(model, ts, 20000, seed_from(rng))
            mi = np.log(2.0) - pm.entropy.mean(axis=0)
            mi_se = pm.entropy.std(axis=0, ddof=1) / math.sqrt(pm.samples)
            th = model.excess_entropy(ts, n, finite_d=False) - mi / d
        else:
            th = model.excess_entropy(ts, n, finite_d=True)
        se = fe.std(axis=0, ddof=1) / math.sqrt(sets)
        for t, f, s, ft, ms in zip(ts, fe.mean(axis=0), se, th, mi_se):
            out.append(Measurement(float(ft), float(f), float(math.sqrt(s**2 + (ms / d) ** 2)),
                                   {"d": d, "n": n, "t": float(t), "t_over_t_C": float(t / tc), "model": tag,
                                    "training_sets": sets, "samples": samples, "f_over_alpha": float(ft / (math.log(n) / d))},
                                   label=f"{tag},t={t:.3f}"))
    return out
