"""Speciation and collapse times of any dataset (THEORY §5).

Speciation. ``C = (1/n) Σ_μ (a_μ - ā)(a_μ - ā)^T`` (the empirical law's covariance); ``Λ`` its top
eigenvalue; ``t_S = ½ ln Λ``; the next eigenvalues λ_j > 1 give later (hierarchical)
speciations ``½ ln λ_j``. Solvers (never a d×d matrix when d is large): ``dense`` (d ≤ 2048:
``X^T X / n`` and ``eigh``), ``gram`` (n ≤ 4096 < d: the n×n Gram matrix ``X X^T / n`` has the same
non-zero spectrum), ``lanczos`` (otherwise: ``scipy.sparse.linalg.eigsh`` on the
``LinearOperator`` v ↦ X^T (X v)/n). Error bars: nonparametric bootstrap over samples (rows
resampled with replacement, recentred) in the Rayleigh–Ritz subspace of the top ``ritz``
eigenvectors (exact when the subspace is the whole span, e.g. d ≤ ritz; otherwise the
neglected coupling is second order in the O(n^{-1/2}) fluctuation).

Collapse. With ``x = e^{-t} a_μ + sqrt(Δ_t) z`` (μ uniform over the training set, z ~ N(0, I)),
``f^e(t) = α - [s^e(t) - s_Δ(t)] = (1/d) E[-ln w_μ(x, t)]``, where
``w_ν(x, t) ∝ exp(-|x - e^{-t} a_ν|² / (2Δ_t))`` is the posterior weight of training point ν:

    -ln w_μ = ln Σ_ν exp(D_ν),  D_ν = [-e^{-2t} |a_μ - a_ν|²/2 + e^{-t} sqrt(Δ_t) z·(a_ν - a_μ)] / Δ_t

(D_μ = 0, so every Monte Carlo term is ≥ 0 and f^e ≥ 0; the ±d/2 chi-square terms cancel
exactly, which removes their variance). The Gram products a_μ·a_ν and z·a_ν are computed once
(chunked GEMM), so a whole time grid costs O(M n d + M n T) with the same (μ, z) at every t
(common random numbers: a smooth curve). The log-sum-exp is stabilised by its maximum.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from numerics import validate
from numerics.data import kernels
from numerics.data.parallel import Executor, LocalExecutor
from numerics.data.stream import DataStream, from_array, peak_memory
from numerics.engine.entropy import estimate_t_C

__all__ = ["full_spectrum", "covariance_spectrum", "bootstrap_spectrum", "bootstrap_projected", "speciation", "speciation_stream",
           "stream_spectrum", "dataset_spectrum", "excess_entropy_samples", "excess_entropy_curve", "collapse_time",
           "collapse_time_point", "default_time_grid", "coarse_rho", "coarse_time_grid", "dataset_times", "resident_bytes", "user_time", "internal_time"]

DENSE_MAX_D = 2048
GRAM_MAX_N = 4096
COARSE_ROWS = 128          # Monte Carlo rows of the coarse scan of the adaptive grid
COARSE_POINTS = 14
FINE_POINTS = 20
F32_CHECK_ROWS = 16        # rows recomputed in float64 to measure the float32 error
BOOT_BYTES = 256 << 20     # bootstrap weights held at once (replicas grouped to fit)
F32_BUDGET = 0.1           # allowed float32 error, as a fraction of the smallest f^e standard error in the fit window


# ---------------------------------------------------------------------------------- units
def user_time(t_int, log_unit: float):
    """Internal (unit-variance) time → time in the user's units: σ_EDM scales with the data,
    expm1(2t) = e^{2 log_unit} expm1(2 t_int), in log space (exact; the identity when log_unit = 0)."""
    t_int = np.asarray(t_int, dtype=float)
    if log_unit == 0.0:
        return t_int if t_int.ndim else float(t_int)
    with np.errstate(divide="ignore", invalid="ignore"):
        L = np.log(np.expm1(2.0 * t_int)) + 2.0 * log_unit
    with np.errstate(invalid="ignore"):
        out = 0.5 * np.logaddexp(0.0, L)
    out = np.where(np.isnan(t_int), np.nan, out)
    return out if out.ndim else float(out)


def internal_time(t_user, log_unit: float):
    """Inverse of :func:`user_time`."""
    return user_time(t_user, -log_unit)


def _ln_expm1(x: np.ndarray) -> np.ndarray:
    return x + np.log(-np.expm1(-x))


# ---------------------------------------------------------------------------------- spectrum
def covariance_spectrum(X: np.ndarray, k: int = 10, method: str = "auto", rng: np.random.Generator | None = None):
    """Top ``k`` eigenvalues (descending) and eigenvectors (d × k) of ``X^T X / n`` (X centred)."""
    n, d = X.shape
    k = max(1, min(int(k), d, n))
    if method == "auto":
        method = "dense" if d <= DENSE_MAX_D else ("gram" if n <= GRAM_MAX_N else "lanczos")
    if method == "dense":
        C = (X.T @ X) / n
        w, V = np.linalg.eigh(C)
        idx = np.argsort(w)[::-1][:k]
        return w[idx], V[:, idx], method
    if method == "gram":
        G = (X @ X.T) / n
        w, U = np.linalg.eigh(G)
        idx = np.argsort(w)[::-1][:k]
        w, U = w[idx], U[:, idx]
        V = X.T @ U
        V /= np.maximum(np.linalg.norm(V, axis=0), 1e-300)
        return w, V, method
    if method == "lanczos":
        op = LinearOperator((d, d), matvec=lambda v: X.T @ (X @ v) / n, dtype=X.dtype)
        v0 = (rng or np.random.default_rng(0)).standard_normal(d)
        kk = min(k, d - 1)
        w, V = eigsh(op, k=kk, which="LA", v0=v0, tol=1e-10)
        idx = np.argsort(w)[::-1]
        return w[idx], V[:, idx], method
    raise ValueError(f"method must be auto, dense, gram or lanczos, got {method!r}")


def _cov_task(ds: DataStream, lo: int, hi: int) -> np.ndarray:
    X = ds.block(lo, hi)
    return X.T @ X


def _range_task(ds: DataStream, lo: int, hi: int, Q: np.ndarray) -> np.ndarray:
    X = ds.block(lo, hi)
    return X.T @ (X @ Q)


def _proj_task(ds: DataStream, lo: int, hi: int, V: np.ndarray) -> np.ndarray:
    return ds.block(lo, hi) @ V


def _add(acc, part):
    if acc is None:
        return part.copy()
    acc += part
    return acc


def _randomized(ds: DataStream, k: int, ex: Executor, rng: np.random.Generator, tol: float = 1e-9,
                max_passes: int = 40):
    """Top-k eigenpairs of C = XᵀX/n by subspace iteration with Rayleigh–Ritz (a randomized range
    finder iterated to convergence), one pass over the data per iteration; stops when every one of the
    top-k Ritz pairs has relative residual |C v - θ v| / θ_1 < tol."""
    d, n = ds.d, ds.n
    p = min(d, k + 10)
    Q, _ = np.linalg.qr(rng.standard_normal((d, p)))
    res = math.inf
    for it in range(1, max_passes + 1):
        Y = ex.map_reduce(_range_task, ds, [(lo, hi, Q) for lo, hi in ds.blocks()], _add, desc=f"eigen pass {it}")
        Y /= n
        H = Q.T @ Y
        theta, U = np.linalg.eigh(0.5 * (H + H.T))
        order = np.argsort(theta)[::-1]
        theta, U = theta[order], U[:, order]
        V, CV = Q @ U, Y @ U
        R = CV[:, :k] - V[:, :k] * theta[:k]
        res = float(np.max(np.linalg.norm(R, axis=0)) / max(theta[0], 1e-300))
        if res < tol:
            break
        Q, _ = np.linalg.qr(Y)
    return theta[:k], V[:, :k], {"passes": it, "residual": res}


def stream_spectrum(ds: DataStream, k: int, *, method: str = "auto", executor: Executor | None = None,
                    rng: np.random.Generator | None = None):
    """Top-k eigenvalues (internal units) and eigenvectors of the covariance of a stream, and the
    solver used: ``dense`` (d ≤ 2048: streamed XᵀX, one pass), ``gram``/``lanczos`` (data cached in
    memory, d > 2048), ``randomized`` (streamed, d > 2048: :func:`_randomized`)."""
    ex = executor or LocalExecutor()
    rng = rng or np.random.default_rng(0)
    n, d = ds.n, ds.d
    k = max(1, min(int(k), d, n))
    if method == "auto":
        method = "dense" if d <= DENSE_MAX_D else ("randomized" if ds.cache is None else
                                                   ("gram" if n <= GRAM_MAX_N else "lanczos"))
    info: dict = {}
    if method == "dense":
        C = ex.map_reduce(_cov_task, ds, ds.blocks(), _add, desc="covariance") / n
        w, V = np.linalg.eigh(C)
        idx = np.argsort(w)[::-1][:k]
        w, V = w[idx], V[:, idx]
    elif method == "randomized":
        w, V, info = _randomized(ds, k, ex, rng)
    elif method in ("gram", "lanczos"):
        w, V, _ = covariance_spectrum(ds.materialize(ex), k, method, rng)
    else:
        raise ValueError(f"method must be auto, dense, gram, lanczos or randomized, got {method!r}")
    return w, V, method, info


def bootstrap_projected(Y: np.ndarray, k: int, n_boot: int, rng: np.random.Generator,
                        memory_bytes: int | None = None) -> np.ndarray:
    """Bootstrap replicas (n_boot × k) of the top-k eigenvalues of the covariance of the projected
    samples Y (n × K, centred coordinates in a Ritz subspace): rows resampled with replacement,
    recentred. Replicas are drawn in order and processed in groups that fit ``memory_bytes``."""
    n, K = Y.shape
    k = min(k, K)
    out = np.empty((n_boot, k))
    group = int(max(1, min(n_boot, (memory_bytes or BOOT_BYTES) // (8 * max(n, 1) * 2))))
    rows = max(1, (32 << 20) // (8 * K * K))
    iu = np.triu_indices(K)
    for b0 in range(0, n_boot, group):
        nb = min(group, n_boot - b0)
        W = np.empty((nb, n))
        for b in range(nb):
            W[b] = np.bincount(rng.integers(0, n, n), minlength=n)
        W /= n
        means = W @ Y                                   # B × K
        second = np.zeros((nb, iu[0].size))
        for lo in range(0, n, rows):                    # Σ_μ w_bμ y_μ y_μ^T (upper triangle), chunked over samples
            Yc = Y[lo:lo + rows]
            second += W[:, lo:lo + rows] @ (Yc[:, iu[0]] * Yc[:, iu[1]])
        Cb = np.empty((nb, K, K))
        Cb[:, iu[0], iu[1]] = second
        Cb[:, iu[1], iu[0]] = second
        Cb -= means[:, :, None] * means[:, None, :]
        out[b0:b0 + nb] = np.linalg.eigvalsh(Cb)[:, ::-1][:, :k]
    return out


def bootstrap_spectrum(X: np.ndarray, V: np.ndarray, k: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicas (n_boot × k) of the top-k eigenvalues, in the Ritz subspace spanned by V."""
    return bootstrap_projected(X @ V, k, n_boot, rng)


def speciation_stream(ds: DataStream, k: int = 10, n_boot: int = 200, rng: np.random.Generator | None = None,
                      method: str = "auto", ritz: int = 32, executor: Executor | None = None) -> dict:
    """Λ, its bootstrap error, t_S = ½ ln Λ with error, and the next eigenvalues (later speciations),
    in the stream's user units (Λ_user = Λ_internal e^{2 log_unit}, t_S = ½ ln Λ_internal + log_unit).

    Eigenvalues below ``d·eps·Λ`` (numerically zero: rank-deficient data, constant coordinates) are
    not reported. ``t_S_err``: bootstrap standard deviation of ½ ln Λ_b; when more than 5% of the
    replicas have Λ_b = 0 (a handful of samples) the delta-method value Λ_err/(2Λ) is given instead
    (``t_S_err_method``)."""
    rng = rng or np.random.default_rng(0)
    ex = executor or LocalExecutor()
    n, d = ds.n, ds.d
    kk = max(int(k), min(int(ritz), d, n))
    w, V, used, info = stream_spectrum(ds, kk, method=method, executor=ex, rng=rng)
    n_boot = validate.positive_int("n_boot", n_boot)
    Y = np.concatenate(ex.map(_proj_task, ds, [(lo, hi, V) for lo, hi in ds.blocks()], desc="projection"), axis=0)
    k = min(int(k), w.size)
    boot = bootstrap_projected(Y, k, n_boot, rng)  # fixed grouping: the numbers never depend on the budget
    lam = float(w[0])
    if not lam > 0:
        raise ValueError("zero covariance: cannot define a speciation time")
    keep = w[:k] > d * np.finfo(float).eps * lam
    k = int(np.count_nonzero(keep))
    eig, eig_err = w[:k], boot[:, :k].std(axis=0, ddof=1)
    lu = ds.log_unit
    g2 = math.exp(2.0 * lu) if abs(lu) < 300 else math.inf if lu > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        tS_boot = 0.5 * np.log(boot[:, 0])
    ok = np.isfinite(tS_boot)
    if ok.mean() >= 0.95 and ok.sum() > 2:
        tS_err, how = float(np.std(tS_boot[ok], ddof=1)), "bootstrap"
    else:
        tS_err, how = float(eig_err[0] / (2.0 * lam)), "delta"
    ln_eig = np.log(eig) + 2.0 * lu
    later = [{"index": j + 1, "eigenvalue": float(eig[j] * g2), "t": 0.5 * float(ln_eig[j]),
              "t_err": float(eig_err[j] / (2 * eig[j]))} for j in range(1, k) if ln_eig[j] > 0.0]
    return {
        "Lambda": lam * g2,
        "Lambda_err": float(eig_err[0]) * g2,
        "ln_Lambda": float(ln_eig[0]),
        "t_S": 0.5 * float(ln_eig[0]),
        "t_S_err": tS_err,
        "t_S_err_method": how,
        "eigenvalues": (eig * g2).tolist(),
        "eigenvalues_err": (eig_err * g2).tolist(),
        "later_speciations": later,
        "eigen_solver": used,
        "eigen_info": info,
        "n_boot": int(n_boot),
        "trace_fraction_top": float(lam / d),  # internal coordinates: trace = d (unit average variance)
    }


def speciation(X: np.ndarray, k: int = 10, n_boot: int = 200, rng: np.random.Generator | None = None,
               method: str = "auto", ritz: int = 32) -> dict:
    """:func:`speciation_stream` on an in-memory array (times in X's own units)."""
    return speciation_stream(from_array(X, cache=True), k, n_boot, rng, method, ritz)


def dataset_spectrum(data, k: int = 10, *, executor: Executor | None = None,
                     rng: np.random.Generator | None = None) -> dict:
    """The covariance spectrum of a dataset in its user units: top-k eigenvalues, the trace and d
    (a hook for per-dataset theory, e.g. the collapse time of the Gaussian with this covariance)."""
    ds = data if isinstance(data, DataStream) else from_array(np.asarray(data), cache=True)
    w, _, used, _ = stream_spectrum(ds, k, executor=executor, rng=rng)
    g2 = math.exp(2.0 * ds.log_unit)
    return {"eigenvalues": (w * g2).tolist(), "trace": float(ds.d * g2), "d": ds.d, "n": ds.n, "eigen_solver": used,
            "log_unit": ds.log_unit}


def full_spectrum(ds: DataStream, *, executor: Executor | None = None) -> np.ndarray:
    """All d eigenvalues (descending, clipped at 0) of the covariance of a stream, in its user units, by one
    streamed pass of XᵀX (d ≤ :data:`DENSE_MAX_D`): the input of the Gaussian-spectrum collapse time."""
    if ds.d > DENSE_MAX_D:
        raise ValueError(f"d: the full spectrum is computed for d <= {DENSE_MAX_D}, got {ds.d}")
    ex = executor or LocalExecutor()
    C = ex.map_reduce(_cov_task, ds, ds.blocks(), _add, desc="covariance") / ds.n
    w = np.linalg.eigvalsh(C)[::-1]
    return np.maximum(w, 0.0) * math.exp(2.0 * ds.log_unit)


# ---------------------------------------------------------------------------------- collapse
def default_time_grid(d: int, points: int = 48, t_min: float = 0.02) -> np.ndarray:
    """Geometric grid from t_min to ½ ln d + 2.5 (f^e has reached α well before the top)."""
    return np.geomspace(t_min, 0.5 * math.log(max(d, 2)) + 2.5, points)


def _t_of_rho(rho: np.ndarray) -> np.ndarray:
    """Internal time where r = e^{-2t}/Δ_t = 1/expm1(2t) equals e^ρ: t = ½ log1p(e^{-ρ})."""
    return 0.5 * np.logaddexp(0.0, -np.asarray(rho, dtype=float))


def coarse_rho(alpha: float, points: int = COARSE_POINTS, lo_pad: float = 7.0, hi_pad: float = 5.0) -> np.ndarray:
    """ln r of the coarse scan of the adaptive grid (r = e^{-2t}/Δ_t = 1/expm1(2t), internal units):
    for unit-variance isotropic data f^e/α = 1 - ln(1 + r)/(2α), so f^e = 0 at r ≈ 2α and f^e = 0.95α
    at r ≈ 0.1α; the scan spans ln r from ln(2α) + lo_pad down to ln(0.1α) - hi_pad (real spectra spread
    the curve: generous pads, and :func:`excess_entropy_adaptive` extends the range when the window is
    not bracketed)."""
    return np.linspace(math.log(2 * alpha) + lo_pad, math.log(0.1 * alpha) - hi_pad, points)


def coarse_time_grid(alpha: float, **kw) -> np.ndarray:
    """Internal times of :func:`coarse_rho` (increasing)."""
    return _t_of_rho(coarse_rho(alpha, **kw))


def _fe_task(shared, lo: int, hi: int):
    """One training block of the f^e pass: Gram products by one GEMM, then the fused kernel."""
    ds, AZ, sqA, self_pos, zaself, acoef, bcoef, want_s2 = shared
    M, T = sqA.size, acoef.size
    dtype = AZ.dtype
    Xc = ds.block(lo, hi).astype(dtype)
    sqX = np.einsum("ij,ij->i", Xc.astype(np.float64), Xc.astype(np.float64)).astype(dtype)
    G = AZ @ Xc.T
    self_col = np.where((self_pos >= lo) & (self_pos < hi), self_pos - lo, -1).astype(np.int64)
    m = np.full((M, T), -1e300)
    s = np.zeros((M, T))
    s2 = np.zeros((M, T))
    kern = kernels.lse_update_f32 if dtype == np.float32 else kernels.lse_update_f64
    kern(G[:M], G[M:], sqA, sqX, self_col, zaself, acoef, bcoef, m, s, s2, want_s2)
    return m, s, s2


def _fe_pass(ds: DataStream, A: np.ndarray, Z: np.ndarray, src: np.ndarray, ts_int: np.ndarray, dtype,
             ex: Executor, desc: str = "f^e pass", participation: bool = False):
    """-ln w_μ / d and Σ w² for Monte Carlo rows (A: source points, Z: noise, internal units) on the
    internal times ``ts_int``, one pass over the training blocks."""
    dtype = np.dtype(dtype)
    ts = np.asarray(ts_int, dtype=float)
    c = np.exp(-ts)
    delta = -np.expm1(-2.0 * ts)
    acoef = -0.5 * c * c / delta
    bcoef = c / np.sqrt(delta)
    Ac, Zc = A.astype(dtype), Z.astype(dtype)
    A64, Z64 = Ac.astype(np.float64), Zc.astype(np.float64)
    sqA = np.einsum("ij,ij->i", A64, A64)
    zaself = np.einsum("ij,ij->i", Z64, A64)
    AZ = np.ascontiguousarray(np.concatenate([Ac, Zc], axis=0))
    M = A.shape[0]
    # training rows per task: the (2M × rows) Gram block and its row copies within 1/8 of the budget
    per_row = 2 * M * dtype.itemsize + ds.d * (8 + dtype.itemsize)
    rows = int(max(64, min(ds.rows, (ds.memory_budget // 8) // per_row))) if ds.memory_budget else ds.rows
    blocks = ds.blocks(rows)
    shared = (ds, AZ, sqA, np.asarray(src, dtype=np.int64), zaself, acoef, bcoef, bool(participation))
    m, s, s2 = ex.map_reduce(_fe_task, shared, blocks, kernels.merge_lse, desc=desc)
    return (m + np.log(s)) / ds.d, (s2 / (s * s) if participation else None)


def excess_entropy_samples(X, ts: np.ndarray, n_mc: int, rng: np.random.Generator,
                           chunk_bytes: int = 64 << 20, source_idx: np.ndarray | None = None,
                           z: np.ndarray | None = None, participation: bool = False, progress: bool = False,
                           dtype=np.float32, executor: Executor | None = None):
    """Per-sample values -ln w_μ(x, t) / d (n_mc × len(ts)); their mean is f^e(t).

    ``X``: an array (times ``ts`` in its own units) or a :class:`DataStream` (times in its user units).
    With ``participation=True`` also returns Σ_ν w_ν(x, t)² per sample (its mean is the
    probability φ_C(t) that two clones made at t end on the same training point).

    ``source_idx`` (training indices μ) and ``z`` (noise, n_mc × d) may be given; by default μ is
    drawn uniformly (without replacement while n_mc ≤ n) and z ~ N(0, I). The computation runs on
    internal (unit-variance) coordinates at the times with the same σ_EDM/scale ratio (exact), in
    ``dtype`` (float32: GEMMs and exponentials; float64 for a reference)."""
    ds = X if isinstance(X, DataStream) else from_array(np.asarray(X), cache=True,
                                                        memory_budget=max(int(chunk_bytes) * 16, 256 << 20))
    ts = np.asarray(ts, dtype=float)
    if np.any(~(ts > 0)):
        raise ValueError("times must be > 0")
    n, d = ds.n, ds.d
    if source_idx is None:
        n_mc = validate.positive_int("n_mc", n_mc)
        source_idx = rng.choice(n, size=n_mc, replace=n_mc > n)
    source_idx = np.asarray(source_idx)
    if z is None:
        z = rng.standard_normal((source_idx.size, d))
    ex = executor or LocalExecutor(progress)
    L, part = _fe_pass(ds, ds.take(source_idx), z, source_idx, internal_time(ts, ds.log_unit), dtype, ex,
                       participation=participation)
    return (L, part) if participation else L


def excess_entropy_curve(X, ts: np.ndarray, n_mc: int, rng: np.random.Generator, **kw) -> dict:
    """f^e(t) with its Monte Carlo standard error; α = ln n / d."""
    L = excess_entropy_samples(X, ts, n_mc, rng, **kw)
    n = X.n if isinstance(X, DataStream) else X.shape[0]
    d = X.d if isinstance(X, DataStream) else X.shape[1]
    return {"t": np.asarray(ts, float), "f": L.mean(axis=0), "f_err": L.std(axis=0, ddof=1) / math.sqrt(L.shape[0]),
            "alpha": math.log(n) / d, "samples": L}


def _window_bracket(f_over_alpha: np.ndarray, lo: float = 0.3, hi: float = 0.9):
    """Indices (i0, i1) of the grid points just outside the fit window [lo, hi]·α on each side, or
    None when the curve does not cross the window; flags telling which side is not reached."""
    below = np.nonzero(f_over_alpha < lo)[0]
    above = np.nonzero(f_over_alpha > hi)[0]
    need_low = below.size == 0
    need_high = above.size == 0
    if need_low or need_high:
        return None, need_low, need_high
    i0 = int(below.max()) if below.max() < (above.min() if above.size else 10**9) else int(below.min())
    after = above[above > i0]
    if after.size == 0:
        return None, False, True
    return (i0, int(after.min())), False, False


def excess_entropy_adaptive(ds: DataStream, A: np.ndarray, Z: np.ndarray, src: np.ndarray, dtype, ex: Executor,
                            coarse_rows: int = COARSE_ROWS, fine_points: int = FINE_POINTS):
    """The adaptive internal-time grid: a coarse scan (:func:`coarse_time_grid`) with the first
    ``coarse_rows`` Monte Carlo rows, extended (up to 3 times) until the fit window
    f^e/α ∈ [0.3, 0.9] is bracketed, then ``fine_points`` equally spaced in ln r across the bracket.

    Returns ``(main, coarse_t, coarse_L, info)``: the times the full Monte Carlo evaluates (the fine
    points and the coarse points inside the bracket; every coarse point when the window is not
    bracketed), the coarse times and their samples (``coarse_rows`` rows) for the rest of the curve."""
    alpha = math.log(ds.n) / ds.d
    mc = min(coarse_rows, A.shape[0])
    rho = coarse_rho(alpha)
    L, _ = _fe_pass(ds, A[:mc], Z[:mc], src[:mc], _t_of_rho(rho), dtype, ex, desc="f^e coarse scan")
    for _ in range(3):
        br, need_low, need_high = _window_bracket(L.mean(axis=0) / alpha)
        if br is not None or not (need_low or need_high):
            break
        step = rho[0] - rho[1]
        extra = (rho[0] + step * np.arange(6, 0, -1)) if need_low else (rho[-1] - step * np.arange(1, 7))
        Le, _ = _fe_pass(ds, A[:mc], Z[:mc], src[:mc], _t_of_rho(extra), dtype, ex, desc="f^e coarse scan")
        rho = np.concatenate([extra, rho]) if need_low else np.concatenate([rho, extra])
        L = np.concatenate([Le, L], axis=1) if need_low else np.concatenate([L, Le], axis=1)
    br, _, _ = _window_bracket(L.mean(axis=0) / alpha)
    t_coarse = _t_of_rho(rho)
    if br is None:
        main = np.sort(t_coarse)
        fine = np.empty(0)
    else:
        fine = np.linspace(rho[br[0]], rho[br[1]], fine_points + 2)[1:-1]
        main = np.unique(np.concatenate([_t_of_rho(fine), t_coarse[br[0] + 1:br[1]]]))
    order = np.argsort(t_coarse)
    return main, t_coarse[order], L[:, order], {"coarse_rows": int(mc), "coarse_points": int(rho.size),
                                                 "fine_points": int(fine.size), "bracketed": br is not None}


def _first_crossing(ts: np.ndarray, y: np.ndarray, level: float) -> float:
    """Smallest t where the piecewise-linear y(t) reaches ``level`` from below (NaN if never)."""
    above = y >= level
    if not np.any(above):
        return math.nan
    j = int(np.argmax(above))
    if j == 0:
        return float(ts[0])
    y0, y1 = y[j - 1], y[j]
    return float(ts[j - 1] + (level - y0) * (ts[j] - ts[j - 1]) / (y1 - y0))




def collapse_time_point(ts: np.ndarray, f: np.ndarray, f_err: np.ndarray, alpha: float,
                        method: str = "gaussian") -> float:
    """t_C from one f^e curve: the engine's estimator ``numerics.engine.entropy.estimate_t_C``."""
    return float(estimate_t_C(ts, f, f_err, alpha, method=method).t_C)


def collapse_time(ts: np.ndarray, samples: np.ndarray, alpha: float, n_boot: int = 200,
                  rng: np.random.Generator | None = None, log_unit: float = 0.0) -> dict:
    """t_C with a bootstrap error, from Monte Carlo samples of -ln w_μ / d (rows) on the grid ``ts``
    (internal unit-variance times when ``log_unit`` ≠ 0; the results are returned in user times).

    Estimator (the engine's, ``estimate_t_C(method="gaussian")``): as d → ∞, f^e → max(0, f),
    f = α - (s - s_Δ); where f^e is well above 0 (f^e/α in [0.3, 0.9]) it equals f, and each point
    is inverted with the isotropic-Gaussian form s - s_Δ = ½ ln(1 + v e^{-2t}/Δ_t) for an effective
    variance v (exact for Gaussian data and mixtures at large d); the weighted mean v gives
    ``t_C = ½ ln(1 + v/(e^{2α} - 1))``, the onset of collapse. Error: bootstrap over the Monte Carlo
    samples (the engine's delta-method error treats the points as fully correlated). The engine's
    straight-line variant is returned as ``t_C_linear`` for comparison. The form depends on t only
    through σ_EDM² = expm1(2t), which scales with the data, so the estimate maps exactly between
    internal and user units (:func:`user_time`)."""
    rng = rng or np.random.default_rng(0)
    M = samples.shape[0]
    f = samples.mean(axis=0)
    f_err = samples.std(axis=0, ddof=1) / math.sqrt(M)
    tC = collapse_time_point(ts, f, f_err, alpha)
    boots = np.array([collapse_time_point(ts, samples[idx].mean(axis=0), samples[idx].std(axis=0, ddof=1) / math.sqrt(M), alpha)
                      for idx in (rng.integers(0, M, M) for _ in range(n_boot))])
    boots = np.asarray(user_time(boots, log_unit), dtype=float).reshape(-1)
    ok = np.isfinite(boots)
    err = float(np.std(boots[ok], ddof=1)) if ok.sum() > 2 else math.nan
    lin = collapse_time_point(ts, f, f_err, alpha, method="linear")
    return {"t_C": user_time(tC, log_unit), "t_C_err": err,
            "t_C_estimator": ("numerics.engine.entropy.estimate_t_C(method='gaussian'): effective variance v from "
                              "f^e = alpha - 1/2 ln(1 + v e^(-2t)/Delta_t) on f^e/alpha in [0.3, 0.9], "
                              "t_C = 1/2 ln(1 + v/(e^(2 alpha) - 1)); bootstrap error over Monte Carlo samples"),
            "t_C_linear": user_time(lin, log_unit), "t_half": user_time(_first_crossing(ts, f / alpha, 0.5), log_unit)}


def resident_bytes(n: int, d: int, n_mc: int, k: int = 10, n_boot: int = 200, ritz: int = 32, points: int = 64) -> int:
    """Bytes a :func:`dataset_times` run holds besides its data blocks: the Monte Carlo rows (source
    points and noise, float64 and float32 copies), the projected samples of the bootstrap (n × K), the
    covariance (d ≤ 2048) or Ritz basis, the log-sum-exp state (n_mc × grid, three arrays) and the
    bootstrap weights (at most ``BOOT_BYTES``)."""
    K = max(k, min(ritz, d, n))
    cov = 2 * d * d * 8 if d <= DENSE_MAX_D else 4 * d * (K + 10) * 8
    boot = min(BOOT_BYTES, 16 * n * n_boot)
    return int(2 * n_mc * d * (8 + 4) + n * K * 8 + cov + 3 * n_mc * points * 8 + boot)


def dataset_times(data, *, seed: int = 0, k: int = 10, n_boot: int = 200, n_mc: int = 1000,
                  ts: np.ndarray | None = None, progress: bool = False, executor: Executor | None = None,
                  dtype=None) -> dict:
    """Full payload: speciation (spectrum + bootstrap) and collapse (f^e curve + t_C), in user units.

    ``data``: an array (n × d; times in its own units) or a :class:`DataStream`. ``ts``: user times of
    the f^e curve (default: the adaptive grid, :func:`excess_entropy_adaptive`). ``dtype``: None =
    float32 with a measured error check (``F32_CHECK_ROWS`` rows recomputed in float64; when their
    largest difference in -ln w/d exceeds ``F32_BUDGET`` × the smallest f^e standard error in the fit
    window, the pass is redone in float64); or force float32 / float64.
    ``seconds``: speciation and collapse stages."""
    ex = executor or LocalExecutor(progress)
    ds = data if isinstance(data, DataStream) else from_array(np.asarray(data), cache=True)
    rng = np.random.default_rng(seed)
    n, d = ds.n, ds.d
    lu = ds.log_unit
    n_mc = validate.positive_int("n_mc", n_mc)
    if ds.memory_budget:
        need = resident_bytes(n, d, n_mc, k, n_boot)
        if need > ds.memory_budget:
            raise ValueError(f"memory-budget {ds.memory_budget} bytes is below what this run holds besides the data "
                             f"blocks, {need} bytes (n = {n}, d = {d}, n-mc = {n_mc}): raise --memory-budget or "
                             "lower --n-mc")
    t0 = time.perf_counter()
    out = speciation_stream(ds, k=k, n_boot=n_boot, rng=rng, executor=ex)
    t1 = time.perf_counter()
    if n_mc < 2:
        raise ValueError("n-mc must be >= 2 for a standard error")
    src = rng.choice(n, size=n_mc, replace=n_mc > n)
    Z = rng.standard_normal((n_mc, d))
    A = ds.take(src)
    alpha = math.log(n) / d
    dt = np.dtype(np.float32 if dtype is None else dtype)
    coarse_t, coarse_L = np.empty(0), np.empty((0, 0))
    if ts is None:
        ts_int, coarse_t, coarse_L, grid_info = excess_entropy_adaptive(ds, A, Z, src, dt, ex)
    else:
        ts_int, grid_info = internal_time(validate.times("ts", ts).ravel(), lu), {"given": True}
    L, _ = _fe_pass(ds, A, Z, src, ts_int, dt, ex)
    check = None
    if dtype is None:
        r = min(F32_CHECK_ROWS, n_mc)
        ref, _ = _fe_pass(ds, A[:r], Z[:r], src[:r], ts_int, np.float64, ex, desc="f^e float64 check")
        f, f_err = L.mean(axis=0), L.std(axis=0, ddof=1) / math.sqrt(n_mc)
        win = (f >= 0.3 * alpha) & (f <= 0.9 * alpha)
        budget = F32_BUDGET * float(np.min(f_err[win])) if np.any(win) else F32_BUDGET * float(np.max(f_err))
        diff = float(np.max(np.abs(L[:r] - ref)))
        check = {"rows": r, "max_abs_diff": diff, "allowed": budget,
                 "rule": f"max |(-ln w/d)_float32 - (-ln w/d)_float64| over {r} rows <= {F32_BUDGET} x min f_err in the fit window",
                 "passed": bool(diff <= budget)}
        if not check["passed"]:
            L, _ = _fe_pass(ds, A, Z, src, ts_int, np.float64, ex, desc="f^e pass (float64)")
            dt = np.dtype(np.float64)
    tc = collapse_time(ts_int, L, alpha, n_boot=n_boot, rng=rng, log_unit=lu)
    # the reported curve: the full Monte Carlo on ts_int, the coarse scan elsewhere (fe_rows says which)
    rest = ~np.isin(coarse_t, ts_int)
    t_all = np.concatenate([ts_int, coarse_t[rest]])
    f_all = np.concatenate([L.mean(axis=0), coarse_L[:, rest].mean(axis=0)]) if rest.any() else L.mean(axis=0)
    e_all = np.concatenate([L.std(axis=0, ddof=1) / math.sqrt(n_mc),
                            coarse_L[:, rest].std(axis=0, ddof=1) / math.sqrt(max(coarse_L.shape[0], 1))]) \
        if rest.any() else L.std(axis=0, ddof=1) / math.sqrt(n_mc)
    rows = np.concatenate([np.full(ts_int.size, n_mc), np.full(int(rest.sum()), coarse_L.shape[0])])
    order = np.argsort(t_all)
    out["seconds"] = {"speciation": t1 - t0, "collapse": time.perf_counter() - t1}
    out.update(alpha=alpha, n=n, d=d, **tc, n_mc=n_mc, fe_t=np.atleast_1d(user_time(t_all[order], lu)).tolist(),
               fe=f_all[order].tolist(), fe_err=e_all[order].tolist(), fe_rows=rows[order].tolist(), fe_dtype=dt.name, fe_float32_check=check, fe_grid=grid_info,
               memory=peak_memory(), executor=ex.describe())
    return out
