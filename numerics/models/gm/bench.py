"""Two-class mixture benchmark: one-pass cloning (engine) vs per-branch re-simulation.

Keys: ``cloning_one_pass_speedup`` (per-branch re-simulation time / one-pass time, same φ),
``cloning_branch_times``; full mode adds the engine issue's acceptance size, full-d cloning at
d = 250, 3000 pairs, 3 branch times: ``cloning_d250_seconds`` and ``cloning_d250_max_abs_z``.
"""

from __future__ import annotations

import time

import numpy as np

from numerics.engine.cloning import clone_phi, clone_phi_resimulate
from numerics.models.gm.model import GaussianMixture


def run(quick: bool) -> dict:
    """Keys listed in the module docstring."""
    out: dict = {}
    model = GaussianMixture(64 if quick else 128, 1.0, 1.0)
    K = 4 if quick else 6
    ts = model.t_S * np.linspace(0.6, 1.4, K)
    samples, steps = (400, 60) if quick else (1000, 150)
    clone_phi(model, ts[:1], 8, 0, steps=4, theory=False)  # warm imports (tqdm) and caches
    clone_phi_resimulate(model, ts[:1], 8, 0, steps=4)
    t0 = time.perf_counter()
    clone_phi(model, ts, samples, 1, steps=steps, theory=False)
    t_one = time.perf_counter() - t0
    t0 = time.perf_counter()
    clone_phi_resimulate(model, ts, samples, 1, steps=steps)
    t_re = time.perf_counter() - t0
    out["cloning_one_pass_speedup"] = t_re / t_one
    out["cloning_branch_times"] = K
    # --- acceptance size of the engine issue: full-d cloning, d = 250, 3000 pairs, 3 branch times
    if not quick:
        g250 = GaussianMixture(250, 1.0, 1.0)
        res = clone_phi(g250, g250.t_S * np.array([0.75, 1.0, 1.25]), 3000, 11)
        out["cloning_d250_seconds"] = res.seconds
        out["cloning_d250_max_abs_z"] = float(np.max(np.abs((res.phi - res.phi_theory) / res.stderr)))
    return out
