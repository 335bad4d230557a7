"""The EMPIRICAL (memorising) score of ``n`` training points (THEORY §0, §5), and the model that
wraps any training set for the engine (:class:`EmpiricalModel`).

Empirical law at time t of training points ``a_μ`` (rows of ``train``)::

    P^e_t(x) = (1/n) Σ_μ N(x; c a_μ, Δ_t I),   c = e^{-t},  Δ_t = 1 - e^{-2t}
    S^e(x,t) = (c Σ_μ w_μ a_μ - x) / Δ_t,       w = softmax_μ(-|x - c a_μ|² / (2 Δ_t)).

Fast path (:func:`empirical_score`, :class:`EmpiricalScore`): squared distances by GEMM,
``|x - c a|² = |x|² - 2c x·a + c²|a|²``; the ``|x|²`` term is constant over μ and drops out of
the softmax, so the logits are ``ℓ_μ = (c x·a_μ - c²|a_μ|²/2)/Δ_t``. The training set is
processed in chunks of ``n_chunk`` points with an online (running-max) log-sum-exp, so memory is
``batch_chunk × n_chunk`` whatever ``n``: per chunk one GEMM ``x·a_chunkᵀ``, one fused Numba pass
(scale, running max, exp, row sum, top-2 tracking) in place, one GEMM ``w·a_chunk``.
FLOPs: ``4 B n d`` (two GEMMs) + O(B n) for the softmax.

Precision: the GEMM expansion loses ``~ eps·|x|²/Δ_t`` in the logits (cancellation when x sits
on a training point at small t). In float32 with d ~ 10³ this reaches O(0.1–1) at t ~ 1e-4: the
weights are then blurred among near-tied points but nothing overflows (no NaN). Use
``dtype=np.float64`` for t ≲ 1e-3 or when the weights themselves matter.

:func:`empirical_score_naive` is the plain reference (explicit differences, scipy-free
log-sum-exp); tests and ``regimes bench`` compare against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

# The OpenMP threading layer busy-waits after a parallel region and steals the cores from the
# following OpenBLAS GEMM (measured: 3x slower interleaved kernel+GEMM on 2 cores); the
# workqueue layer sleeps. Only takes effect if no parallel kernel has run yet in the process.
if nb.config.THREADING_LAYER == "default":
    nb.config.THREADING_LAYER = "workqueue"

from numerics import validate
from numerics.engine import memory
from numerics.engine.protocol import LEVEL_CLASS, LEVEL_POINT

__all__ = [
    "EmpiricalScore",
    "StreamedRows",
    "EmpiricalModel",
    "EmpiricalResult",
    "empirical_score",
    "empirical_score_naive",
    "empirical_log_density",
    "DEFAULT_MEMORY_BYTES",
]

DEFAULT_MEMORY_BYTES = 64 * 2**20  # bound on the (batch_chunk × n_chunk) logits block
STREAM_ROWS = 4096  # rows per read of a streamed training set


class StreamedRows:
    """The rows of a row source (``n``, ``d``, ``read_rows(lo, hi)``, ``take_rows(idx)``) in ``dtype``,
    read on demand: ``rows[lo:hi]`` and ``rows[idx]`` behave like an (n, d) array's, nothing is resident.
    :class:`numerics.data.stream.DataStream` is such a source (any file or folder of
    :mod:`numerics.data.stores`, in the user's units)."""

    def __init__(self, source, dtype) -> None:
        self.source, self.dtype = source, np.dtype(dtype)
        self.shape = (int(source.n), int(source.d))

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, slice):
            lo, hi, step = key.indices(self.shape[0])
            if step != 1:
                raise ValueError("streamed training rows support contiguous slices only")
            return np.ascontiguousarray(self.source.read_rows(lo, hi), dtype=self.dtype)
        idx = np.asarray(key)
        if idx.ndim == 0:
            return self[int(idx):int(idx) + 1][0]
        return np.ascontiguousarray(self.source.take_rows(idx.astype(np.int64)), dtype=self.dtype)


def _c_delta(t: float) -> tuple[float, float]:
    t = validate.positive("t", t)
    return math.exp(-t), -math.expm1(-2.0 * t)


# --------------------------------------------------------------------------- naive reference
def empirical_score_naive(x: np.ndarray, t: float, train: np.ndarray, *, return_weights: bool = False):
    """Plain reference: explicit differences x - c a_μ, log-sum-exp, weighted mean. O(B n d) memory.

    Returns the score (B, d), and the posterior weights (B, n) when ``return_weights``.
    """
    c, delta = _c_delta(t)
    x = np.asarray(x)
    a = np.asarray(train, dtype=x.dtype)
    diff = x[:, None, :] - c * a[None, :, :]  # (B, n, d)
    logits = -np.sum(diff * diff, axis=-1) / (2.0 * delta)
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    w /= w.sum(axis=1, keepdims=True)
    score = (c * (w @ a) - x) / delta
    return (score, w) if return_weights else score


def empirical_log_density_naive(x: np.ndarray, t: float, train: np.ndarray) -> np.ndarray:
    """Plain reference for ln P^e_t(x), shape (B,)."""
    c, delta = _c_delta(t)
    x = np.asarray(x, dtype=float)
    a = np.asarray(train, dtype=float)
    d = x.shape[1]
    diff = x[:, None, :] - c * a[None, :, :]
    logits = -np.sum(diff * diff, axis=-1) / (2.0 * delta)
    m = logits.max(axis=1)
    lse = m + np.log(np.exp(logits - m[:, None]).sum(axis=1))
    return lse - math.log(a.shape[0]) - 0.5 * d * math.log(2.0 * math.pi * delta)


# --------------------------------------------------------------------------- fused kernels
_NEG = -3.0e38  # finite "-inf" sentinel (fastmath kernels assume finite values)


@nb.njit(inline="always", fastmath=True)
def _row_scale_max_top2(row, al, beta, i, best, best_idx, second, offset, track):  # pragma: no cover
    """ℓ_j = al·row_j - beta_j in place; returns the row max; merges the top-2 into best/second."""
    nc = row.shape[0]
    mx = row.dtype.type(_NEG)
    for j in range(nc):
        v = row[j] * al - beta[j]
        row[j] = v
        mx = max(mx, v)
    if track:
        jb = 0
        for j in range(nc):
            if row[j] == mx:
                jb = j
                break
        mx2 = row.dtype.type(_NEG)
        for j in range(nc):
            v = row[j] if j != jb else row.dtype.type(_NEG)
            mx2 = max(mx2, v)
        b1 = best[i]
        b2 = second[i]
        if mx > b1:
            second[i] = max(b1, mx2)
            best[i] = mx
            best_idx[i] = offset + jb
        else:
            second[i] = max(b2, mx)
    return mx


@nb.njit(inline="always", fastmath=True)
def exp_row_f32(row, mn, nbuf):  # pragma: no cover
    """In place ``row[j] = exp(row[j] - mn)`` (float32) by a vectorisable Cephes-type expf: range
    reduction + degree-6 polynomial + exponent-bit scaling (rel. err ~1e-7); arguments below -80
    give exactly 0 (no denormals downstream). ``nbuf``: int32 scratch of the row's length."""
    nc = row.shape[0]
    for j in range(nc):
        x0 = row[j] - mn
        keep = x0 > np.float32(-80.0)  # exp(-80) ~ 2e-35: flush to exactly 0 (no denormals in the GEMM)
        x = max(x0, np.float32(-86.0))
        fn = np.floor(x * np.float32(1.44269504088896341) + np.float32(0.5))
        rr = x - fn * np.float32(0.693359375) - fn * np.float32(-2.12194440e-4)
        p = np.float32(1.9875691500e-4)
        p = p * rr + np.float32(1.3981999507e-3)
        p = p * rr + np.float32(8.3334519073e-3)
        p = p * rr + np.float32(4.1665795894e-2)
        p = p * rr + np.float32(1.6666665459e-1)
        p = p * rr + np.float32(5.0000001201e-1)
        row[j] = (p * rr * rr + rr + np.float32(1.0)) if keep else np.float32(0.0)
        nbuf[j] = (np.int32(fn) << 23) if keep else np.int32(0)
    rowi = row.view(np.int32)
    for j in range(nc):
        rowi[j] += nbuf[j]


@nb.njit(parallel=True, fastmath=True, cache=True)
def _softmax_block_f32(G, alpha, beta, m, s, r, best, best_idx, second, offset, track):  # pragma: no cover
    """float32 block: in place ℓ = alpha·G - beta, then exp(ℓ - m_new) by a vectorisable
    Cephes-type expf (range reduction + degree-6 polynomial + exponent-bit scaling, rel. err ~1e-7;
    arguments below -80 give exactly 0 so that the second GEMM never meets denormals);
    online log-sum-exp: m (running max), s (running Σ exp, float64), r (accumulator rescale)."""
    B, nc = G.shape
    al = np.float32(alpha)
    for i in nb.prange(B):
        row = G[i]
        mx = _row_scale_max_top2(row, al, beta, i, best, best_idx, second, offset, track)
        m_old = m[i]
        m_new = max(m_old, np.float64(mx))
        ri = math.exp(m_old - m_new)
        nbuf = np.empty(nc, np.int32)
        exp_row_f32(row, np.float32(m_new), nbuf)
        acc = np.float32(0.0)
        for j in range(nc):
            acc += row[j]
        s[i] = s[i] * ri + acc
        r[i] = ri
        m[i] = m_new


@nb.njit(parallel=True, cache=True)
def _softmax_block_f64(G, alpha, beta, m, s, r, best, best_idx, second, offset, track):  # pragma: no cover
    """float64 block: same contract as the float32 kernel with libm exp (full precision)."""
    B, nc = G.shape
    for i in nb.prange(B):
        row = G[i]
        mx = _row_scale_max_top2(row, alpha, beta, i, best, best_idx, second, offset, track)
        m_old = m[i]
        m_new = max(m_old, mx)
        ri = math.exp(m_old - m_new)
        acc = 0.0
        for j in range(nc):
            v = row[j] - m_new
            e = math.exp(v) if v > -600.0 else 0.0  # flush: no denormals in the second GEMM
            row[j] = e
            acc += e
        s[i] = s[i] * ri + acc
        r[i] = ri
        m[i] = m_new


@dataclass
class EmpiricalResult:
    """Output of :meth:`EmpiricalScore.evaluate` (arrays over the batch).

    score: S^e(x,t) (B, d); log_density: ln P^e_t(x) (B,) float64; nearest: index of the nearest
    c·a_μ (B,); dist_ratio: |x - c a_(1)| / |x - c a_(2)| (nearest / second nearest; NaN if n = 1);
    weights: posterior weights w (B, n) when requested, else None.
    """

    score: np.ndarray | None
    log_density: np.ndarray
    nearest: np.ndarray
    dist_ratio: np.ndarray
    weights: np.ndarray | None = None


class EmpiricalScore:
    """Empirical score of a training set, callable as ``score(x, t)`` for the integrators.

    ``EmpiricalScore(train, dtype=np.float32, n_chunk=None, batch_chunk=None, memory_bytes=64 MiB)``.
    Training points are stored once in ``dtype`` with their squared norms. ``n_chunk`` /
    ``batch_chunk`` default to sizes keeping the logits block under ``memory_bytes``.
    Results do not depend on the chunking beyond floating-point summation order (the tests
    check chunked vs unchunked agreement to rounding).
    """

    def __init__(self, train: np.ndarray, *, dtype=np.float32, n_chunk: int | None = None,
                 batch_chunk: int | None = None, memory_bytes: int = DEFAULT_MEMORY_BYTES,
                 labels: np.ndarray | None = None) -> None:
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
        if not isinstance(train, np.ndarray) and hasattr(train, "read_rows"):
            self._init_streamed(train, labels)
            self._init_chunks(n_chunk, batch_chunk, memory_bytes)
            return
        train = np.asarray(train)
        if not (np.issubdtype(train.dtype, np.integer) or np.issubdtype(train.dtype, np.floating)):
            raise ValueError(f"train must be a real (n, d) array, got dtype {train.dtype}")
        if train.ndim != 2 or train.shape[0] < 1 or train.shape[1] < 1:
            raise ValueError(f"train must be a non-empty (n, d) array, got shape {train.shape}")
        if not np.all(np.isfinite(train)):
            raise ValueError("train must be finite")
        self.train = np.ascontiguousarray(train, dtype=self.dtype)
        self.sqnorm = np.einsum("ij,ij->i", self.train.astype(np.float64), self.train.astype(np.float64))
        self.n, self.d = self.train.shape
        self.labels = None if labels is None else np.asarray(labels)
        self._init_chunks(n_chunk, batch_chunk, memory_bytes)

    def _init_streamed(self, source, labels) -> None:
        """A training set read on demand (a row source: ``n``, ``d``, ``read_rows(lo, hi)``,
        ``take_rows(idx)``, optional ``labels``): every evaluation streams it in chunks of
        ``n_chunk`` rows; only |a_μ|² (n floats) is resident. One pass here computes |a_μ|²."""
        self.n, self.d = int(source.n), int(source.d)
        if self.n < 1 or self.d < 1:
            raise ValueError(f"train must be a non-empty (n, d) row source, got ({self.n}, {self.d})")
        self.train = StreamedRows(source, self.dtype)
        self.sqnorm = np.empty(self.n)
        for lo in range(0, self.n, STREAM_ROWS):
            a = self.train[lo:lo + STREAM_ROWS]
            if not np.all(np.isfinite(a)):
                raise ValueError("train must be finite")
            a64 = a.astype(np.float64)
            self.sqnorm[lo:lo + a.shape[0]] = np.einsum("ij,ij->i", a64, a64)
        if labels is None:
            labels = getattr(source, "labels", None)
        self.labels = None if labels is None else np.asarray(labels)

    def _init_chunks(self, n_chunk, batch_chunk, memory_bytes) -> None:
        if n_chunk is not None:
            n_chunk = validate.positive_int("n_chunk", n_chunk)
        if batch_chunk is not None:
            batch_chunk = validate.positive_int("batch_chunk", batch_chunk)
        self.n_chunk = n_chunk
        self.batch_chunk = batch_chunk
        self.memory_bytes = validate.positive_int("memory_bytes", memory_bytes)

    def _chunks(self, B: int, full_n: bool) -> tuple[int, int]:
        item = self.dtype.itemsize
        budget = max(self.memory_bytes // item, 1)
        nc = self.n if full_n else (self.n_chunk or min(self.n, 4096))
        bc = self.batch_chunk or max(1, min(B, budget // max(nc, 1)))
        return min(nc, self.n), min(bc, B)

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        return self.evaluate(x, t, want_score=True, track=False).score

    def evaluate(self, x: np.ndarray, t: float, *, want_score: bool = True,
                 return_weights: bool = False, track: bool = True) -> EmpiricalResult:
        """Score, ln P^e_t(x), nearest training point, distance ratio (and weights) in one pass.

        ``track=False`` skips the nearest / second-nearest bookkeeping (``nearest`` and
        ``dist_ratio`` are then meaningless); :meth:`__call__` uses it.
        """
        c, delta = _c_delta(t)
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.d:
            raise ValueError(f"x must have shape (batch, {self.d}), got {x.shape}")
        if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
            raise ValueError(f"x must be a real array, got dtype {x.dtype}")
        out_dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        xd = np.ascontiguousarray(x, dtype=self.dtype)
        B = xd.shape[0]
        if not np.isfinite(xd).all():
            raise ValueError(f"x must be finite (in {self.dtype.name}), got NaN or inf")
        if B == 0:  # an empty batch: empty results of the right shapes
            return EmpiricalResult(np.empty((0, self.d), dtype=out_dtype) if want_score else None, np.empty(0),
                                   np.empty(0, dtype=np.int64), np.empty(0),
                                   np.empty((0, self.n), dtype=self.dtype) if return_weights else None)
        if return_weights:
            memory.require(float(B) * self.n * self.dtype.itemsize, "the posterior weights", batch=B, n=self.n)
        nc, bc = self._chunks(B, return_weights)
        alpha = c / delta
        beta_all = (0.5 * c * c / delta) * self.sqnorm  # float64
        score = np.empty((B, self.d), dtype=out_dtype) if want_score else None
        logp = np.empty(B)
        nearest = np.empty(B, dtype=np.int64)
        ratio = np.empty(B)
        weights = np.empty((B, self.n), dtype=self.dtype) if return_weights else None
        G = np.empty((bc, nc), dtype=self.dtype)
        betas = [beta_all[j0:j0 + nc].astype(self.dtype) for j0 in range(0, self.n, nc)]
        kernel = _softmax_block_f32 if self.dtype == np.float32 else _softmax_block_f64
        track = bool(track)
        for i0 in range(0, B, bc):
            xb = xd[i0:i0 + bc]
            b = xb.shape[0]
            m = np.full(b, _NEG)
            s = np.zeros(b)
            r = np.empty(b)
            best = np.full(b, _NEG, dtype=self.dtype)
            second = np.full(b, _NEG, dtype=self.dtype)
            best_idx = np.zeros(b, dtype=np.int64)
            if want_score:
                # accumulator kept transposed, (d, b): the GEMM aᵀ·Gᵀ runs at full speed in
                # OpenBLAS, whereas G·a with a long inner dimension and a short output does not
                acc_t = np.zeros((self.d, b), dtype=self.dtype)
                tmp_t = np.empty((self.d, b), dtype=self.dtype)
            for k, j0 in enumerate(range(0, self.n, nc)):
                a = self.train[j0:j0 + nc]
                Gb = G[:b, :a.shape[0]]
                np.matmul(xb, a.T, out=Gb)
                kernel(Gb, alpha, betas[k], m, s, r, best, best_idx, second, j0, track)
                if want_score:
                    if k > 0:
                        acc_t *= r.astype(self.dtype)[None, :]
                    np.matmul(a.T, Gb.T, out=tmp_t)
                    acc_t += tmp_t
                if return_weights:
                    weights[i0:i0 + b] = Gb  # full_n: one chunk, already exp(ℓ - m)
            x2 = np.einsum("ij,ij->i", xb.astype(np.float64), xb.astype(np.float64))
            half = x2 / (2.0 * delta)
            logp[i0:i0 + b] = m + np.log(s) - half - math.log(self.n) - 0.5 * self.d * math.log(2 * math.pi * delta)
            nearest[i0:i0 + b] = best_idx
            # squared distance = |x|² - 2Δ ℓ ; clip tiny negatives from rounding
            d1 = np.maximum(x2 - 2.0 * delta * best.astype(np.float64), 0.0)
            d2 = np.maximum(x2 - 2.0 * delta * second.astype(np.float64), 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio[i0:i0 + b] = np.sqrt(d1 / d2) if self.n > 1 else np.nan
            if want_score:
                mean_a = acc_t.T / s[:, None].astype(self.dtype)
                score[i0:i0 + b] = (c * mean_a - xb) / delta
            if return_weights:
                weights[i0:i0 + b] /= s[:, None].astype(self.dtype)
        return EmpiricalResult(score, logp, nearest, ratio, weights)

    def log_density(self, x: np.ndarray, t: float) -> np.ndarray:
        """ln P^e_t(x) (B,), float64 result, stabilised chunked log-sum-exp."""
        return self.evaluate(x, t, want_score=False).log_density

    def sample_t(self, size: int, t: float, rng: np.random.Generator, *, return_index: bool = False):
        """Exact draw from P^e_t: μ uniform, x = e^{-t} a_μ + sqrt(Δ_t) z (float64)."""
        size = validate.positive_int("size", size)
        c, delta = _c_delta(t)
        idx = rng.integers(0, self.n, size)
        x = c * self.train[idx].astype(np.float64) + math.sqrt(delta) * rng.standard_normal((size, self.d))
        return (x, idx) if return_index else x


def empirical_score(x: np.ndarray, t: float, train: np.ndarray, *, dtype=None, n_chunk: int | None = None,
                    batch_chunk: int | None = None, return_weights: bool = False):
    """Empirical score S^e(x,t) of the training set (rows of ``train``), batched, chunked GEMM.

    ``dtype`` defaults to x's dtype (float32 or float64). Returns (B, d), or (score, weights)
    with the posterior weights w (B, n) when ``return_weights``. For repeated calls build an
    :class:`EmpiricalScore` once (it keeps the converted training set and |a_μ|²).
    """
    x = np.asarray(x)
    dt = dtype or (x.dtype if x.dtype in (np.float32, np.float64) else np.float64)
    es = EmpiricalScore(train, dtype=dt, n_chunk=n_chunk, batch_chunk=batch_chunk)
    res = es.evaluate(x, t, return_weights=return_weights)
    return (res.score, res.weights) if return_weights else res.score


def empirical_log_density(x: np.ndarray, t: float, train: np.ndarray, *, dtype=np.float64,
                          n_chunk: int | None = None) -> np.ndarray:
    """ln P^e_t(x) = ln[(1/n) Σ_μ N(x; e^{-t} a_μ, Δ_t I)], shape (B,), by chunked log-sum-exp."""
    return EmpiricalScore(train, dtype=dtype, n_chunk=n_chunk).log_density(np.asarray(x), t)


class EmpiricalModel:
    """Any training set as a model of the engine (:mod:`numerics.engine.protocol`).

    ``P_0 = (1/n) Σ_μ δ(a - a_μ)``: the noisy law is the empirical mixture ``P^e_t``, its score the
    empirical score, its exact draw ``x = e^{-t} a_μ + sqrt(Δ_t) z`` with μ uniform. The class of an
    endpoint is the label of its nearest training point at the final time (levels: the given label
    levels, then ``"point"``, the training index itself: agreement at that level is the collapse
    probability φ_C). ``labels`` is one array (level ``"class"``) or a dict ``{level: array}``;
    ``source`` optionally names the model the points were drawn from (its theory hooks are then
    forwarded: ``phi_theory``, ``t_S``, ``t_C(n)``, ``excess_entropy(t, n)``).
    """

    name = "empirical"

    def __init__(self, train, labels=None, *, dtype=np.float32, source=None, **score_kw) -> None:
        self.es = train if isinstance(train, EmpiricalScore) else EmpiricalScore(train, dtype=dtype, **score_kw)
        if labels is None and self.es.labels is not None:
            labels = self.es.labels
        if labels is not None and not isinstance(labels, dict):
            labels = {LEVEL_CLASS: labels}
        self.label_levels = {} if labels is None else {k: np.asarray(v) for k, v in labels.items()}
        for k, v in self.label_levels.items():
            if v.shape != (self.es.n,):
                raise ValueError(f"labels[{k!r}] must have one entry per training point ({self.es.n}), got {v.shape}")
        self.source = source

    @property
    def dim(self) -> int:
        return self.es.d

    @property
    def n(self) -> int:
        return self.es.n

    def params(self) -> dict:
        """Protocol: ``n``, ``d``, ``dtype`` and the source model's parameters."""
        out = {"model": self.name, "n": self.es.n, "d": self.es.d, "dtype": self.es.dtype.name}
        if self.source is not None:
            out["source"] = self.source.params()
        return out

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """The empirical score S^e(x, t)."""
        return self.es(x, t)

    def sample_t(self, size: int, t: float, rng: np.random.Generator) -> np.ndarray:
        """Exact draw from P^e_t."""
        return self.es.sample_t(size, t, rng)

    def labels(self, y: np.ndarray, t: float, rng: np.random.Generator | None = None) -> dict:
        """Levels of the endpoints: labels of the nearest training point, and the point itself."""
        nearest = self.es.evaluate(y, t, want_score=False).nearest
        out = {k: v[nearest] for k, v in self.label_levels.items()}
        out[LEVEL_POINT] = nearest
        return out

    # theory hooks forwarded from the source model (None when absent)
    def __getattr__(self, item):
        if item in ("phi_theory", "t_S", "excess_entropy", "t_C") and self.source is not None:
            return getattr(self.source, item, None)
        raise AttributeError(item)
