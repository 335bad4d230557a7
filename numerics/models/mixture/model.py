r"""General Gaussian mixture, numeric side (THEORY §6): ``Mixture(weights, means, covariances, groups)``.

:math:`P_0 = \sum_c p_c\,\mathcal N(m_c, \Sigma_c)`, :math:`P_t = \sum_c p_c\,\mathcal N(e^{-t}m_c, \Gamma_c(t))`,
:math:`\Gamma_c(t) = \Delta_tI + e^{-2t}\Sigma_c`. Implements the engine's model protocol
(:mod:`numerics.engine.protocol`):

- exact score :math:`S = \sum_c\pi_c\Gamma_c^{-1}(e^{-t}m_c - x)` in one pass of a few GEMMs over all
  classes (no (B, d) temporary per class), each class through its factorised covariance (:class:`~numerics.models.mixture.spec.Cov`:
  isotropic, diagonal, or eigen-directions + base), with the eigenvalues :math:`\Gamma = \Delta_t + \lambda e^{-2t}`
  of the generated ``mixture.Gamma``: O(d r) per point for a rank-r part, never a d × d inverse;
- exact draws of :math:`P_0` and :math:`P_t` with labels at every level; class posteriors;
- ``labels(y, t, rng)`` draws the class of an endpoint from its exact posterior at t: since
  :math:`P(c|x_t) = \mathbb E[P(c|x_{t_\min})|x_t]` along the exact backward process, cloning then measures
  :math:`\varphi(t) = \mathbb E\sum_c P(c|x_t)^2` with no t_min bias (only the integrator's);
- levels: the user's groups (``level_1`` … coarsest first) and ``class``;
- ``fast_path()``: when every class is isotropic with one variance σ² outside a common subspace V (the
  span of the mean differences and of the non-isotropic parts), the exact projection on V (dim ≤ K − 1 +
  Σ ranks): the other directions are independent OU processes that never enter the class.

Theory (values through :func:`numerics.results.theory`, mutable by ``regimes verify --mutate``):
pairwise κ_ab(t), KL, speciation times (exact roots of κ_ab = 1, closed forms where they exist), level
times, φ per level (exact: ``embedded`` for a shared covariance, ``radial`` for same-mean isotropic
classes; else the large-d limit, or exact-posterior Monte Carlo on request), excess entropy and t_C.
"""

from __future__ import annotations

import itertools
import math
from typing import ClassVar

import numpy as np
from scipy.optimize import brentq

from numerics import validate
from numerics.generated import gm as _gm
from numerics.models.mixture import collapse as C
from numerics.models.mixture import phi as Q
from numerics.models.mixture.spec import Cov, Spec, load_spec, parse_spec
from numerics.results import numeric, theory, theory_value

__all__ = ["Mixture", "LEVEL_CLASS"]

LEVEL_CLASS = "class"
_LOG2PI = math.log(2.0 * math.pi)
_G = numeric("mixture.Gamma")  # simulation side: never mutated


def _c_delta(t: float) -> tuple[float, float]:
    t = validate.positive("t", t)
    return math.exp(-t), -math.expm1(-2.0 * t)


def _times(t) -> np.ndarray:
    return validate.times("t", t).ravel()


class Mixture:
    """K-class Gaussian mixture (see the module docstring).

    Parameters
    ----------
    weights : array_like, shape (K,)
        Class weights p_c > 0, summing to 1.
    means : array_like, shape (K, d)
        Class means m_c.
    covariances : sequence of K entries
        Each a number (σ² I), a length-d array (diagonal), a d × d matrix or a :class:`Cov`.
    groups : list of levels, optional
        Each a list of K group labels, coarsest first.

    Examples
    --------
    >>> m = Mixture([0.5, 0.5], [[2.0] + [0.0] * 99, [-2.0] + [0.0] * 99], [1.0, 1.0])
    >>> round(m.pair_t_S(0, 1), 10) == round(0.5 * math.log(16.0 / 4 + 1 - 1), 10)  # ½ ln(|m_a - m_b|²/4 + 1 - σ²)
    True
    """

    name: ClassVar[str] = "mixture"
    defaults: ClassVar[dict] = {"t_min": 0.01}

    def __init__(self, weights, means, covariances, groups=None, *, source: str | None = None) -> None:
        spec = parse_spec({"weights": weights, "means": means, "covariances": list(covariances),
                           **({"groups": groups} if groups is not None else {})}, source)
        self._init(spec)

    @classmethod
    def from_spec(cls, spec: Spec | str) -> "Mixture":
        """From a parsed :class:`Spec` or a SPEC file path (``.json`` / ``.npz``)."""
        spec = spec if isinstance(spec, Spec) else load_spec(spec)
        self = cls.__new__(cls)
        self._init(spec)
        return self

    def _init(self, spec: Spec) -> None:
        self.spec = spec
        self.weights = np.asarray(spec.weights, dtype=float)
        self.means = np.asarray(spec.means, dtype=float)
        self.covs: list[Cov] = list(spec.covariances)
        self.K, self.d = self.means.shape
        self.logp = np.log(self.weights)
        self.level_names = [f"level_{i + 1}" for i in range(len(spec.groups))] + [LEVEL_CLASS]
        labels = [list(g) for g in spec.groups] + [list(range(self.K))]
        self.level_labels = dict(zip(self.level_names, labels))
        self.level_maps = {}
        self.level_values = {}
        for name, labs in self.level_labels.items():
            uniq = list(dict.fromkeys(labs))  # order of first appearance
            self.level_values[name] = uniq
            self.level_maps[name] = np.array([uniq.index(v) for v in labs], dtype=np.int64)

    # ------------------------------------------------------------------ identity
    def params(self) -> dict:
        """The parameters that define the model (protocol)."""
        return {"model": self.name, "d": self.d, "K": self.K, "weights": self.weights.tolist(),
                "covariances": [c.describe() for c in self.covs], "levels": self.level_names,
                "source": self.spec.source, "phi_theory": self.phi_method()}

    @property
    def dim(self) -> int:
        return self.d

    @property
    def level_groups(self) -> dict:
        """{level: group label of each class} (reported by the engine's cloning)."""
        return {k: list(v) for k, v in self.level_labels.items()}

    # ------------------------------------------------------------------ densities, score
    def _parts(self, x: np.ndarray, t: float):
        """Log-densities of every class (without −(d/2) ln 2π) and what the score needs, all classes at once.

        Each class is a 'diagonal' part 1/Γ (a scalar for isotropic and for the base of eigen classes, a
        vector for diagonal ones) plus, for eigen classes, a correction (1/Γ_i − 1/Γ₀) on span U:
        quad_k = Σ_i y_i²/Γ_{k,i} + Σ_j (y·u_j)²(1/Γ_j − 1/Γ₀), y = x − e^{−t} m_k, expanded as
        |x|²-type products so that the d-dimensional work is a few GEMMs (no (B, d) temporary per class; the
        cancellation costs ~ε|x|²/Γ in a logit, below 1e-10 for t ≥ 1e-3 at d ≤ 10⁴).
        Returns (logits (B, K) = ln p_k + ln N_k + (d/2) ln 2π, InvG (K, d) or scalars (K,), projections)."""
        c = math.exp(-t)
        K, d = self.K, self.d
        scalar = all(cv.kind != "diag" for cv in self.covs)
        inv = np.empty(K) if scalar else np.empty((K, d))
        logdet = np.empty(K)
        for k, cv in enumerate(self.covs):
            if cv.kind == "diag":
                g = _G(t, cv.v)
                inv[k] = 1.0 / g
                logdet[k] = float(np.sum(np.log(g)))
            else:
                g0 = float(_G(t, cv.s))
                inv[k] = 1.0 / g0
                logdet[k] = (d - cv.r) * math.log(g0)
                if cv.kind == "eig":
                    logdet[k] += float(np.sum(np.log(_G(t, cv.lam))))
        cM = c * self.means
        if scalar:  # ln N_k = x·(c m_k)/Γ_k − |x|²/(2Γ_k) − |c m_k|²/(2Γ_k) − ½ ln det Γ_k
            logits = x @ (cM * inv[:, None]).T - np.outer(np.einsum("ij,ij->i", x, x), 0.5 * inv)
            logits += self.logp - 0.5 * (np.sum(cM * cM, axis=1) * inv + logdet)
        else:
            A = cM * inv
            logits = x @ A.T - 0.5 * ((x * x) @ inv.T)
            logits += self.logp - 0.5 * (np.sum(cM * A, axis=1) + logdet)
        projs = {}
        for k, cv in enumerate(self.covs):
            if cv.kind == "eig" and cv.r:
                proj = x @ cv.U - cM[k] @ cv.U  # coordinates of y on span U
                corr = 1.0 / _G(t, cv.lam) - inv[k]
                logits[:, k] -= 0.5 * ((proj * proj) @ corr)
                projs[k] = (proj, corr)
        return logits, inv, projs

    def log_components(self, x: np.ndarray, t: float) -> np.ndarray:
        """(B, K): ln p_c + ln N(x; e^{-t} m_c, Γ_c(t)) (exact, full constants)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        t = validate.positive("t", t)
        return self._parts(x, t)[0] - 0.5 * self.d * _LOG2PI

    def log_density(self, x: np.ndarray, t: float) -> np.ndarray:
        """ln P_t(x), shape (B,) (log-sum-exp over classes)."""
        from scipy.special import logsumexp

        return logsumexp(self.log_components(x, t), axis=1)

    @staticmethod
    def _softmax(logits: np.ndarray) -> np.ndarray:
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return p

    def class_posterior(self, x: np.ndarray, t: float) -> np.ndarray:
        """(B, K) exact class posteriors π_c(x, t) (softmax of ``log_components``)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        return self._softmax(self._parts(x, validate.positive("t", t))[0])

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """Exact score S(x, t) = Σ_c π_c Γ_c^{-1}(e^{-t} m_c − x), x of shape (B, d):
        e^{-t} π @ (M ⊙ Γ⁻¹) − x ⊙ (π @ Γ⁻¹) − Σ_eigen (π_k (y·U_k)(1/Γ_k − 1/Γ₀)) U_kᵀ."""
        xin = np.asarray(x)
        x = np.atleast_2d(xin).astype(float, copy=False)
        t = validate.positive("t", t)
        logits, inv, projs = self._parts(x, t)
        pi = self._softmax(logits)
        c = math.exp(-t)
        if inv.ndim == 1:
            S = (pi * (c * inv)) @ self.means - x * (pi @ inv)[:, None]
        else:
            S = c * (pi @ (self.means * inv)) - x * (pi @ inv)
        for k, (proj, corr) in projs.items():
            S -= (pi[:, k:k + 1] * proj * corr) @ self.covs[k].U.T
        return S.astype(xin.dtype if xin.dtype.kind == "f" else float, copy=False).reshape(xin.shape)

    # ------------------------------------------------------------------ sampling, labels, posterior
    def sample_labelled(self, size: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
        """Protocol: ``size`` points of P_0 and their groups at every level."""
        x, cls = self._sample0(size, rng)
        return x, self._level_labels_of(cls)

    def _sample0(self, size: int, rng: np.random.Generator):
        size = validate.positive_int("size", size)
        cls = rng.choice(self.K, size=size, p=self.weights)
        x = np.empty((size, self.d))
        for k in range(self.K):
            idx = np.flatnonzero(cls == k)
            if idx.size:
                x[idx] = self.means[k] + self.covs[k].sample(idx.size, rng)
        return x, cls

    def sample(self, size: int, rng: np.random.Generator, *, return_labels: bool = False):
        """Draw ``size`` points of P_0 (class indices on request)."""
        x, cls = self._sample0(size, rng)
        return (x, cls) if return_labels else x

    def sample_t(self, size: int, t: float, rng: np.random.Generator, *, return_labels: bool = False):
        """Exact draw of P_t: x = e^{-t} a + sqrt(Δ_t) z, a ~ P_0."""
        c, delta = _c_delta(t)
        a, cls = self._sample0(size, rng)
        x = c * a + math.sqrt(delta) * rng.standard_normal(a.shape)
        return (x, cls) if return_labels else x

    def _level_labels_of(self, cls: np.ndarray) -> dict:
        return {name: self.level_maps[name][cls] for name in self.level_names}

    def posterior(self, x: np.ndarray, t: float) -> dict:
        """Protocol: ``{level: (B, groups) P(G | x_t = x)}``."""
        pc = self.class_posterior(np.asarray(x, dtype=float), t)
        out = {}
        for name in self.level_names:
            g = self.level_maps[name]
            out[name] = pc @ (g[:, None] == np.arange(int(g.max()) + 1)[None, :]).astype(float)
        return out

    def labels(self, y: np.ndarray, t: float, rng: np.random.Generator | None = None) -> dict:
        """Protocol: the class of each endpoint drawn from its exact posterior at t, mapped to every level."""
        rng = rng if rng is not None else np.random.default_rng(0)
        pc = self.class_posterior(np.asarray(y, dtype=float), t)
        u = rng.random(pc.shape[0])
        cls = np.minimum((np.cumsum(pc, axis=1) < u[:, None]).sum(axis=1), self.K - 1)
        return self._level_labels_of(cls)

    # ------------------------------------------------------------------ fast path
    def _fast_basis(self) -> np.ndarray | None:
        """Orthonormal basis of the subspace outside which every class is isotropic with one variance."""
        bases = {c.s for c in self.covs if c.kind in ("iso", "eig")}
        if any(c.kind == "diag" for c in self.covs) or len(bases) != 1:
            return None
        cols = [(self.means[1:] - self.means[0]).T] + [c.U for c in self.covs if c.kind == "eig"]
        A = np.concatenate(cols, axis=1) if cols else np.zeros((self.d, 0))
        if A.shape[1] == 0 or not np.any(A):
            V = np.zeros((self.d, 1))
            V[0, 0] = 1.0
            return V
        Uv, sv, _ = np.linalg.svd(A, full_matrices=False)
        q = int(np.sum(sv > 1e-10 * sv[0]))
        return Uv[:, :q] if q < self.d else None

    def has_fast_path(self) -> bool:
        """True when every class is σ² I outside a common subspace, so the exact projection on it (the fast path) applies."""
        return self._fast_basis() is not None

    def fast_path(self) -> "Mixture":
        """The exact projection on the subspace that carries every class difference (see the module docstring)."""
        V = self._fast_basis()
        if V is None:
            raise ValueError("this mixture has no exact lower-dimensional projection (its classes differ in "
                             "isotropic or diagonal variances over all of R^d)")
        spec = Spec(self.weights, self.means @ V, [c.project(V) for c in self.covs], self.spec.groups, self.spec.source)
        fast = Mixture.from_spec(spec)
        fast.name = "mixture.fast_path"
        fast._full = self
        return fast

    # ------------------------------------------------------------------ pairwise theory
    def _pair_case(self, a: int, b: int) -> str:
        ca, cb = self.covs[a], self.covs[b]
        if ca.kind == "iso" and cb.kind == "iso":
            if ca.s == cb.s:
                return "shared_iso"
            if np.array_equal(self.means[a], self.means[b]):
                return "same_mean_iso"
            return "iso"
        if ca.kind in ("iso", "diag") and cb.kind in ("iso", "diag"):
            return "diag"
        if ca.kind == "iso" or cb.kind == "iso" or (ca.kind == "eig" and cb.kind == "eig" and ca.U is cb.U):
            return "codiag"
        return "general"

    def _pair_coords(self, a: int, b: int):
        """Co-diagonal pairs: (λ_a, λ_b, δm, multiplicity) per common eigen-direction."""
        ca, cb = self.covs[a], self.covs[b]
        dm = self.means[a] - self.means[b]
        if ca.kind in ("iso", "diag") and cb.kind in ("iso", "diag"):
            va = np.full(self.d, ca.s) if ca.kind == "iso" else ca.v
            vb = np.full(self.d, cb.s) if cb.kind == "iso" else cb.v
            return va, vb, dm, np.ones(self.d)
        e = cb if ca.kind == "iso" else ca  # the eigen one defines the basis
        U = e.U
        proj = U.T @ dm
        perp = math.sqrt(max(float(dm @ dm) - float(proj @ proj), 0.0))
        rest = self.d - U.shape[1]
        la = (np.concatenate([ca.lam, [ca.s, ca.s]]) if ca.kind == "eig" else np.full(U.shape[1] + 2, ca.s))
        lb = (np.concatenate([cb.lam, [cb.s, cb.s]]) if cb.kind == "eig" else np.full(U.shape[1] + 2, cb.s))
        dms = np.concatenate([proj, [perp, 0.0]])
        mult = np.concatenate([np.ones(U.shape[1]), [1.0 if rest > 0 else 0.0, max(rest - 1, 0)]])
        return la, lb, dms, mult

    def _pair_general(self, a: int, b: int, t: float, what: str) -> float:
        """KL(a‖b) or κ_ab at one t for classes without a common eigenbasis: generalised eigenproblem of
        (Γ_a, Γ_b) on the joint subspace, isotropic complement per coordinate."""
        ca, cb = self.covs[a], self.covs[b]
        c, delta = _c_delta(t)
        dm = self.means[a] - self.means[b]
        cols = [x.U for x in (ca, cb) if x.kind == "eig"] + ([np.eye(self.d)] if "diag" in (ca.kind, cb.kind) else [])
        A = np.concatenate(cols + [dm[:, None]], axis=1)
        Uv, sv, _ = np.linalg.svd(A, full_matrices=False)
        V = Uv[:, sv > 1e-12 * max(sv[0], 1e-300)] if sv.size and sv[0] > 0 else np.zeros((self.d, 0))
        q = V.shape[1]
        Ga = c * c * (V.T @ ca.matvec(V)) + delta * np.eye(q)
        Gb = c * c * (V.T @ cb.matvec(V)) + delta * np.eye(q)
        L = np.linalg.cholesky(0.5 * (Gb + Gb.T))
        Linv = np.linalg.solve(L, np.eye(q))
        M = Linv @ Ga @ Linv.T
        rho, Qm = np.linalg.eigh(0.5 * (M + M.T))
        dt = Qm.T @ (Linv @ (c * (V.T @ dm)))
        fn = theory("mixture.kl_gauss" if what == "kl" else "mixture.kappa_gauss")
        inside = float(np.sum(fn(rho, 1.0, dt * dt)))
        rest = self.d - q
        if rest > 0:  # complement: both isotropic with their base variances (no mean difference)
            f1 = theory("mixture.kl" if what == "kl" else "mixture.kappa")
            inside += rest * float(f1(t, ca.s if ca.kind != "diag" else 0.0, cb.s if cb.kind != "diag" else 0.0, 0.0))
        return inside

    def pair_kappa(self, a: int, b: int, t) -> np.ndarray:
        """κ_ab(t) = ¼[KL(a‖b) + KL(b‖a)] of the noised classes (THEORY §6), array over t."""
        ts = _times(t)
        case = self._pair_case(a, b)
        ca, cb = self.covs[a], self.covs[b]
        if case == "shared_iso":
            D2 = float(np.sum((self.means[a] - self.means[b]) ** 2))
            return np.asarray(theory("mixture.kappa_mean")(ts, D2, math.sqrt(ca.s)), dtype=float)
        if case == "same_mean_iso":
            return np.asarray(theory("mixture.kappa_cov")(ts, float(self.d), ca.s, cb.s), dtype=float)
        if case == "iso":
            D = math.sqrt(float(np.sum((self.means[a] - self.means[b]) ** 2)))
            k = theory("mixture.kappa")
            return np.asarray(k(ts, ca.s, cb.s, D) + (self.d - 1) * k(ts, ca.s, cb.s, 0.0), dtype=float)
        if case in ("diag", "codiag"):
            la, lb, dms, mult = self._pair_coords(a, b)
            k = theory("mixture.kappa")
            return np.array([float(np.dot(mult, k(tt, la, lb, dms))) for tt in ts])
        return np.array([self._pair_general(a, b, float(tt), "kappa") for tt in ts])

    def pair_kl(self, a: int, b: int, t) -> np.ndarray:
        """KL(N_a,t ‖ N_b,t) (THEORY §6), array over t."""
        ts = _times(t)
        case = self._pair_case(a, b)
        if case == "general":
            return np.array([self._pair_general(a, b, float(tt), "kl") for tt in ts])
        la, lb, dms, mult = self._pair_coords(a, b) if case in ("diag", "codiag") else (None, None, None, None)
        k = theory("mixture.kl")
        if la is None:  # iso pairs: one direction along m_a - m_b, d - 1 without mean difference
            sa, sb = self.covs[a].s, self.covs[b].s
            D = math.sqrt(float(np.sum((self.means[a] - self.means[b]) ** 2)))
            return np.asarray(k(ts, sa, sb, D) + (self.d - 1) * k(ts, sa, sb, 0.0), dtype=float)
        return np.array([float(np.dot(mult, k(tt, la, lb, dms))) for tt in ts])

    def pair_t_S(self, a: int, b: int) -> float | None:
        """Exact pairwise speciation time, the root of κ_ab(t) = 1 (closed forms for a shared isotropic
        covariance, ``mixture.t_S_mean``, and same-mean isotropic classes, ``mixture.t_S_cov``; Brent's
        method otherwise). ``None`` when κ_ab(t) < 1 at every t > 0 (the pair never separates)."""
        case = self._pair_case(a, b)
        ca, cb = self.covs[a], self.covs[b]
        if case == "shared_iso":
            D2 = float(np.sum((self.means[a] - self.means[b]) ** 2))
            if D2 / 4.0 <= ca.s:
                return None
            return float(theory("mixture.t_S_mean")(D2, math.sqrt(ca.s)))
        if case == "same_mean_iso":
            if ca.s > 0 and cb.s > 0 and self.d * (ca.s - cb.s) ** 2 / (8.0 * ca.s * cb.s) <= 1.0:
                return None  # κ_ab(0) ≤ 1: never separates
            return float(theory("mixture.t_S_cov")(float(self.d), ca.s, cb.s))
        return self._kappa_root(a, b)

    def _kappa_root(self, a: int, b: int, kappa=None) -> float | None:
        """Root of κ_ab(t) = 1 by Brent's method on ln κ (κ decreases with t)."""
        kap = kappa or (lambda tt: float(self.pair_kappa(a, b, tt)[0]))
        lo, hi = 1e-9, 1.0
        if not kap(lo) > 1.0:
            return None
        while kap(hi) > 1.0:
            hi *= 2.0
            if hi > 200:
                return None
        return float(brentq(lambda tt: math.log(kap(tt)), lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500))

    def pair_t_S_large_d(self, a: int, b: int) -> float | None:
        """Large-d closed form where one exists: ½ ln(σ² + |m_a − m_b|²/4) (``mixture.t_S_mean_large_d``) for a
        shared isotropic covariance, ¼ ln(d(σ_a² − σ_b²)²/8) (``mixture.t_S_cov_large_d``) for same-mean
        isotropic classes; ``None`` otherwise."""
        case = self._pair_case(a, b)
        ca, cb = self.covs[a], self.covs[b]
        if case == "shared_iso":
            D2 = float(np.sum((self.means[a] - self.means[b]) ** 2))
            return float(theory("mixture.t_S_mean_large_d")(D2, math.sqrt(ca.s)))
        if case == "same_mean_iso":
            return float(theory("mixture.t_S_cov_large_d")(float(self.d), ca.s, cb.s))
        return None

    def pairs(self):
        """All pairs (a, b), a < b."""
        return list(itertools.combinations(range(self.K), 2))

    def cross_pairs(self, level: str):
        """Pairs of classes in different groups of ``level``."""
        g = self.level_maps[level]
        return [(a, b) for a, b in self.pairs() if g[a] != g[b]]

    def level_t_S(self, level: str, *, large_d: bool = False) -> float | None:
        """Speciation time of a level: the root of κ_level(t) = 1, κ_level = min over pairs of classes in
        different groups of κ_ab (the time by which every group is distinguished from every other), i.e.
        the smallest pairwise t_S of those pairs; ``None`` if a pair never separates or the level has one group."""
        pairs = self.cross_pairs(level)
        if not pairs:
            return None
        vals = [self.pair_t_S_large_d(a, b) if large_d else self.pair_t_S(a, b) for a, b in pairs]
        return None if any(v is None for v in vals) else float(min(vals))

    # ------------------------------------------------------------------ φ
    def kappa_matrix(self, t: float) -> np.ndarray:
        """K × K matrix of κ_ab(t)."""
        Km = np.zeros((self.K, self.K))
        for a, b in self.pairs():
            Km[a, b] = Km[b, a] = float(self.pair_kappa(a, b, t)[0])
        return Km

    def shared_covariance(self) -> bool:
        """True when all classes share one covariance (φ is then exact by the embedded LLR geometry)."""
        return all(c.same_as(self.covs[0]) for c in self.covs[1:])

    def radial(self) -> bool:
        """True for same-mean isotropic classes (φ is then the 1-D integral over χ²_d, ``mixture.phi_cov``)."""
        return all(c.kind == "iso" for c in self.covs) and bool(np.all(self.means == self.means[0]))

    def phi_method(self) -> str:
        """Which exact φ applies: ``embedded`` (shared covariance), ``radial`` (same-mean isotropic), else
        ``large-d`` (the local-asymptotic-normality limit; exact values by Monte Carlo, :meth:`phi_mc`)."""
        if self.K == 1 or self.shared_covariance():
            return "embedded"
        if self.radial():
            return "radial"
        return "large-d"

    def _maps(self, levels) -> list:
        return [self.level_maps[lv] for lv in levels]

    def _phi_large_d_one(self, t: float, levels) -> tuple[list, float]:
        U = Q.embed(self.kappa_matrix(t), theory("mixture.llr_cov"))
        return Q.phi_embedded(U, self.weights, self._maps(levels))

    def _phi_radial_one(self, t: float, levels) -> tuple[list, float]:
        gam = np.array([float(_G(t, c.s)) for c in self.covs])
        return Q.phi_radial(gam, self.weights, self.d, self._maps(levels))

    def _wrap(self, values: dict, method: str) -> dict:
        name = "mixture.phi_cov" if method == "radial" else "gm.phi"
        return {k: np.asarray(theory_value(name, np.asarray(v, dtype=float)), dtype=float) for k, v in values.items()}

    def phi_levels(self, t, *, large_d: bool = False, levels=None) -> dict:
        """``{level: φ(t)}``: exact (``embedded`` / ``radial``) or, when ``large_d`` or no exact reduction
        applies, the large-d limit (see :meth:`phi_method`)."""
        ts = _times(t)
        levels = list(levels or self.level_names)
        method = "large-d" if large_d else self.phi_method()
        one = self._phi_radial_one if method == "radial" else self._phi_large_d_one
        out = {lv: np.empty(ts.size) for lv in levels}
        for j, tt in enumerate(ts):
            vals, _ = one(float(tt), levels)
            for lv, v in zip(levels, vals):
                out[lv][j] = v
        return self._wrap(out, method)

    def mutual_information(self, t, *, large_d: bool = False) -> np.ndarray:
        """I(c; x_t) ∈ [0, H(p)] (exact when :meth:`phi_method` is exact; the large-d limit otherwise)."""
        ts = _times(t)
        method = "large-d" if large_d else self.phi_method()
        one = self._phi_radial_one if method == "radial" else self._phi_large_d_one
        return np.array([one(float(tt), [LEVEL_CLASS])[1] for tt in ts])

    def phi_theory(self, t) -> dict:
        """Protocol hook: ``{level: φ(t)}`` (:meth:`phi_levels`)."""
        return self.phi_levels(t)

    def phi_mc(self, t, samples: int = 20000, seed: int = 0, levels=None) -> tuple[dict, dict]:
        """Exact-posterior Monte Carlo ``({level: φ}, {level: stderr})``: x ~ P_t drawn exactly (same draws at
        every t), φ = mean of Σ_G P(G|x)² (no SDE)."""
        from numerics.engine.posterior import posterior_mc

        res = posterior_mc(self, _times(t), samples, seed)
        levels = list(levels or self.level_names)
        return ({lv: res.mean(lv) for lv in levels}, {lv: res.stderr(lv) for lv in levels})

    def pair_model(self, a: int, b: int) -> "Mixture":
        """The two-class sub-mixture {a, b} with weights p_a/(p_a + p_b), p_b/(p_a + p_b)."""
        w = self.weights[[a, b]]
        spec = Spec(w / w.sum(), self.means[[a, b]], [self.covs[a], self.covs[b]], [], self.spec.source)
        return Mixture.from_spec(spec)

    # ------------------------------------------------------------------ speciation (data covariance)
    def data_covariance_top(self, k: int = 10) -> np.ndarray:
        """Top ``k`` eigenvalues of Cov(a) = Σ_c p_c Σ_c + Σ_c p_c (m_c − m̄)(m_c − m̄)ᵀ (dense for d ≤ 2048,
        Lanczos otherwise)."""
        k = max(1, min(int(k), self.d))
        mbar = self.weights @ self.means
        Mc = (self.means - mbar) * np.sqrt(self.weights)[:, None]  # K × d

        def matvec(X):
            X = X.reshape(self.d, -1)
            out = Mc.T @ (Mc @ X)
            for w, cov in zip(self.weights, self.covs):
                out += w * cov.matvec(X)
            return out

        if self.d <= 2048 or k >= self.d - 1:
            w = np.linalg.eigvalsh(matvec(np.eye(self.d)))
            return w[::-1][:k].copy()
        from scipy.sparse.linalg import LinearOperator, eigsh

        op = LinearOperator((self.d, self.d), matvec=lambda v: matvec(v[:, None]).ravel(), dtype=float)
        w = eigsh(op, k=k, which="LA", v0=np.ones(self.d), tol=1e-12, return_eigenvectors=False)
        return np.sort(w)[::-1]

    @property
    def Lambda(self) -> float:  # noqa: N802
        """Top eigenvalue of the data covariance."""
        return float(self.data_covariance_top(1)[0])

    @property
    def t_S(self) -> float:  # noqa: N802
        """Speciation time of the coarsest level (protocol; NaN if it never separates)."""
        v = self.level_t_S(self.level_names[0])
        return math.nan if v is None else v

    # ------------------------------------------------------------------ collapse
    def _spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """Pooled weighted spectrum: eigenvalues and weights p_c × multiplicity."""
        vals, wts = [], []
        for p, cov in zip(self.weights, self.covs):
            v, m = cov.spectrum()
            vals.append(v)
            wts.append(p * m)
        return np.concatenate(vals), np.concatenate(wts)

    def _rank_form(self) -> tuple[int, float] | None:
        """(D, λ) when every class has D eigenvalues λ > 0 and d − D zeros (``mixture.t_C_rank`` applies)."""
        forms = set()
        for cov in self.covs:
            v, m = cov.spectrum()
            pos = v > 0
            if np.unique(v[pos]).size != 1:
                return None
            forms.add((int(m[pos].sum()), float(v[pos][0])))
        return forms.pop() if len(forms) == 1 else None

    def alpha(self, n: float) -> float:
        """α = ln n / d (``gm.alpha``, a definition)."""
        return float(_gm.alpha(validate.at_least("n", n, 1), self.d))

    def excess_entropy(self, t, n: float, *, finite_d: bool = True) -> np.ndarray:
        """f(t) = α − (1/2d) Σ_c p_c Σ_i ln(1 + λ_{c,i} e^{−2t}/Δ_t) (``mixture.f_rank`` / ``mixture.entropy_term``);
        with ``finite_d`` the exact −I(c; x_t)/d (mutual information of class and state) is included."""
        ts = _times(t)
        n = validate.at_least("n", n, 1)
        a = self.alpha(n)
        form = self._rank_form()
        if form is not None:
            f = np.asarray(theory("mixture.f_rank")(ts, a, float(self.d), float(form[0]), form[1]), dtype=float)
        else:
            vals, wts = self._spectrum()
            f = a - C.entropy_sum(ts, vals, wts) / self.d
        if finite_d and self.K > 1:
            f = f - self.mutual_information(ts) / self.d
        return f

    def t_C(self, n: float) -> float:  # noqa: N802
        """Collapse time, f(t_C) = 0 at leading order: ``mixture.t_C_rank`` for rank-D classes with one
        eigenvalue (isotropic σ²: D = d), else the root for the pooled spectrum; +inf for n = 1."""
        n = validate.at_least("n", n, 1)
        if n == 1:
            return math.inf
        form = self._rank_form()
        if form is not None:
            return float(theory("mixture.t_C_rank")(n, float(form[0]), form[1]))
        vals, wts = self._spectrum()
        return C.t_C_spectrum(vals, wts, self.d, n)
