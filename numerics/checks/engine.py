"""Engine checks: Monte Carlo backward dynamics against exact theory (THEORY §2).

Names start with ``engine.`` (the verification suite may add its own, broader checks).
"""

from __future__ import annotations

import numpy as np

from numerics.checks import Measurement, check


def _step_bias(res) -> float:
    """Documented integrator bias of φ: measured φ - theory ≈ -0.08 h in the speciation window
    (h = uniform step of the 'mixed' grid, README engine section); allowance 0.1 h."""
    p = res.params
    t_mid = max(min(1.0, 0.5 * p["T"]), p["t_min"])
    h = (p["T"] - t_mid) / (p["steps"] // 2)
    return 0.1 * h


def _phi_rows(res, label_prefix: str) -> list[Measurement]:
    rows = []
    for j, t in enumerate(res.t):
        rows.append(Measurement(theory=float(res.phi_theory[j]), value=float(res.phi[j]), stderr=float(res.stderr[j]),
                                params={**res.params, "seed": res.seed}, label=f"{label_prefix}t={t:.4g}",
                                bias_allowance=_step_bias(res)))
    return rows


@check("engine.gm.phi_fast_path", quick=True, description="cloning φ(t), 1-D projected exact dynamics, vs exact theory")
def _phi_fast(rng: np.random.Generator, full: bool):
    from numerics.experiments.cloning import clone_phi
    from numerics.mixture import GaussianMixture

    model = GaussianMixture(1024 if full else 256, 1.0, 1.0)
    ts = model.t_S * np.array([0.75, 1.0, 1.25])
    res = clone_phi(model, ts, 40000 if full else 10000, int(rng.integers(2**31)), fast_path=True, steps=400)
    return _phi_rows(res, "")


@check("engine.gm.phi_full_d", quick=True, description="cloning φ(t), full d-dimensional exact-score dynamics, vs theory")
def _phi_full(rng: np.random.Generator, full: bool):
    from numerics.experiments.cloning import clone_phi
    from numerics.mixture import GaussianMixture

    model = GaussianMixture(250 if full else 64, 1.0, 1.0)
    ts = model.t_S * np.array([0.75, 1.0, 1.25])
    res = clone_phi(model, ts, 3000 if full else 600, int(rng.integers(2**31)), steps=200)
    return _phi_rows(res, "")
