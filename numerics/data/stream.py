"""A dataset as a stream of row blocks with bounded memory: selection, units, memory budget
(THEORY §5, §7).

:func:`prepare` turns a :class:`numerics.data.stores.Store` into a :class:`DataStream`: the
selected rows (classes, a seeded subset), one pass of statistics (mean, spread, range, finiteness)
and the map to the *internal* coordinates every computation uses,

    x_int = (a / 2^k - m) · f,    m = mean of a / 2^k,    f = 1 / rms(a / 2^k - m),

centred and at unit average variance per coordinate. ``2^k`` is the power of two just above
``max |a|``: dividing by it is exact in binary floating point, so data ×1e300 or ×1e-300 are
handled like data ×1 (the spread is computed *after* this rescaling, never by squaring raw values).
The units the user asked for (``--scale``) are one number, ``log_unit`` = ln of the factor from
internal to user units: x_user - shift = x_int · e^{log_unit}. Every time is computed in the user's
units from internal data by carrying ``log_unit`` in log space (the OU decay becomes
``e^{log_unit - t}``), so no quantity ever overflows.

Units (``scale``)
-----------------
- ``none``: the data as given (``shift = 0``, ``s = 1``);
- ``standardize``: centred, divided by the rms ``s`` (average per-coordinate variance 1: the
  workbench's earlier only policy);
- ``pm1``: the affine map of the data range ``[lo, hi]`` (global min and max) to ``[-1, 1]``:
  ``shift = (lo + hi)/2``, ``s = (hi - lo)/2`` (the DDPM/EDM image convention).

A shift changes no time (speciation and collapse depend on the covariance and on differences
between points only), so the internal coordinates are always centred; ``preprocessing`` reports
``scale`` (its name), ``unit_scale`` s and ``shift``.

Memory
------
``memory_budget`` (bytes; default :func:`default_memory_budget`) bounds what a run holds: rows are
read in blocks of :attr:`DataStream.rows`; the internal array is cached in memory (float64) when it
takes at most a third of the budget, else every pass re-reads the store. Statistics merge per block
(Chan et al.'s pairwise update for the spread), in block order.
"""

from __future__ import annotations

import math
import os
import resource
from dataclasses import dataclass, field

import numpy as np

from numerics import validate
from numerics.data.parallel import Executor, LocalExecutor
from numerics.data.stores import ArrayStore, Store

__all__ = ["SCALES", "DataStream", "prepare", "select_rows", "default_memory_budget", "peak_memory",
           "MIN_BLOCK_ROWS"]

SCALES = ("none", "standardize", "pm1")
MIN_BLOCK_ROWS = 64
BLOCK_ROWS = 4096


def default_memory_budget() -> int:
    """A quarter of the physical memory; under an address-space limit (``ulimit -v``) at most half
    of what the limit leaves above this process's current virtual size."""
    try:
        phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        phys = 8 << 30
    budget = phys // 4
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft not in (resource.RLIM_INFINITY, -1):
        budget = min(budget, max(soft - _vm_size(), 0) // 2)
    return int(max(budget, 64 << 20))


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_memory() -> dict:
    """Peak resident set (``ru_maxrss``) and, on Linux, peak virtual size (VmPeak), in bytes."""
    out = {"peak_rss_bytes": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024}
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmPeak:"):
                    out["peak_vm_bytes"] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return out


def select_rows(labels: np.ndarray | None, n: int, *, classes=None, max_n: int | None = None, seed: int = 0,
                name: str = "data") -> np.ndarray | None:
    """Sorted row indices kept by the selection (classes, then a seeded subset of ``max_n``), or
    None for all rows."""
    sel = None
    if classes is not None:
        if labels is None:
            raise ValueError(f"{name}: --classes needs labels, and this data has none")
        labels = np.asarray(labels)
        keep = np.zeros(n, dtype=bool)
        for c in classes:
            if labels.dtype.kind in "biuf":
                try:
                    hit = labels.astype(float) == float(c)
                except (TypeError, ValueError):
                    hit = np.zeros(n, dtype=bool)
            else:
                hit = labels.astype(str) == str(c)
            if not np.any(hit):
                raise ValueError(f"{name}: no samples of class {c!r}")
            keep |= hit
        sel = np.nonzero(keep)[0]
    if max_n is not None:
        max_n = validate.positive_int("max-n", max_n)
        pool = np.arange(n) if sel is None else sel
        if pool.size > max_n:
            sel = np.sort(np.random.default_rng(seed).choice(pool, size=max_n, replace=False))
    return sel


@dataclass
class DataStream:
    """Selected rows of a store in internal coordinates (module docstring), read in blocks."""

    store: Store
    sel: np.ndarray | None
    name: str
    labels: np.ndarray | None
    p2: float = 1.0
    mean: np.ndarray | None = None
    factor: float = 1.0
    log_unit: float = 0.0
    rows: int = BLOCK_ROWS
    memory_budget: int = 0
    preprocessing: dict = field(default_factory=dict)
    cache: np.ndarray | None = None

    def __getstate__(self):
        st = dict(self.__dict__)
        st["cache"] = None  # workers re-read the store: the same numbers, never the cached copy
        return st

    @property
    def n(self) -> int:
        return int(self.store.n if self.sel is None else self.sel.size)

    @property
    def d(self) -> int:
        return self.store.d

    def raw(self, lo: int, hi: int) -> np.ndarray:
        """Selected raw rows ``lo..hi-1`` (store dtype)."""
        return self.store.read(lo, hi) if self.sel is None else self.store.take(self.sel[lo:hi])

    def _internal(self, raw: np.ndarray) -> np.ndarray:
        x = raw.astype(np.float64)
        x *= 1.0 / self.p2
        x -= self.mean
        x *= self.factor
        return x

    def block(self, lo: int, hi: int) -> np.ndarray:
        """Internal coordinates of selected rows ``lo..hi-1`` (float64)."""
        if self.cache is not None:
            return self.cache[lo:hi]
        return self._internal(self.raw(lo, hi))

    def take(self, pos: np.ndarray) -> np.ndarray:
        """Internal coordinates of the selected rows at positions ``pos`` (any order, repeats allowed)."""
        pos = np.asarray(pos, dtype=np.int64)
        if self.cache is not None:
            return self.cache[pos]
        uniq, inv = np.unique(pos, return_inverse=True)
        rows = uniq if self.sel is None else self.sel[uniq]
        return self._internal(self.store.take(rows))[inv]

    def blocks(self, rows: int | None = None) -> list[tuple[int, int]]:
        """Row ranges covering the selection, ``rows`` at a time (default :attr:`rows`)."""
        r = int(rows or self.rows)
        return [(lo, min(lo + r, self.n)) for lo in range(0, self.n, r)]

    def read_rows(self, lo: int, hi: int) -> np.ndarray:
        """Rows ``lo..hi-1`` in the user's units (centred): the row-source protocol of
        :class:`numerics.engine.empirical.EmpiricalScore` (a streamed training set)."""
        return self.to_units(self.block(lo, hi))

    def take_rows(self, pos: np.ndarray) -> np.ndarray:
        """Rows at positions ``pos`` (any order) in the user's units (centred)."""
        return self.to_units(self.take(pos))

    def to_units(self, X_int: np.ndarray) -> np.ndarray:
        """Internal coordinates → the user's units (centred)."""
        return X_int * math.exp(self.log_unit)

    def materialize(self, executor: Executor | None = None) -> np.ndarray:
        """The whole selection in internal coordinates (n × d float64), cached on the stream."""
        if self.cache is None:
            ex = executor or LocalExecutor()
            parts = ex.map(_block_task, self, self.blocks(), desc="read")
            self.cache = np.concatenate(parts, axis=0) if parts else np.empty((0, self.d))
        return self.cache


def _block_task(stream: DataStream, lo: int, hi: int) -> np.ndarray:
    return stream.block(lo, hi)


def _pow2_above(v: float) -> float:
    """The smallest power of two ≥ v (v > 0, finite), as a float; 1 for v = 0."""
    if not v > 0:
        return 1.0
    m, e = math.frexp(v)  # v = m 2^e, 0.5 ≤ m < 1
    return math.ldexp(1.0, e)


def _stats_task(stream: DataStream, lo: int, hi: int) -> dict:
    """Per block: count, non-finite count, power of two p ≥ max|a|, mean and Σ|a/p - mean|² in
    units of p, global min and max."""
    raw = stream.raw(lo, hi)
    x = raw.astype(np.float64).reshape(raw.shape[0], -1)
    finite = np.isfinite(x)
    bad = int(x.size - np.count_nonzero(finite))
    if bad:
        return {"n": x.shape[0], "bad": bad}
    amax = float(np.max(np.abs(x))) if x.size else 0.0
    p = _pow2_above(amax)
    x *= 1.0 / p
    mean = x.mean(axis=0)
    x -= mean
    return {"n": x.shape[0], "bad": 0, "p": p, "mean": mean, "m2": float(np.einsum("ij,ij->", x, x)),
            "lo": float(raw.min()), "hi": float(raw.max())}


def _merge_stats(parts: list[dict], name: str) -> dict:
    bad = sum(p["bad"] for p in parts)
    if bad:
        raise ValueError(f"{name}: {bad} non-finite values (NaN or inf) in the data")
    P = max(p["p"] for p in parts)
    n, mean, m2 = 0, None, 0.0
    for p in parts:  # Chan et al.: pairwise merge of (count, mean, Σ squared deviations), in block order
        r = p["p"] / P  # exact power of two
        pm, pm2, pn = p["mean"] * r, p["m2"] * r * r, p["n"]
        if mean is None:
            n, mean, m2 = pn, pm.copy(), pm2
            continue
        tot = n + pn
        delta = pm - mean
        m2 += pm2 + float(delta @ delta) * n * pn / tot
        mean += delta * (pn / tot)
        n = tot
    return {"n": n, "p2": P, "mean": mean, "m2": m2, "lo": min(p["lo"] for p in parts),
            "hi": max(p["hi"] for p in parts)}


def prepare(store: Store, *, classes=None, max_n: int | None = None, seed: int = 0, scale: str = "standardize",
            memory_budget: int | None = None, executor: Executor | None = None, cache: bool | None = None) -> DataStream:
    """Select, measure (one pass) and define the units (module docstring); returns a :class:`DataStream`.

    ``cache``: keep the internal array in memory (default: when it takes ≤ 1/3 of the budget)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    budget = default_memory_budget() if memory_budget is None else validate.positive_int("memory-budget", memory_budget)
    name = store.name
    sel = select_rows(store.labels, store.n, classes=classes, max_n=max_n, seed=seed, name=name)
    n = store.n if sel is None else sel.size
    if n < 2:
        raise ValueError(f"{name}: need at least 2 samples, got {n}")
    if store.d < 1:
        raise ValueError(f"{name}: samples have no coordinates (shape {list(store.shape)})")
    # a block: raw rows + a float64 copy + float32 and temporaries in the passes: ~ 24 bytes a coordinate
    per_row = store.d * (store.dtype.itemsize + 24)
    rows = int(min(BLOCK_ROWS, max(MIN_BLOCK_ROWS, (budget // 8) // max(per_row, 1))))
    if MIN_BLOCK_ROWS * per_row > budget // 4:
        raise ValueError(f"memory-budget {budget} bytes is too small for rows of d = {store.d} coordinates "
                         f"(a block of {MIN_BLOCK_ROWS} rows needs {4 * MIN_BLOCK_ROWS * per_row} bytes of budget)")
    labels = None if store.labels is None else (store.labels if sel is None else store.labels[sel])
    ds = DataStream(store, sel, name, labels, rows=rows, memory_budget=budget)
    ex = executor or LocalExecutor()
    st = _merge_stats(ex.map(_stats_task, ds, ds.blocks(), desc="statistics"), name)
    var = st["m2"] / (n * store.d)  # in units of p2²: (1/(n d)) Σ |a/p2 - mean|²
    if not var > 0:
        raise ValueError(f"{name}: zero variance (all samples identical)")
    rms = math.sqrt(var)
    ds.p2, ds.mean, ds.factor = st["p2"], st["mean"], 1.0 / rms
    # log of the factor internal → user units, and the user units (s, shift) in data units
    ln_rms = math.log(rms) + math.log(st["p2"])          # ln of the rms spread in data units
    if scale == "none":
        ds.log_unit, unit, shift = ln_rms, 1.0, 0.0
    elif scale == "standardize":
        ds.log_unit, unit, shift = 0.0, rms * st["p2"], "mean"
    else:
        half = 0.5 * st["hi"] - 0.5 * st["lo"]
        ds.log_unit = ln_rms - math.log(half)
        unit, shift = half, 0.5 * st["hi"] + 0.5 * st["lo"]
    ds.preprocessing = {
        "policy": POLICY[scale], "scale": scale, "unit_scale": unit, "shift": shift,
        "log_unit": ds.log_unit, "rms": rms * st["p2"], "range": [st["lo"], st["hi"]],
        "raw_shape": [int(s) for s in store.shape], "n": int(n), "d": int(store.d),
        "classes": None if classes is None else [_num(c) for c in classes], "max_n": max_n, "seed": int(seed),
        "source": store.describe(), "memory_budget": int(budget), "block_rows": int(rows),
    }
    if cache if cache is not None else (n * store.d * 8 <= budget // 3):
        ds.materialize(ex)
    ds.preprocessing["cached"] = ds.cache is not None
    return ds


POLICY = {
    "none": "flatten; data as given (times are shift-invariant: computed on centred coordinates)",
    "standardize": "flatten; centre (subtract per-coordinate mean); divide by one global scale s so that the average "
                   "per-coordinate variance is 1",
    "pm1": "flatten; affine map of the data range [min, max] to [-1, 1] (x -> (x - (min+max)/2) / ((max-min)/2)); "
           "times are shift-invariant: computed on centred coordinates",
}


def _num(c):
    if isinstance(c, str):
        return c
    f = float(c)
    return int(f) if f == int(f) else f


def from_array(X: np.ndarray, labels: np.ndarray | None = None, *, name: str = "data", scale: str = "none",
               **kw) -> DataStream:
    """An in-memory array (n × d, any units) as a stream (``scale='none'``: times in X's own units)."""
    return prepare(ArrayStore(X, labels, name), scale=scale, **kw)
