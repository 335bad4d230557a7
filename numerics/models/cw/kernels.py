"""Curie–Weiss kernels (THEORY §4): the exact finite-N score by quadrature over the
Hubbard–Stratonovich variable μ (Numba, stable ln 2cosh, trapezoid rule on a grid adapted to the
narrowest μ-peak, accurate to ~1e-13), the saddle-point (large-N) score, the exact posterior draw of
spins given x_t, and magnetization laws with site fields (elementary symmetric polynomials in log
space). All accept site fields ``h_i`` and a coupling ``J`` (the learned family).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy import special

from numerics import validate
from numerics.generated import cw as G

__all__ = ["mu_grid", "check_score_args", "score_exact", "score_exact_numpy", "score_saddle", "posterior_spins",
           "log_esp", "p_plus_of_fields", "p_plus_from_logw", "p_plus_rows", "fields_array", "log2cosh_sum"]

# ======================================================================================
# exact finite-N score by quadrature over μ
# ======================================================================================
def mu_grid(N: int, beta: float, spacing: float = 0.8, cut: float = 8.0) -> np.ndarray:
    """Trapezoid grid for ∫dμ e^{NΦ(μ;x)}. Every μ-peak has width ≥ σ = 1/sqrt(Nβ) (since
    -NΦ'' ≤ Nβ), all modes lie in [-1, 1] and beyond 1 the exponent falls at least like
    -Nβ(μ-1)²/2; spacing 0.8σ gives trapezoid error ~ e^{-2π²/0.64} ≈ 4e-14 relative."""
    sig = 1.0 / math.sqrt(N * beta)
    lim = 1.0 + cut * sig
    K = max(33, int(math.ceil(2 * lim / (spacing * sig))) + 1)
    return np.linspace(-lim, lim, K)


_SAT = 250.0  # |h_i + λ_i| beyond which a site is saturated (tanh = ±1 to e^{-400})


@numba.njit(cache=True)
def log2cosh_sum(b, E, f, F, sat, th):  # pragma: no cover - compiled
    """Σ_i ln 2cosh(b + f_i) given E = e^{-2b}, F_i = e^{-2 f_i} and the saturated sites ``sat``
    (|f_i| > 250: they contribute ±(b + f_i) exactly): e_i = E F_i = e^{-2u_i}, ln 2cosh u = u + ln(1 + e)
    or -u + ln(1 + 1/e) when e > 1, the logs taken once per block of 32 factors (each ≤ 2). Writes
    tanh(b + f_i) = (1 - e_i)/(1 + e_i) into ``th`` unless it is empty."""
    want = th.size > 0
    acc = 0.0
    prod = 1.0
    cnt = 0
    for i in range(f.size):
        u = b + f[i]
        if sat[i]:
            s = 1.0 if f[i] > 0 else -1.0
            acc += s * u
            if want:
                th[i] = s
            continue
        e = E * F[i]
        if want:
            th[i] = (1.0 - e) / (1.0 + e)
        if e <= 1.0:
            acc += u
            prod *= 1.0 + e
        else:
            acc -= u
            prod *= 1.0 + 1.0 / e
        cnt += 1
        if cnt == 32:
            acc += math.log(prod)
            prod = 1.0
            cnt = 0
    return acc + math.log(prod)


@numba.njit(parallel=True, cache=True)
def _score_quad_nb(x, t, beta, fields, grid):  # pragma: no cover - compiled
    """Σ_i ln 2cosh(u_ki), u_ki = βμ_k + f_i, f_i = h_i + λ_i, without a transcendental per (k,i):
    e_ki = e^{-2u_ki} = E_k F_i (E_k = e^{-2βμ_k}, F_i = e^{-2 f_i}), ln 2cosh u = u + ln(1 + e)
    (or -u + ln(1 + 1/e) when e > 1), the logs taken once per block of 32 factors (each ≤ 2);
    tanh u = (1 - e)/(1 + e). Saturated sites (|f_i| > 250) contribute |u| and sign(f_i) exactly."""
    n, N = x.shape
    K = grid.size
    et = math.exp(-t)
    delta = -math.expm1(-2.0 * t)
    c = et / delta
    E = np.empty(K)
    for k in range(K):
        E[k] = math.exp(-2.0 * beta * grid[k])
    out = np.empty((n, N))
    for a in numba.prange(n):
        f = np.empty(N)
        F = np.empty(N)
        sat = np.zeros(N, dtype=np.bool_)
        for i in range(N):
            f[i] = fields[i] + c * x[a, i]
            if abs(f[i]) > _SAT:
                sat[i] = True
                F[i] = 0.0
            else:
                F[i] = math.exp(-2.0 * f[i])
        th = np.empty((K, N))
        logw = np.empty(K)
        for k in range(K):
            logw[k] = -N * beta * grid[k] * grid[k] / 2.0 + log2cosh_sum(beta * grid[k], E[k], f, F, sat, th[k])
        mx = logw.max()
        tot = 0.0
        for k in range(K):
            logw[k] = math.exp(logw[k] - mx)
            tot += logw[k]
        for i in range(N):
            out[a, i] = 0.0
        for k in range(K):
            wk = logw[k] / tot
            for i in range(N):
                out[a, i] += wk * th[k, i]
        for i in range(N):
            out[a, i] = -x[a, i] / delta + c * out[a, i]
    return out


@numba.njit(parallel=True, cache=True)
def _mu_logweights_nb(x, t, beta, fields, grid):  # pragma: no cover - compiled
    """ln of the μ-measure Σ_i Φ_i(μ_k; λ_i) on the grid, per sample (n, K)."""
    n, N = x.shape
    K = grid.size
    c = math.exp(-t) / (-math.expm1(-2.0 * t))
    out = np.empty((n, K))
    for a in numba.prange(n):
        for k in range(K):
            acc = -N * beta * grid[k] * grid[k] / 2.0
            for i in range(N):
                au = abs(beta * grid[k] + fields[i] + c * x[a, i])
                acc += au + math.log1p(math.exp(-2.0 * au))
            out[a, k] = acc
    return out


def posterior_spins(y: np.ndarray, t: float, beta: float, fields, rng: np.random.Generator,
                    grid: np.ndarray | None = None) -> np.ndarray:
    """Exact draw of s ~ P(s | x_t = y): μ from its (trapezoid-discretised) posterior measure, then
    independent spins with P(s_i = +1 | μ) = (1 + tanh(βμ + h_i + λ_i))/2 (HS representation)."""
    y, t, beta = check_score_args(y, t, beta)
    n, N = y.shape
    grid = mu_grid(N, beta) if grid is None else grid
    f = fields_array(fields, N)
    lw = _mu_logweights_nb(y, float(t), float(beta), f, grid)
    w = np.exp(lw - lw.max(axis=1, keepdims=True))
    cdf = np.cumsum(w, axis=1)
    k = np.minimum((cdf < rng.random((n, 1)) * cdf[:, -1:]).sum(axis=1), grid.size - 1)
    field = beta * grid[k][:, None] + f[None, :] + G.lam(y, t)
    return np.where(rng.random((n, N)) < 0.5 * (1.0 + np.tanh(field)), 1.0, -1.0)


def fields_array(fields, N: int) -> np.ndarray:
    """Site fields as an (N,) float array (a scalar h is broadcast); ``ValueError`` unless finite and of length N."""
    try:
        f = np.asarray(fields, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"fields must be a number or an array of N={N} numbers, got {fields!r}") from None
    f = np.full(N, float(f)) if f.ndim == 0 else f
    if f.shape != (N,) or not np.isfinite(f).all():
        raise ValueError(f"fields must be finite, one per spin (N={N}), got shape {f.shape}")
    return f


def check_score_args(x, t, beta) -> tuple[np.ndarray, float, float]:
    """Validated (x as a C-contiguous (B, N) float64 array of finite values, t > 0, β > 0) of the score
    and posterior kernels (``ValueError`` naming the argument)."""
    try:
        x = np.ascontiguousarray(np.atleast_2d(x), dtype=float)
    except (TypeError, ValueError):
        raise ValueError("x must be a real (batch, N) array") from None
    if x.ndim != 2 or x.shape[1] < 1:
        raise ValueError(f"x must have shape (batch, N), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("x must be finite, got NaN or inf")
    return x, validate.positive("t", t), validate.positive("beta", beta)


def score_exact(x: np.ndarray, t: float, beta: float, fields, grid: np.ndarray | None = None) -> np.ndarray:
    """Exact score S_i = -x_i/Δ_t + (e^{-t}/Δ_t) ⟨tanh(βμ + h_i + λ_i)⟩_μ, μ-measure ∝ e^{Σ_i Φ_i(μ)}
    (``cw.score_given_mu`` averaged over μ; Numba, parallel over samples). ``fields`` = h or (h_i).
    ``ValueError`` for t ≤ 0, β ≤ 0 or a non-finite x."""
    x, t, beta = check_score_args(x, t, beta)
    N = x.shape[1]
    grid = mu_grid(N, beta) if grid is None else grid
    return _score_quad_nb(x, float(t), float(beta), fields_array(fields, N), grid)


def score_exact_numpy(x: np.ndarray, t: float, beta: float, fields, grid: np.ndarray | None = None) -> np.ndarray:
    """Same quadrature in plain NumPy from the generated ``cw.Phi_site`` and ``cw.saddle_residual``
    (reference for tests and the benchmark)."""
    x, t, beta = check_score_args(x, t, beta)
    n, N = x.shape
    grid = mu_grid(N, beta) if grid is None else grid
    lam = G.lam(x, t)[:, None, :]  # (n,1,N)
    f = fields_array(fields, N)[None, None, :]
    mu = grid[None, :, None]
    logw = np.sum(G.Phi_site(mu, lam, beta, f), axis=2)  # (n,K)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    th = G.saddle_residual(mu, lam, beta, f) + mu  # tanh(βμ + h + λ)
    avg = np.einsum("nk,nki->ni", w, th)
    delta = -math.expm1(-2 * t)
    return -x / delta + math.exp(-t) / delta * avg


@numba.njit(parallel=True, cache=True)
def _score_saddle_nb(x, t, beta, fields, grid):  # pragma: no cover - compiled
    n, N = x.shape
    et = math.exp(-t)
    delta = -math.expm1(-2.0 * t)
    c = et / delta
    out = np.empty((n, N))
    for a in numba.prange(n):
        best, bmu = -1e300, 0.0
        for k in range(grid.size):  # global maximum of Φ on the grid, then Newton
            acc = -N * beta * grid[k] * grid[k] / 2.0
            for i in range(N):
                u = beta * grid[k] + fields[i] + c * x[a, i]
                au = abs(u)
                acc += au + math.log1p(math.exp(-2.0 * au))
            if acc > best:
                best, bmu = acc, grid[k]
        mu = bmu
        for _ in range(50):
            g, dg = -mu, -1.0
            for i in range(N):
                tt = math.tanh(beta * mu + fields[i] + c * x[a, i])
                g += tt / N
                dg += beta * (1.0 - tt * tt) / N
            if dg >= 0.0:
                break
            step = -g / dg
            mu += step
            if abs(step) < 1e-14:
                break
        for i in range(N):
            out[a, i] = -x[a, i] / delta + c * math.tanh(beta * mu + fields[i] + c * x[a, i])
    return out


def score_saddle(x: np.ndarray, t: float, beta: float, fields, grid: np.ndarray | None = None) -> np.ndarray:
    """Large-N score: μ at the dominant saddle μ = (1/N) Σ tanh(βμ + h_i + λ_i) (arguments as :func:`score_exact`)."""
    x, t, beta = check_score_args(x, t, beta)
    N = x.shape[1]
    grid = mu_grid(N, beta, spacing=2.0) if grid is None else grid
    return _score_saddle_nb(x, float(t), float(beta), fields_array(fields, N), grid)


# ======================================================================================
# magnetization laws with site fields: elementary symmetric polynomials in log space
# ======================================================================================
@numba.njit(cache=True)
def log_esp(a):  # pragma: no cover - compiled
    """L[k] = ln Σ_{s: #(+)=k} exp(Σ_i a_i s_i), k = 0..N (O(N²) recursion)."""
    N = a.size
    L = np.full(N + 1, -np.inf)
    L[0] = 0.0
    for i in range(N):
        new = np.full(N + 1, -np.inf)
        for k in range(i + 2):
            v1 = L[k] - a[i] if k <= i else -np.inf
            v2 = L[k - 1] + a[i] if k >= 1 else -np.inf
            mx = max(v1, v2)
            if mx == -np.inf:
                new[k] = -np.inf
            else:
                new[k] = mx + math.log(math.exp(v1 - mx) + math.exp(v2 - mx))
        L = new
    return L


@numba.njit(parallel=True, cache=True)
def _p_plus_rows_nb(A, Jr):  # pragma: no cover - compiled
    """Per row a of A (B × N): p_+ of P(s) ∝ exp(J_r M²/2N + Σ_i a_i s_i) (J_r = Jr[row]).

    Elementary symmetric polynomials of the site factors in linear scale with every multiplier ≤ 1:
    adding site i with field a multiplies the generating polynomial by (e^{-a} + e^{a} z); for a > 0 the
    recursion L_k ← L_k e^{-2a} + L_{k-1}, for a ≤ 0 L_k ← L_k + L_{k-1} e^{2a} (common factors dropped,
    they cancel in the normalised M-law), renormalised by the maximum (never overflows; underflow only
    drops weights below 1e-300 of the largest). Then the M-law ∝ L_k e^{J M²/2N} in log space,
    k = #(+) spins, M = 2k - N: weight of M > 0 plus half of M = 0. 2 flops per (site, k)."""
    B, N = A.shape
    out = np.empty(B)
    for r in numba.prange(B):
        J = Jr[r]
        L = np.zeros(N + 1)
        L[0] = 1.0
        for i in range(N):
            a = A[r, i]
            if a > 0.0:
                e = math.exp(-2.0 * a)
                for k in range(i + 1, 0, -1):
                    L[k] = L[k] * e + L[k - 1]
                L[0] *= e
            else:
                e = math.exp(2.0 * a)
                for k in range(i + 1, 0, -1):
                    L[k] = L[k] + L[k - 1] * e
            mx = 0.0
            for k in range(i + 2):
                mx = max(mx, L[k])
            if mx > 1e100 or mx < 1e-100:
                for k in range(i + 2):
                    L[k] /= mx
        lmax = -np.inf
        for k in range(N + 1):
            M = 2.0 * k - N
            L[k] = (math.log(L[k]) if L[k] > 0.0 else -np.inf) + J * M * M / (2.0 * N)
            lmax = max(lmax, L[k])
        tot = 0.0
        plus = 0.0
        for k in range(N + 1):
            w = math.exp(L[k] - lmax)
            tot += w
            M = 2 * k - N
            if M > 0:
                plus += w
            elif M == 0:
                plus += 0.5 * w
        out[r] = plus / tot
    return out


def p_plus_rows(A: np.ndarray, J) -> np.ndarray:
    """p_+ of P(s) ∝ exp(J M²/2N + Σ_i a_i s_i) for every row a of ``A`` (exact, O(N²) per row, parallel);
    ``J`` a scalar or one coupling per row."""
    A = np.ascontiguousarray(np.atleast_2d(A), dtype=float)
    Jr = np.ascontiguousarray(np.broadcast_to(np.asarray(J, dtype=float), (A.shape[0],)))
    return _p_plus_rows_nb(A, Jr)


def p_plus_from_logw(logw: np.ndarray, N: int) -> float:
    """p_+ = P(M > 0) + ½ P(M = 0) from the log-weights of M = -N, -N+2, ..., N."""
    M = 2.0 * np.arange(N + 1) - N
    P = np.exp(logw - special.logsumexp(logw))
    return float(P[M > 0].sum() + 0.5 * P[M == 0].sum())


def p_plus_of_fields(fields: np.ndarray, J: float) -> float:
    """Exact p_+ of P(s) ∝ exp(J M²/2N + Σ h_i s_i) (learned model): M-law by log-ESP recursion."""
    f = np.ascontiguousarray(fields, dtype=float)
    N = f.size
    M = 2.0 * np.arange(N + 1) - N
    return p_plus_from_logw(log_esp(f) + J * M * M / (2 * N), N)


