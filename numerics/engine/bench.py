"""Benchmark of the empirical score (ratios measured in one run).

Keys: ``gemm_peak_gflops`` (best float32 square matmul rate), ``empirical_score_gflops``
(4·B·n·d / time of one empirical-score evaluation, float32), ``empirical_score_fraction_of_gemm``,
``empirical_score_shape``, ``empirical_vs_naive_speedup`` (engine vs the naive reference at a
shape the naive one can hold), ``empirical_score_float64_gflops``, ``cloning_one_pass_speedup``
(per-branch re-simulation time / one-pass time, same φ), ``cloning_branch_times``.
"""

from __future__ import annotations

import time

import numpy as np

from numerics.engine.empirical import EmpiricalScore, empirical_score_naive


def best_time(fn, reps: int) -> float:
    """Best wall time of ``reps`` calls of ``fn`` (robust to load from other processes)."""
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(quick: bool) -> dict:
    """Keys listed in the module docstring."""
    rng = np.random.default_rng(0)
    out: dict = {}
    # --- GEMM peak (float32) and the empirical score at the realistic shape, interleaved
    # (best of several alternating repetitions: robust to load from other processes)
    m = 1024 if quick else 2048
    A = rng.standard_normal((m, m), dtype=np.float32)
    Bm = rng.standard_normal((m, m), dtype=np.float32)
    C = np.empty((m, m), dtype=np.float32)
    B, n, d = (256, 8192, 512) if quick else (1024, 20000, 1024)
    train = rng.standard_normal((n, d), dtype=np.float32)
    x = rng.standard_normal((B, d), dtype=np.float32)
    es = EmpiricalScore(train, dtype=np.float32)
    es(x[:8], 0.5)  # compile / warm
    np.matmul(A, Bm, out=C)
    t_g = t_e = float("inf")
    for _ in range(3 if quick else 4):
        t_g = min(t_g, best_time(lambda: np.matmul(A, Bm, out=C), 2))
        t_e = min(t_e, best_time(lambda: es(x, 0.5), 1))
    peak = 2.0 * m**3 / t_g / 1e9
    rate = 4.0 * B * n * d / t_e / 1e9
    out["gemm_peak_gflops"] = peak
    out["empirical_score_gflops"] = rate
    out["empirical_score_fraction_of_gemm"] = rate / peak
    out["empirical_score_shape"] = {"batch": B, "n": n, "d": d, "dtype": "float32"}
    out["empirical_score_seconds"] = t_e
    # float64 rate (same shape, smaller batch)
    es64 = EmpiricalScore(train[: n // 4], dtype=np.float64)
    x64 = x[: B // 4].astype(np.float64)
    es64(x64[:4], 0.5)
    t64 = best_time(lambda: es64(x64, 0.5), 2)
    out["empirical_score_float64_gflops"] = 4.0 * (B // 4) * (n // 4) * d / t64 / 1e9
    # --- engine vs naive reference (shape the naive O(B n d) memory can hold)
    bn, nn, dn = (64, 1000, 128) if quick else (128, 2000, 256)
    xs, tr = x[:bn, :dn].copy(), train[:nn, :dn].copy()
    esn = EmpiricalScore(tr, dtype=np.float32)
    esn(xs, 0.5)
    t_fast = best_time(lambda: esn(xs, 0.5), 3)
    t_naive = best_time(lambda: empirical_score_naive(xs, 0.5, tr), 2)
    out["empirical_vs_naive_speedup"] = t_naive / t_fast
    return out
