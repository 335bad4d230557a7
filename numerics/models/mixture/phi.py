r"""Cloning probabilities of K-class Gaussian mixtures by quadrature (THEORY §6).

For a level ℓ (a partition of the classes into groups G), :math:`\varphi_\ell(t) = \mathbb E_{x\sim P_t}\sum_G P(G|x)^2`,
:math:`P(G|x) = \sum_{c\in G}\pi_c(x)`; the class-level conditional entropy :math:`\mathbb E\,[-\sum_c\pi_c\ln\pi_c]` gives
the mutual information :math:`I(c; x_t) = H(p) - \mathbb E[-\sum_c\pi_c\ln\pi_c]` (the finite-d term of the
excess entropy). Two exact reductions:

``embedded`` (:func:`embed`, :func:`phi_embedded`). With a shared covariance the log-likelihood ratios
are exactly Gaussian, :math:`L_c = \ln N_c/N_a = u_c\cdot z - |u_c|^2/2` under class a (``mixture.llr_cov``:
covariance :math:`2(\kappa_{ab} + \kappa_{ac} - \kappa_{bc})`): the posterior is that of the unit-variance isotropic
mixture :math:`\sum_c p_c\mathcal N(u_c, I_r)` in :math:`r \le K - 1` dimensions, the points :math:`u_c` placed by classical
multidimensional scaling from :math:`|u_b - u_c|^2 = 4\kappa_{bc}`. For any other mixture the same
construction from the exact κ's is the large-d (local asymptotic normality) limit. The r-dimensional
Gaussian integral: r = 0 trivial; K = 2 the universal φ(κ, p) of ``gm.phi`` (windowed Gauss–Legendre,
machine precision); r = 1, 2 tensor Gauss–Legendre on [-8.5, 8.5]^r (Gaussian mass outside < 1e-16),
400 and 200 nodes per dimension (measured ≤ 2e-12 at κ = 0.5 … 40, r = 2); r ≥ 3 scrambled Sobol points (2^16 per class, fixed seed:
deterministic; measured error ≤ 2e-4 for K = 5 at κ ≤ 5, see tests).

``radial`` (:func:`phi_radial`). Same mean, isotropic covariances σ_c² I: the posterior depends on
:math:`r = |x - e^{-t}m|^2 = \Gamma_c u`, :math:`u \sim \chi^2_d` under class c (``mixture.phi_cov`` for K = 2).
Integral over :math:`x = \ln u` (a smooth bell for every d): composite Gauss–Legendre on the window where
the log-density is within 46 of its maximum, with panel breakpoints at every pairwise posterior
transition (machine precision against mpmath, see tests).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.special import gammaln

from numerics import universal

__all__ = ["embed", "phi_embedded", "phi_radial", "LevelMaps"]

LevelMaps = list  # list of (K,) int arrays: the group index of each class at every level
_L = 8.5  # half-width of the integration box (in units of the unit-variance Gaussian)
_SOBOL_LOG2 = 16
#: Gauss–Legendre nodes per dimension (measured against 1600 nodes on a four-class square at κ = 0.5 … 40:
#: 100 nodes leave ≤ 2e-7, 128 nodes ≤ 3e-9 (used), 200 nodes ≤ 2e-12; the posterior's sharp transitions lie where the Gaussian
#: weight is small)
_GL_NODES = {1: 400, 2: 128}


def embed(kappa: np.ndarray, llr_cov=None) -> np.ndarray:
    """Points u_c (K × r) with |u_b − u_c|² = 4 κ_bc (classical MDS with class 0 at the origin).

    ``llr_cov(k_ab, k_ac, k_bc)`` gives the Gram matrix 2(κ_0b + κ_0c − κ_bc) (the registered
    ``mixture.llr_cov``); negative eigenvalues (a non-Euclidean κ, possible only outside the exact case)
    are clipped to 0."""
    kappa = np.asarray(kappa, dtype=float)
    K = kappa.shape[0]
    if K == 1:
        return np.zeros((1, 0))
    if llr_cov is None:
        def llr_cov(a, b, c):
            return 2.0 * (a + b - c)
    k0 = kappa[0, 1:]
    G = np.asarray(llr_cov(k0[:, None], k0[None, :], kappa[1:, 1:]), dtype=float)
    G = 0.5 * (G + G.T)
    w, V = np.linalg.eigh(G)
    top = max(float(w[-1]), 0.0)
    keep = w > 1e-12 * max(top, 1e-300)
    if top <= 0 or not np.any(keep):
        return np.zeros((K, 0))
    U = V[:, keep] * np.sqrt(w[keep])
    return np.vstack([np.zeros((1, U.shape[1])), U])


@functools.lru_cache(maxsize=32)
def _gl(n: int) -> tuple[np.ndarray, np.ndarray]:
    return universal.gauss_legendre(n)


@functools.lru_cache(maxsize=8)
def _sobol_normal(r: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    from scipy.stats import norm, qmc

    pts = qmc.Sobol(d=r, scramble=True, seed=20240229).random_base2(m)
    z = norm.ppf(np.clip(pts, 1e-300, 1 - 1e-16))
    return z, np.full(z.shape[0], 1.0 / z.shape[0])


def _nodes(r: int, spread: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z (N × r) and weights (N,) for E over z ~ N(0, I_r)."""
    if r >= 3:
        return _sobol_normal(r, _SOBOL_LOG2)
    return _tensor_nodes(r)


@functools.lru_cache(maxsize=4)
def _tensor_nodes(r: int) -> tuple[np.ndarray, np.ndarray]:
    """Tensor Gauss–Legendre on [-L, L]^r (r = 1, 2), nodes of weight below 1e-18 × the largest dropped."""
    n = _GL_NODES[r]
    x, w = _gl(n)
    z1 = _L * x
    w1 = _L * w * np.exp(-0.5 * z1 * z1) / math.sqrt(2 * math.pi)
    if r == 1:
        return z1[:, None], w1
    Z = np.stack(np.meshgrid(z1, z1, indexing="ij"), axis=-1).reshape(-1, 2)
    W = np.outer(w1, w1).ravel()
    keep = W > 1e-18 * W.max()
    return Z[keep], W[keep]


def _posterior_stats(logits: np.ndarray, maps: LevelMaps, ngroups: list[int]):
    """Per node: Σ_G P(G)² for each level, and -Σ_c π_c ln π_c."""
    mx = logits.max(axis=1, keepdims=True)
    logpi = logits - mx
    logpi -= np.log(np.sum(np.exp(logpi), axis=1, keepdims=True))
    pi = np.exp(logpi)
    agree = []
    for g, ng in zip(maps, ngroups):
        P = pi @ (g[:, None] == np.arange(ng)[None, :]).astype(float)  # group posteriors
        agree.append(np.sum(P * P, axis=1))
    ent = -np.sum(np.where(pi > 0, pi * logpi, 0.0), axis=1)
    return agree, ent


def phi_embedded(U: np.ndarray, weights: np.ndarray, maps: LevelMaps) -> tuple[list[float], float]:
    """(φ per level, mutual information I(c; x)) of the unit-variance mixture Σ_c p_c N(u_c, I_r).

    Exact for a shared covariance (U from :func:`embed` of the exact κ's), the large-d limit otherwise."""
    U = np.asarray(U, dtype=float)
    p = np.asarray(weights, dtype=float)
    K, r = U.shape
    ngroups = [int(np.max(g)) + 1 for g in maps]
    H = float(-np.sum(p * np.log(p)))
    if r == 0:
        return [float(np.sum(np.bincount(g, weights=p) ** 2)) for g in maps], 0.0
    if K == 2:
        kap = float(np.sum((U[1] - U[0]) ** 2)) / 4.0
        ph = float(universal.phi(kap, p[0]))
        gap = float(universal.entropy_gap(kap, p[0]))
        # two classes: a level is the class partition (φ) or a single group (1)
        return [ph if ng == 2 else 1.0 for ng in ngroups], gap
    spread = float(np.max(np.linalg.norm(U[:, None, :] - U[None, :, :], axis=-1)))
    Z, W = _nodes(r, spread)
    logp = np.log(p)
    sq = np.sum(U * U, axis=1)
    phis = np.zeros(len(maps))
    cond_ent = 0.0
    for a in range(K):
        X = U[a] + Z  # x ~ N(u_a, I)
        logits = logp + X @ U.T - 0.5 * sq  # ln p_c + ln N(x; u_c, I) up to a common term
        agree, ent = _posterior_stats(logits, maps, ngroups)
        for i, ag in enumerate(agree):
            phis[i] += p[a] * float(W @ ag)
        cond_ent += p[a] * float(W @ ent)
    return [float(v) for v in phis], max(0.0, H - cond_ent)


def _chi2_log_window(d: float, drop: float = 46.0) -> tuple[float, float]:
    """Window in x = ln u where the log-density of x (u ~ χ²_d) is within ``drop`` of its maximum."""
    x0 = math.log(d)

    def g(x):  # log density of x minus its value at the maximum x0 (concave)
        return 0.5 * d * (x - x0) - 0.5 * (math.exp(x) - d)

    lo, hi = x0 - 1.0, x0 + 1.0
    while g(lo) > -drop:
        lo -= 2.0 * (x0 - lo) + 1.0
    while g(hi) > -drop:
        hi += 0.5 * (hi - x0) + 0.5
    return _bisect(g, lo, x0, -drop), _bisect(g, x0, hi, -drop)


def _bisect(g, a: float, b: float, level: float) -> float:
    ga = g(a) - level
    for _ in range(200):
        m = 0.5 * (a + b)
        gm = g(m) - level
        if (gm > 0) == (ga > 0):
            a, ga = m, gm
        else:
            b = m
        if abs(b - a) < 1e-13 * max(1.0, abs(a)):
            break
    return 0.5 * (a + b)


def phi_radial(gammas: np.ndarray, weights: np.ndarray, d: int, maps: LevelMaps,
               panels: int = 48, nodes: int = 24) -> tuple[list[float], float]:
    """(φ per level, I(c; x)) of same-mean isotropic classes with variances Γ_c (at time t) in d dimensions.

    Posterior from r = |x - e^{-t} m|²: ln π_c = ln p_c - (d/2) ln Γ_c - r/(2Γ_c) - LSE; under class a,
    r = Γ_a u, u ~ χ²_d, integrated over x = ln u (see the module docstring)."""
    G = np.asarray(gammas, dtype=float)
    p = np.asarray(weights, dtype=float)
    K = G.size
    ngroups = [int(np.max(g)) + 1 for g in maps]
    H = float(-np.sum(p * np.log(p)))
    lo, hi = _chi2_log_window(float(d))
    base = np.log(p) - 0.5 * d * np.log(G)
    gx, gw = _gl(nodes)
    phis = np.zeros(len(maps))
    cond_ent = 0.0
    for a in range(K):
        # breakpoints: r where two classes' logits are equal, r* = (base_b - base_c)/(1/(2Γ_b) - 1/(2Γ_c))
        cuts = [lo, hi]
        for b in range(K):
            for c in range(b + 1, K):
                den = 0.5 / G[b] - 0.5 / G[c]
                if den != 0:
                    rstar = (base[b] - base[c]) / den
                    if rstar > 0:
                        xs = math.log(rstar / G[a])
                        if lo < xs < hi:
                            cuts.append(xs)
        edges = np.unique(np.concatenate([np.linspace(lo, hi, panels + 1), cuts]))
        left, right = edges[:-1], edges[1:]
        mid, half = 0.5 * (left + right), 0.5 * (right - left)
        x = (mid[:, None] + half[:, None] * gx).ravel()
        w = (half[:, None] * gw).ravel()
        logdens = 0.5 * d * x - 0.5 * np.exp(x) - 0.5 * d * math.log(2.0) - gammaln(0.5 * d)  # density of x = ln u
        w = w * np.exp(logdens)
        r = G[a] * np.exp(x)
        logits = base[None, :] - r[:, None] * (0.5 / G)[None, :]
        agree, ent = _posterior_stats(logits, maps, ngroups)
        for i, ag in enumerate(agree):
            phis[i] += p[a] * float(w @ ag)
        cond_ent += p[a] * float(w @ ent)
    return [float(v) for v in phis], max(0.0, H - cond_ent)
