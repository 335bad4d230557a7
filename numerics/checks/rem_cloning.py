"""Cloning-based φ_C(t) check (THEORY §3): two clones of the empirical-score dynamics.

``numerics.experiments.cloning.clone_phi`` integrates the backward SDE with the empirical score of
n = e^{αd} Gaussian training points, clones at each branch time and reports φ_C = P(both copies
end on the same training point). Theory: the exact identity φ_C(t) = E_{x~P^e_t} Σ_μ w_μ(x)²,
measured here by direct sampling on the SAME training set (a second, independent estimate), and
the REM value ``numerics.rem.phi_C`` (d → ∞ step at t_C; finite-d form away from t_C).
"""

from __future__ import annotations

import math

import numpy as np

from numerics import rem
from numerics.checks import Measurement, check

SIGMA, ALPHA = 1.0, 0.03


@check("rem.phi_C_cloning", quick=False, description="φ_C(t) from cloned empirical-score trajectories (d=128) vs "
       "the exact identity E_{x~P^e_t} Σ w² sampled directly on the same training set")
def phi_c_cloning(rng: np.random.Generator, full: bool):
    from numerics.experiments.cloning import clone_phi
    from numerics.scores import EmpiricalScore

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
