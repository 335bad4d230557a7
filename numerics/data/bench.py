"""Benchmark of ``regimes times`` on Fashion-MNIST against its GEMM-bound lower bound, measured in
the same run (``regimes bench``; ratios, never absolute timings in tests).

Keys: ``times_fashion_mnist_seconds`` (the whole ``regimes times --dataset fashion-mnist`` computation:
load, speciation, collapse; defaults: 60000 × 784, n_mc = 1000, n_boot = 200),
``times_fashion_mnist_gemm_bound_seconds`` (the float32 GEMMs the collapse stage cannot avoid:
[a_μ; z_μ] (2 n_mc × d) times the training set (d × n), 4 n_mc n d FLOP ≈ 188 GFLOP, timed at the
same shape in this run, best of 2), ``times_fashion_mnist_over_gemm_bound`` (their ratio; issue 14:
≤ 8), ``times_fashion_mnist_stages`` (the ``seconds`` of the run). With ``quick``: a 10000-image
subset (``--max-n``; the bound at that shape). Null values and ``times_fashion_mnist_note`` when the
data are not installed.
"""

from __future__ import annotations

import time

import numpy as np


def run(quick: bool) -> dict:
    """Keys listed in the module docstring."""
    from numerics.cli import build_parser
    from numerics.data import commands, sources

    out: dict = {}
    max_n = 10000 if quick else None
    try:
        sources.builtin_store("fashion-mnist")
    except ValueError as exc:
        return {"times_fashion_mnist_seconds": None, "times_fashion_mnist_gemm_bound_seconds": None,
                "times_fashion_mnist_over_gemm_bound": None, "times_fashion_mnist_note": str(exc)}
    argv = ["times", "--dataset", "fashion-mnist", "--json"] + (["--max-n", str(max_n)] if max_n else [])
    ns = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    payload = commands.times_payload(ns)
    total = time.perf_counter() - t0
    n, d, M = payload["n"], payload["d"], payload["n_mc"]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d), dtype=np.float32)
    AZ = rng.standard_normal((2 * M, d), dtype=np.float32)
    G = np.empty((2 * M, n), dtype=np.float32)
    np.matmul(AZ, X.T, out=G)  # warm
    best = float("inf")
    for _ in range(2):
        t1 = time.perf_counter()
        np.matmul(AZ, X.T, out=G)
        best = min(best, time.perf_counter() - t1)
    out["times_fashion_mnist_seconds"] = total
    out["times_fashion_mnist_gemm_bound_seconds"] = best
    out["times_fashion_mnist_over_gemm_bound"] = total / best
    out["times_fashion_mnist_gemm_gflops"] = 4.0 * M * n * d / best / 1e9
    out["times_fashion_mnist_stages"] = payload["seconds"]
    out["times_fashion_mnist_shape"] = {"n": n, "d": d, "n_mc": M}
    return out
