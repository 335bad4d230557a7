"""REM checks (THEORY §3): free entropy, Poisson–Dirichlet participation ratio and the collapse
cloning probability φ_C(t), against direct log-sum-exp over n = e^{αd} Gaussian training points.

Standard errors are measured over independent training sets (block means), so the correlation
between query points sharing a training set is accounted for. The theory values are the
finite-d forms of ``numerics.rem`` (Bahadur–Rao lowest level + Poisson–Dirichlet log-partition
in the condensed phase, annealed bulk + one low level in the liquid phase), evaluated at the
measured r = |x|²/d of each query point; they are O(1/d²)-accurate away from α_c, which is
why the points sit at least ~3 d^{-1/2} s/sqrt(Γ) away from the transition.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.engine.cloning import clone_phi
from numerics.engine.empirical import EmpiricalScore
from numerics.models.rem import model as rem
from numerics.verify import Measurement, check

SIGMA = 1.0


def _measure(values_theory: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float, float]:
    """value, theory, stderr of (value - theory) from the block means."""
    diffs = np.array([np.mean(v - th) for v, th in values_theory])
    val = float(np.mean([np.mean(v) for v, _ in values_theory]))
    th = float(np.mean([np.mean(t_) for _, t_ in values_theory]))
    return val, th, float(diffs.std(ddof=1) / math.sqrt(len(diffs)))


def _dimension(full: bool) -> int:
    """d = 256 (quick) or 384 (full: n = e^{αd} ≈ 1e5 points; d = 512 would need 4.7e6 × 512 floats)."""
    return 384 if full else 256


POINTS = ((0.03, 0.5), (0.03, 0.9), (0.03, 1.8), (0.03, 2.5))


@check("rem.free_entropy", tests=("rem.alpha_c",), description="(1/d) ln Z over e^{αd} Gaussian training points (d=256; condensed and "
       "liquid) vs the REM free entropy with finite-d corrections (liquid: α - α_c(t) - r/(2Γ_t) + one low level)")
def free_entropy_check(rng: np.random.Generator, full: bool):
    d = _dimension(full)
    sets, per = (16, 16) if full else (8, 12)
    out = []
    for alpha, t in POINTS:
        n, rows = rem.partition_blocks(rng, d, alpha, t, sets, per, empirical=False)
        pairs = [(fe, rem.free_entropy(alpha, t, SIGMA, r, d)) for fe, _, r in rows]
        val, th, se = _measure(pairs)
        lead = float(rem.free_entropy(alpha, t, SIGMA))
        out.append(Measurement(th, val, se, {"d": d, "n": n, "alpha": alpha, "t": t, "sigma": SIGMA,
                                             "phase": rem.phase(alpha, t, SIGMA)},
                               label=f"alpha={alpha:g},t={t:g}", extra={"leading_order": lead}))
    return out


@check("rem.participation_ratio", tests=("rem.pd_participation",), description="E Σ_μ w_μ² at points of P_t (d=256) vs 1 - m "
       "(Poisson–Dirichlet, condensed) and the one-low-level liquid form")
def participation_check(rng: np.random.Generator, full: bool):
    d = _dimension(full)
    sets, per = (32, 64) if full else (24, 40)
    out = []
    for alpha, t in POINTS:
        n, rows = rem.partition_blocks(rng, d, alpha, t, sets, per, empirical=False)
        pairs = [(pr, rem.participation_ratio(alpha, t, SIGMA, r, d)) for _, pr, r in rows]
        val, th, se = _measure(pairs)
        out.append(Measurement(th, val, se, {"d": d, "n": n, "alpha": alpha, "t": t, "sigma": SIGMA,
                                             "m": float(rem.freezing_m(alpha, t, SIGMA, None, d))},
                               label=f"alpha={alpha:g},t={t:g}",
                               extra={"leading_order": float(rem.participation_ratio(alpha, t, SIGMA))}))
    return out


@check("rem.phi_C", tests=("rem.alpha_c",), description="φ_C(t) = E_{x~P^e_t} Σ_μ w_μ² (two clones of the empirical dynamics end on the "
       "same training point), direct sampling at d=256 vs the finite-d REM crossover")
def phi_c_check(rng: np.random.Generator, full: bool):
    d = _dimension(full)
    sets, per = (16, 16) if full else (8, 12)
    sets, per = (16, 32) if full else (12, 24)
    out = []
    alpha = 0.03
    for t in (0.9, 2.2, 2.6):
        n, rows = rem.partition_blocks(rng, d, alpha, t, sets, per, empirical=True)
        th_val = float(rem.phi_C(t, alpha, SIGMA, d))
        pairs = [(pr, np.full_like(pr, th_val)) for _, pr, _ in rows]
        val, th, se = _measure(pairs)
        # Σw² ∈ [0, 1] => Var ≤ μ(1 - μ): under the theory (null hypothesis) the standard error is
        # at most sqrt(φ(1 - φ)/N). Used as a floor on the condensed side (φ > ½) only, where nearly
        # every sample is 1 and the measured spread underestimates the rare-event variance.
        if th_val > 0.5:
            se = max(se, math.sqrt(th_val * (1 - th_val) / (sets * per)))
        out.append(Measurement(th, val, se, {"d": d, "n": n, "alpha": alpha, "t": t, "sigma": SIGMA,
                                             "t_C": float(rem.t_C(alpha, SIGMA))},
                               label=f"alpha={alpha:g},t={t:g}",
                               extra={"leading_order": float(rem.phi_C(t, alpha, SIGMA))}))
    return out


# ---- φ_C from two clones of the empirical-score dynamics
# Cloning-based φ_C(t) check (THEORY §3): two clones of the empirical-score dynamics.
#
# ``numerics.engine.cloning.clone_phi`` integrates the backward SDE with the empirical score of
# n = e^{αd} Gaussian training points, clones at each branch time and reports φ_C = P(both copies
# end on the same training point). Theory: the exact identity φ_C(t) = E_{x~P^e_t} Σ_μ w_μ(x)²,
# measured here by direct sampling on the SAME training set (a second, independent estimate), and
# the REM value ``numerics.rem.phi_C`` (d → ∞ step at t_C; finite-d form away from t_C).
ALPHA = 0.03


@check("rem.phi_C_cloning", tests=("rem.alpha_c",), quick=False, description="φ_C(t) from cloned empirical-score trajectories (d=128) vs "
       "the exact identity E_{x~P^e_t} Σ w² sampled directly on the same training set")
def phi_c_cloning(rng: np.random.Generator, full: bool):
    d = 256 if full else 128
    n = int(round(math.exp(ALPHA * d)))
    train = rng.normal(0.0, SIGMA, (n, d))
    es = EmpiricalScore(train, dtype=np.float64, labels=np.zeros(n, dtype=np.int64))
    tc = float(rem.t_C(ALPHA, SIGMA))
    times = np.array([0.6, 0.9, 1.0, 1.15]) * tc
    B = 2000 if full else 600
    res = clone_phi(es, times, B, int(rng.integers(2**31)), steps=300 if full else 150, t_min=1e-3)
    out = []
    for j, t in enumerate(times):
        idx = rng.integers(0, n, 4000)
        x = math.exp(-t) * train[idx] + math.sqrt(float(rem.delta_t(t))) * rng.standard_normal((4000, d))
        _, pr = rem.empirical_log_partition(x, train, t)
        direct, direct_se = float(pr.mean()), float(pr.std(ddof=1) / math.sqrt(len(pr)))
        se = math.hypot(float(res.stderr_C[j]), direct_se)
        out.append(Measurement(direct, float(res.phi_C[j]), se,
                               {"d": d, "n": n, "alpha": ALPHA, "t": float(t), "t_C": tc, "pairs": B,
                                "steps": res.params["steps"]},
                               label=f"t/t_C={t / tc:.2f}",
                               extra={"rem_leading": float(rem.phi_C(t, ALPHA, SIGMA)),
                                      "direct_stderr": direct_se}))
    return out
