"""Fused kernel of the excess-entropy Monte Carlo on data (THEORY §5; :mod:`numerics.data.times`).

For Monte Carlo rows i (source point μ_i, noise z_i) and a block of training points ν, with the
Gram products ``G1 = a_μ·a_ν`` and ``G2 = z·a_ν`` already computed by one GEMM:

    dist2_iν = |a_μ|² + |a_ν|² - 2 G1_iν  (≥ 0),     za_iν = G2_iν - z_i·a_μ,
    D_iν(t) = A(t) dist2_iν + B(t) za_iν,   A = -e^{-2t}/(2Δ_t),   B = e^{-t}/sqrt(Δ_t)

(D_iμ = 0 exactly: the source column is set to 0), and for every time of the grid the running
log-sum-exp over the blocks, m (running max), s = Σ e^{D - m} and, for the participation ratio,
s2 = Σ e^{2(D - m)}. One pass over the block per time: scale-add and max, then exp and sums
(float32 with the vectorisable expf of :func:`numerics.engine.empirical.exp_row_f32`, or float64
with libm exp); the (i, t) state is float64.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from numerics.engine.empirical import exp_row_f32

__all__ = ["lse_update_f32", "lse_update_f64", "merge_lse"]


@nb.njit(parallel=True, fastmath=True, cache=True)
def lse_update_f32(G1, G2, sqA, sqX, self_col, zaself, acoef, bcoef, m, s, s2, want_s2):  # pragma: no cover
    """float32 block (module docstring); updates m, s and (when ``want_s2``) s2 (M × T, float64) in
    place; the block sums are float32 (terms ≤ 1, at most a block of them: rel. error ~1e-7)."""
    M, nc = G1.shape
    T = acoef.shape[0]
    for i in nb.prange(M):
        dist2 = np.empty(nc, np.float32)
        za = np.empty(nc, np.float32)
        row = np.empty(nc, np.float32)
        nbuf = np.empty(nc, np.int32)
        sa = np.float32(sqA[i])
        zs = np.float32(zaself[i])
        for j in range(nc):
            v = sa + sqX[j] - np.float32(2.0) * G1[i, j]
            dist2[j] = max(v, np.float32(0.0))
            za[j] = G2[i, j] - zs
        sc = self_col[i]
        if sc >= 0:
            dist2[sc] = np.float32(0.0)
            za[sc] = np.float32(0.0)
        for k in range(T):
            a = np.float32(acoef[k])
            b = np.float32(bcoef[k])
            mx = np.float32(-3.0e38)
            for j in range(nc):
                v = a * dist2[j] + b * za[j]
                row[j] = v
                mx = max(mx, v)
            m_old = m[i, k]
            m_new = max(m_old, np.float64(mx))
            exp_row_f32(row, np.float32(m_new), nbuf)
            acc = np.float32(0.0)
            for j in range(nc):
                acc += row[j]
            acc2 = np.float32(0.0)
            if want_s2:
                for j in range(nc):
                    acc2 += row[j] * row[j]
            r = math.exp(m_old - m_new)
            s[i, k] = s[i, k] * r + acc
            s2[i, k] = s2[i, k] * r * r + acc2
            m[i, k] = m_new


@nb.njit(parallel=True, cache=True)
def lse_update_f64(G1, G2, sqA, sqX, self_col, zaself, acoef, bcoef, m, s, s2, want_s2):  # pragma: no cover
    """float64 block: same contract with libm exp (the reference for the float32 error check)."""
    M, nc = G1.shape
    T = acoef.shape[0]
    for i in nb.prange(M):
        dist2 = np.empty(nc)
        za = np.empty(nc)
        row = np.empty(nc)
        for j in range(nc):
            dist2[j] = max(sqA[i] + sqX[j] - 2.0 * G1[i, j], 0.0)
            za[j] = G2[i, j] - zaself[i]
        sc = self_col[i]
        if sc >= 0:
            dist2[sc] = 0.0
            za[sc] = 0.0
        for k in range(T):
            a = acoef[k]
            b = bcoef[k]
            mx = -1.0e308
            for j in range(nc):
                v = a * dist2[j] + b * za[j]
                row[j] = v
                mx = max(mx, v)
            m_old = m[i, k]
            m_new = max(m_old, mx)
            acc = 0.0
            acc2 = 0.0
            for j in range(nc):
                v = row[j] - m_new
                e = math.exp(v) if v > -700.0 else 0.0
                acc += e
                acc2 += e * e
            r = math.exp(m_old - m_new)
            s[i, k] = s[i, k] * r + acc
            s2[i, k] = s2[i, k] * r * r + acc2
            m[i, k] = m_new


def merge_lse(acc, part):
    """Merge two running log-sum-exp states ``(m, s, s2)`` (the second after the first)."""
    if acc is None:
        return part
    m1, s1, q1 = acc
    m2, s2, q2 = part
    m = np.maximum(m1, m2)
    r1, r2 = np.exp(m1 - m), np.exp(m2 - m)
    return m, s1 * r1 + s2 * r2, q1 * r1 * r1 + q2 * r2 * r2
