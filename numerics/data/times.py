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

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh
from tqdm.auto import tqdm

from numerics import validate
from numerics.engine.entropy import estimate_t_C

__all__ = ["covariance_spectrum", "bootstrap_spectrum", "speciation", "excess_entropy_samples",
           "excess_entropy_curve", "collapse_time", "default_time_grid", "dataset_times"]

DENSE_MAX_D = 2048
GRAM_MAX_N = 4096


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


def bootstrap_spectrum(X: np.ndarray, V: np.ndarray, k: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicas (n_boot × k) of the top-k eigenvalues, in the Ritz subspace spanned by V."""
    n = X.shape[0]
    Y = X @ V  # n × K coordinates in the subspace
    K = Y.shape[1]
    k = min(k, K)
    W = np.empty((n_boot, n))
    for b in range(n_boot):
        W[b] = np.bincount(rng.integers(0, n, n), minlength=n)
    W /= n
    means = W @ Y                                   # B × K
    second = np.zeros((n_boot, K * K))
    rows = max(1, (32 << 20) // (8 * K * K))
    for lo in range(0, n, rows):                    # Σ_μ w_bμ y_μ y_μ^T, chunked over samples
        Yc = Y[lo:lo + rows]
        second += W[:, lo:lo + rows] @ (Yc[:, :, None] * Yc[:, None, :]).reshape(Yc.shape[0], K * K)
    Cb = second.reshape(n_boot, K, K) - means[:, :, None] * means[:, None, :]
    out = np.linalg.eigvalsh(Cb)[:, ::-1][:, :k]
    return out


def speciation(X: np.ndarray, k: int = 10, n_boot: int = 200, rng: np.random.Generator | None = None,
               method: str = "auto", ritz: int = 32) -> dict:
    """Λ, its bootstrap error, t_S = ½ ln Λ with error, and the next eigenvalues (later speciations)."""
    rng = rng or np.random.default_rng(0)
    n, d = X.shape
    kk = max(int(k), min(int(ritz), d, n))
    w, V, used = covariance_spectrum(X, kk, method, rng)
    k = min(int(k), w.size)
    boot = bootstrap_spectrum(X, V, k, validate.positive_int("n_boot", n_boot), rng)
    Lam = float(w[0])
    if not Lam > 0:
        raise ValueError("zero covariance: cannot define a speciation time")
    with np.errstate(divide="ignore", invalid="ignore"):
        tS_boot = 0.5 * np.log(boot[:, 0])
    eig = w[:k]
    eig_err = boot.std(axis=0, ddof=1)
    later = [{"index": j + 1, "eigenvalue": float(eig[j]), "t": 0.5 * math.log(eig[j]),
              "t_err": float(eig_err[j] / (2 * eig[j]))} for j in range(1, k) if eig[j] > 1.0]
    return {
        "Lambda": Lam,
        "Lambda_err": float(eig_err[0]),
        "t_S": 0.5 * math.log(Lam),
        "t_S_err": float(np.std(tS_boot[np.isfinite(tS_boot)], ddof=1)) if np.isfinite(tS_boot).sum() > 2 else math.nan,
        "eigenvalues": eig.tolist(),
        "eigenvalues_err": eig_err.tolist(),
        "later_speciations": later,
        "eigen_solver": used,
        "n_boot": int(n_boot),
        "trace_fraction_top": float(Lam / (np.sum(X * X) / n)),
    }


# ---------------------------------------------------------------------------------- collapse
def default_time_grid(d: int, points: int = 48, t_min: float = 0.02) -> np.ndarray:
    """Geometric grid from t_min to ½ ln d + 2.5 (f^e has reached α well before the top)."""
    return np.geomspace(t_min, 0.5 * math.log(max(d, 2)) + 2.5, points)


def excess_entropy_samples(X: np.ndarray, ts: np.ndarray, n_mc: int, rng: np.random.Generator,
                           chunk_bytes: int = 64 << 20, source_idx: np.ndarray | None = None,
                           z: np.ndarray | None = None, participation: bool = False, progress: bool = False):
    """Per-sample values -ln w_μ(x, t) / d (n_mc × len(ts)); their mean is f^e(t).

    With ``participation=True`` also returns Σ_ν w_ν(x, t)² per sample (its mean is the
    probability φ_C(t) that two clones made at t end on the same training point).

    ``source_idx`` (training indices μ) and ``z`` (noise, n_mc × d) may be given; by default μ is
    drawn uniformly (without replacement while n_mc ≤ n) and z ~ N(0, I)."""
    n, d = X.shape
    ts = np.asarray(ts, dtype=float)
    if np.any(~(ts > 0)):
        raise ValueError("times must be > 0")
    if source_idx is None:
        n_mc = validate.positive_int("n_mc", n_mc)
        source_idx = rng.choice(n, size=n_mc, replace=n_mc > n)
    source_idx = np.asarray(source_idx)
    M = source_idx.size
    if z is None:
        z = rng.standard_normal((M, d))
    sq = np.einsum("ij,ij->i", X, X)
    c = np.exp(-ts)
    delta = -np.expm1(-2.0 * ts)
    a_coef = -0.5 * c * c / delta          # multiplies |a_μ - a_ν|²
    b_coef = c * np.sqrt(delta) / delta    # multiplies z·(a_ν - a_μ)
    out = np.empty((M, ts.size))
    part = np.empty((M, ts.size)) if participation else None
    rows = max(1, int(chunk_bytes // (8 * 3 * n)))
    for lo in tqdm(range(0, M, rows), desc="excess entropy f^e", disable=not progress, leave=False):
        idx = source_idx[lo:lo + rows]
        A = X[idx]
        Z = z[lo:lo + rows]
        dist2 = sq[idx][:, None] + sq[None, :] - 2.0 * (A @ X.T)
        np.maximum(dist2, 0.0, out=dist2)
        dist2[np.arange(idx.size), idx] = 0.0
        za = Z @ X.T
        za -= za[np.arange(idx.size), idx][:, None]
        dist2 = dist2.astype(np.float32)
        za = za.astype(np.float32)
        D = np.empty_like(dist2)
        for j in range(ts.size):
            np.multiply(dist2, np.float32(a_coef[j]), out=D)
            D += np.float32(b_coef[j]) * za
            mx = D.max(axis=1)
            D -= mx[:, None]
            np.exp(D, out=D)
            tot = D.sum(axis=1, dtype=np.float64)
            out[lo:lo + rows, j] = (mx.astype(float) + np.log(tot)) / d
            if participation:
                part[lo:lo + rows, j] = np.einsum("ij,ij->i", D, D, dtype=np.float64) / (tot * tot)
    return (out, part) if participation else out


def excess_entropy_curve(X: np.ndarray, ts: np.ndarray, n_mc: int, rng: np.random.Generator, **kw) -> dict:
    """f^e(t) with its Monte Carlo standard error; α = ln n / d."""
    L = excess_entropy_samples(X, ts, n_mc, rng, **kw)
    n, d = X.shape
    return {"t": np.asarray(ts, float), "f": L.mean(axis=0), "f_err": L.std(axis=0, ddof=1) / math.sqrt(L.shape[0]),
            "alpha": math.log(n) / d, "samples": L}


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
                  rng: np.random.Generator | None = None) -> dict:
    """t_C with a bootstrap error, from Monte Carlo samples of -ln w_μ / d (rows) on the grid ``ts``.

    Estimator (the engine's, ``estimate_t_C(method="gaussian")``): as d → ∞, f^e → max(0, f),
    f = α - (s - s_Δ); where f^e is well above 0 (f^e/α in [0.3, 0.9]) it equals f, and each point
    is inverted with the isotropic-Gaussian form s - s_Δ = ½ ln(1 + v e^{-2t}/Δ_t) for an effective
    variance v (exact for Gaussian data and mixtures at large d); the weighted mean v gives
    ``t_C = ½ ln(1 + v/(e^{2α} - 1))``, the onset of collapse. Error: bootstrap over the Monte Carlo
    samples (the engine's delta-method error treats the points as fully correlated). The engine's
    straight-line variant is returned as ``t_C_linear`` for comparison."""
    rng = rng or np.random.default_rng(0)
    M = samples.shape[0]
    f = samples.mean(axis=0)
    f_err = samples.std(axis=0, ddof=1) / math.sqrt(M)
    tC = collapse_time_point(ts, f, f_err, alpha)
    boots = np.array([collapse_time_point(ts, samples[idx].mean(axis=0), samples[idx].std(axis=0, ddof=1) / math.sqrt(M), alpha)
                      for idx in (rng.integers(0, M, M) for _ in range(n_boot))])
    ok = np.isfinite(boots)
    err = float(np.std(boots[ok], ddof=1)) if ok.sum() > 2 else math.nan
    lin = collapse_time_point(ts, f, f_err, alpha, method="linear")
    return {"t_C": tC, "t_C_err": err,
            "t_C_estimator": ("numerics.engine.entropy.estimate_t_C(method='gaussian'): effective variance v from "
                              "f^e = alpha - 1/2 ln(1 + v e^(-2t)/Delta_t) on f^e/alpha in [0.3, 0.9], "
                              "t_C = 1/2 ln(1 + v/(e^(2 alpha) - 1)); bootstrap error over Monte Carlo samples"),
            "t_C_linear": lin, "t_half": _first_crossing(ts, f / alpha, 0.5)}


def dataset_times(X: np.ndarray, *, seed: int = 0, k: int = 10, n_boot: int = 200, n_mc: int = 1000,
                  ts: np.ndarray | None = None, progress: bool = False) -> dict:
    """Full payload: speciation (spectrum + bootstrap) and collapse (f^e curve + t_C)."""
    import time

    rng = np.random.default_rng(seed)
    n, d = X.shape
    t0 = time.perf_counter()
    out = speciation(X, k=k, n_boot=n_boot, rng=rng)
    t1 = time.perf_counter()
    ts = default_time_grid(d) if ts is None else np.asarray(ts, float)
    curve = excess_entropy_curve(X, ts, n_mc, rng, progress=progress)
    tc = collapse_time(ts, curve["samples"], curve["alpha"], n_boot=n_boot, rng=rng)
    out["seconds"] = {"speciation": t1 - t0, "collapse": time.perf_counter() - t1}
    out.update(alpha=curve["alpha"], n=n, d=d, **tc, n_mc=int(curve["samples"].shape[0]),

               fe_t=curve["t"].tolist(), fe=curve["f"].tolist(), fe_err=curve["f_err"].tolist())
    return out
