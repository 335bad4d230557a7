"""Mixture specifications (SPEC files) and class covariances in factorised form (THEORY §6).

A SPEC is data, never code: ``.json`` (``json.load``) or ``.npz`` (``numpy.load(allow_pickle=False)``) with

- ``weights``: K numbers > 0 summing to 1 (tolerance 1e-9);
- ``means``: K × d;
- ``covariances``: K entries, each a number (isotropic variance σ² ≥ 0), a length-d list (diagonal) or a
  d × d matrix (symmetric to 1e-10 relative, positive semi-definite to -1e-10 relative; rank-deficient
  allowed). In an ``.npz`` either one array ``covariances`` of shape (K,), (K, d) or (K, d, d), or one
  array ``covariance_<c>`` per class (mixed kinds);
- ``groups`` (optional): a list of levels, coarsest first, each a list of K group labels (strings or
  integers); in an ``.npz`` an array of shape (L, K).

Every problem is a ``ValueError`` of one line naming the field (the CLI turns it into exit 2).

:class:`Cov` holds a covariance as ``isotropic`` (σ²), ``diagonal`` (v) or ``eigen`` (orthonormal
U, eigenvalues λ on span U, base variance s₀ on its orthogonal complement): a full matrix is
factorised once (``numpy.linalg.eigh``), its most frequent eigenvalue (multiplicity ≥ d/2, e.g. the
zeros of a low-rank matrix or the bulk of a spiked one) becomes the base, so a rank-D class costs
O(dD) per point, never a d × d inverse.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Cov", "Spec", "load_spec", "parse_spec"]

SYM_TOL = 1e-10
PSD_TOL = 1e-10
WEIGHT_TOL = 1e-9
_KEYS = {"weights", "means", "covariances", "groups"}


@dataclass(frozen=True, eq=False)
class Cov:
    """A class covariance in factorised form (see the module docstring).

    ``kind``: ``"iso"`` (``s``), ``"diag"`` (``v``, shape (d,)) or ``"eig"`` (``U`` (d, r) orthonormal,
    ``lam`` (r,), base ``s`` on the complement of span U).
    """

    kind: str
    d: int
    s: float = 0.0
    v: np.ndarray | None = field(default=None, repr=False)
    U: np.ndarray | None = field(default=None, repr=False)
    lam: np.ndarray | None = None

    # ---- constructors ---------------------------------------------------------------
    @classmethod
    def iso(cls, s: float, d: int) -> "Cov":
        """σ² I."""
        return cls("iso", int(d), float(s))

    @classmethod
    def diag(cls, v) -> "Cov":
        """diag(v); all-equal entries become isotropic."""
        v = np.asarray(v, dtype=float).ravel()
        if v.size and np.all(v == v[0]):
            return cls.iso(float(v[0]), v.size)
        return cls("diag", v.size, v=v.copy())

    @classmethod
    def low_rank(cls, U, lam, base: float = 0.0) -> "Cov":
        """U diag(λ) Uᵀ + s₀ (I − U Uᵀ), U with orthonormal columns (checked)."""
        U = np.asarray(U, dtype=float)
        lam = np.asarray(lam, dtype=float).ravel()
        if U.ndim != 2 or U.shape[1] != lam.size:
            raise ValueError(f"low-rank covariance: U must be d × r with r = len(lam), got {U.shape} and {lam.size}")
        if lam.size and np.max(np.abs(U.T @ U - np.eye(lam.size))) > 1e-8:
            raise ValueError("low-rank covariance: the columns of U must be orthonormal")
        return cls("eig", U.shape[0], float(base), U=U.copy(), lam=lam.copy())

    @classmethod
    def from_matrix(cls, C, *, name: str = "covariance") -> "Cov":
        """A symmetric PSD d × d matrix, factorised once (``ValueError`` naming ``name`` otherwise)."""
        C = np.asarray(C, dtype=float)
        d = C.shape[0]
        scale = max(1.0, float(np.max(np.abs(C)))) if C.size else 1.0
        asym = float(np.max(np.abs(C - C.T))) if C.size else 0.0
        if asym > SYM_TOL * scale:
            raise ValueError(f"{name}: not symmetric (max |C - Cᵀ| = {asym:.3g})")
        C = 0.5 * (C + C.T)
        off = C - np.diag(np.diag(C))
        if not np.any(off):
            if np.any(np.diag(C) < 0):
                raise ValueError(f"{name}: not positive semi-definite (negative diagonal entry)")
            return cls.diag(np.diag(C))
        w, V = np.linalg.eigh(C)
        top = max(float(w[-1]), 1.0)
        if w[0] < -PSD_TOL * top:
            raise ValueError(f"{name}: not positive semi-definite (smallest eigenvalue {w[0]:.3g})")
        w = np.maximum(w, 0.0)
        tol = 1e-9 * top
        # the most frequent eigenvalue (clusters of sorted eigenvalues closer than tol) becomes the base
        breaks = np.flatnonzero(np.diff(w) > tol) + 1
        clusters = np.split(np.arange(d), breaks)
        big = max(clusters, key=len)
        if len(big) == d:
            return cls.iso(float(np.mean(w)), d)
        if 2 * len(big) >= d:
            base = float(np.mean(w[big]))
            base = 0.0 if base <= tol else base  # the zeros of a rank-deficient matrix are exact zeros
            keep = np.setdiff1d(np.arange(d), big)
        else:
            base, keep = 0.0, np.arange(d)
        return cls("eig", d, base, U=V[:, keep].copy(), lam=w[keep].copy())

    # ---- properties -------------------------------------------------------------------
    @property
    def r(self) -> int:
        """Number of explicit eigen-directions (0 for isotropic, d for diagonal)."""
        return 0 if self.kind == "iso" else (self.d if self.kind == "diag" else self.lam.size)

    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """(distinct eigenvalue list, multiplicities) of the covariance (no d-sized allocation for 'iso')."""
        if self.kind == "iso":
            return np.array([self.s]), np.array([self.d])
        if self.kind == "diag":
            return self.v.copy(), np.ones(self.d, dtype=int)
        vals = np.concatenate([self.lam, [self.s]])
        mult = np.concatenate([np.ones(self.lam.size, dtype=int), [self.d - self.lam.size]])
        keep = mult > 0
        return vals[keep], mult[keep]

    def eigenvalues(self) -> np.ndarray:
        """All d eigenvalues."""
        vals, mult = self.spectrum()
        return np.repeat(vals, mult)

    def dense(self) -> np.ndarray:
        """The d × d matrix (tests, small d)."""
        if self.kind == "iso":
            return self.s * np.eye(self.d)
        if self.kind == "diag":
            return np.diag(self.v)
        return self.s * np.eye(self.d) + (self.U * (self.lam - self.s)) @ self.U.T

    def matvec(self, X: np.ndarray) -> np.ndarray:
        """Σ X for X of shape (d, m)."""
        if self.kind == "iso":
            return self.s * X
        if self.kind == "diag":
            return self.v[:, None] * X
        return self.s * X + self.U @ ((self.lam - self.s)[:, None] * (self.U.T @ X))

    def same_as(self, other: "Cov") -> bool:
        """Identical representation (same matrix)."""
        if self.kind != other.kind or self.d != other.d or self.s != other.s:
            return False
        if self.kind == "diag":
            return bool(np.array_equal(self.v, other.v))
        if self.kind == "eig":
            return self.lam.size == other.lam.size and bool(np.array_equal(self.lam, other.lam)) and bool(
                np.array_equal(self.U, other.U))
        return True

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` draws of N(0, Σ), shape (size, d)."""
        g = rng.standard_normal((size, self.d))
        if self.kind == "iso":
            return math.sqrt(self.s) * g
        if self.kind == "diag":
            return np.sqrt(self.v) * g
        proj = g @ self.U
        out = (proj * np.sqrt(self.lam)) @ self.U.T
        if self.s > 0:
            out += math.sqrt(self.s) * (g - proj @ self.U.T)
        return out

    def project(self, V: np.ndarray) -> "Cov":
        """The covariance restricted to span V (orthonormal columns) for a class whose non-isotropic part
        lies in span V (the fast path): Vᵀ Σ V."""
        q = V.shape[1]
        if self.kind == "iso":
            return Cov.iso(self.s, q)
        if self.kind == "eig":
            return Cov("eig", q, self.s, U=V.T @ self.U, lam=self.lam.copy())
        raise ValueError("a diagonal covariance has no exact low-dimensional projection")

    def describe(self) -> str:
        """One-line description of the covariance (kind and its parameters), for tables."""
        if self.kind == "iso":
            return f"isotropic {self.s:g}"
        if self.kind == "diag":
            return f"diagonal (range {self.v.min():g}..{self.v.max():g})"
        return f"rank {self.r} part (eigenvalues {self.lam.min():g}..{self.lam.max():g}) + base {self.s:g}"


@dataclass
class Spec:
    """A parsed mixture: ``weights`` (K,), ``means`` (K, d), ``covariances`` (K :class:`Cov`), ``groups``
    (list of levels, each a list of K labels; coarsest first) and ``source`` (file name or ``None``)."""

    weights: np.ndarray
    means: np.ndarray
    covariances: list
    groups: list = field(default_factory=list)
    source: str | None = None


def _finite_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be numbers (got {type(value).__name__})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: must be a {ndim}-dimensional array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0].tolist()
        raise ValueError(f"{name}: must be finite (non-finite value at index {bad})")
    return arr


def _covariance(name: str, value, d: int) -> Cov:
    if isinstance(value, Cov):
        if value.d != d:
            raise ValueError(f"{name}: dimension {value.d} != d = {d}")
        return value
    arr = _finite_array(name, value)
    if arr.ndim == 0:
        if arr < 0:
            raise ValueError(f"{name}: variance must be >= 0, got {float(arr)!r}")
        return Cov.iso(float(arr), d)
    if arr.ndim == 1:
        if arr.size != d:
            raise ValueError(f"{name}: a diagonal covariance needs d = {d} entries, got {arr.size}")
        if np.any(arr < 0):
            raise ValueError(f"{name}: diagonal entries must be >= 0 (min {arr.min():g})")
        return Cov.diag(arr)
    if arr.ndim == 2:
        if arr.shape != (d, d):
            raise ValueError(f"{name}: a full covariance must be {d} × {d}, got {arr.shape[0]} × {arr.shape[1]}")
        return Cov.from_matrix(arr, name=name)
    raise ValueError(f"{name}: must be a number, a length-d list or a d × d matrix, got shape {arr.shape}")


def parse_spec(data: dict, source: str | None = None) -> Spec:
    """Validate a SPEC mapping (see the module docstring) into a :class:`Spec`."""
    if not isinstance(data, dict):
        raise ValueError("SPEC: must be an object with weights, means, covariances (and optional groups)")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ValueError(f"SPEC: unknown field {unknown[0]!r} (fields: weights, means, covariances, groups)")
    for key in ("weights", "means", "covariances"):
        if key not in data:
            raise ValueError(f"{key}: missing")
    w = _finite_array("weights", data["weights"])
    if w.ndim != 1 or w.size < 1:
        raise ValueError(f"weights: must be a list of K >= 1 numbers, got shape {w.shape}")
    K = w.size
    if np.any(w <= 0):
        raise ValueError(f"weights: must be > 0 (got {w[w <= 0][0]:g} at index {int(np.argmax(w <= 0))})")
    if abs(float(w.sum()) - 1.0) > WEIGHT_TOL:
        raise ValueError(f"weights: must sum to 1 (sum = {float(w.sum()):.12g})")
    means = _finite_array("means", data["means"])
    if means.ndim != 2 or means.shape[0] != K:
        raise ValueError(f"means: must be K × d with K = {K} (the number of weights), got shape {means.shape}")
    d = means.shape[1]
    if d < 1:
        raise ValueError("means: d must be >= 1")
    covs = data["covariances"]
    if isinstance(covs, np.ndarray):
        covs = list(covs) if covs.ndim >= 1 else [covs]
    if not isinstance(covs, (list, tuple)) or len(covs) != K:
        n = len(covs) if isinstance(covs, (list, tuple)) else "not a list"
        raise ValueError(f"covariances: must have K = {K} entries, got {n}")
    covariances = [_covariance(f"covariances[{c}]", covs[c], d) for c in range(K)]
    groups = data.get("groups")
    levels = []
    if groups is not None:
        if isinstance(groups, np.ndarray):
            groups = groups.tolist()
        if not isinstance(groups, (list, tuple)) or (groups and not isinstance(groups[0], (list, tuple))):
            raise ValueError("groups: must be a list of levels, each a list of K labels")
        for i, lv in enumerate(groups):
            if not isinstance(lv, (list, tuple)) or len(lv) != K:
                raise ValueError(f"groups[{i}]: must list K = {K} labels, got {len(lv) if isinstance(lv, (list, tuple)) else lv!r}")
            for lab in lv:
                if not isinstance(lab, (str, int)) or isinstance(lab, bool):
                    raise ValueError(f"groups[{i}]: labels must be strings or integers, got {lab!r}")
            levels.append(list(lv))
    return Spec(w / w.sum(), means, covariances, levels, source)


def load_spec(path) -> Spec:
    """Read and validate a SPEC file (``.json`` or ``.npz``; never pickle, never eval)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"SPEC: no such file {str(path)!r}")
    suffix = p.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(p.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"SPEC: not valid JSON ({exc.__class__.__name__}: {str(exc).splitlines()[0]})") from None
        return parse_spec(data, p.name)
    if suffix == ".npz":
        try:
            with np.load(p, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (ValueError, OSError) as exc:
            raise ValueError(f"SPEC: cannot read .npz ({str(exc).splitlines()[0]})") from None
        per_class = sorted((k for k in arrays if k.startswith("covariance_")), key=lambda k: k.split("_", 1)[1])
        if per_class:
            if "covariances" in arrays:
                raise ValueError("covariances: give either 'covariances' or 'covariance_<c>' arrays, not both")
            try:
                idx = sorted(int(k.split("_", 1)[1]) for k in per_class)
            except ValueError:
                raise ValueError("covariances: per-class arrays must be named covariance_0, covariance_1, ...") from None
            if idx != list(range(len(idx))):
                raise ValueError("covariances: per-class arrays must be named covariance_0 ... covariance_{K-1}")
            arrays["covariances"] = [arrays.pop(f"covariance_{i}") for i in idx]
        if "groups" in arrays:
            g = arrays["groups"]
            if g.ndim != 2:
                raise ValueError(f"groups: must be an array of shape (levels, K), got shape {g.shape}")
            arrays["groups"] = [[_npz_label(v) for v in row] for row in g]
        return parse_spec(arrays, p.name)
    raise ValueError(f"SPEC: must be a .json or .npz file, got {p.name!r}")


def _npz_label(v):
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, (str, int)):
        return v
    raise ValueError(f"groups: labels must be strings or integers, got {v!r}")
