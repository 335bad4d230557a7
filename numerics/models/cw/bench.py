"""Curie–Weiss benchmark: exact-score generation time and the Numba quadrature score's speed-up
over the same quadrature in plain NumPy (generated ``cw.Phi_site``/``cw.saddle_residual``)."""

from __future__ import annotations

import time

import numpy as np


def run(quick: bool) -> dict:
    """Benchmark of the Curie–Weiss kernels for ``regimes bench`` (ratios measured in one run)."""
    from numerics.models.cw import model as C

    N, beta, H = 100, 1.5, 0.5
    model = C.CurieWeiss(N, beta, H)
    rng = np.random.default_rng(0)
    x = model.sample_t(200 if quick else 1000, 2.0, rng)
    grid = C.mu_grid(N, beta)
    C.score_exact(x[:2], 2.0, beta, model.h, grid)  # compile / load cache
    reps = 3
    t0 = time.perf_counter()
    for _ in range(reps):
        C.score_exact(x, 2.0, beta, model.h, grid)
    t_nb = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    C.score_exact_numpy(x, 2.0, beta, model.h, grid)
    t_np = time.perf_counter() - t0
    samples = 200 if quick else 2000
    C.generate(model, 2, rng, steps=4)  # compile the posterior draw
    t0 = time.perf_counter()
    g = C.generate(model, samples, rng)
    t_gen = time.perf_counter() - t0
    return {
        "cw_generate_samples": samples, "cw_generate_N": N,
        "cw_generate_seconds": t_gen,
        "cw_generate_p_plus": g["p_plus"], "cw_generate_p_plus_stderr": g["p_plus_stderr"], "cw_p_plus_exact": model.p_plus,
        "cw_score_numba_seconds": t_nb, "cw_score_numpy_seconds": t_np,
        "cw_score_speedup_vs_numpy": t_np / t_nb,
        "cw_score_batch": int(x.shape[0]), "cw_mu_grid_points": int(grid.size),
    }
