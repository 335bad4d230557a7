"""Two-class Gaussian mixture, numeric side (THEORY §2): theory values from the generated
code, the exact score in d dimensions and in the projected 1-D fast path, and sampling.

``GaussianMixture(d, mu, sigma, p_plus)``: ``P_0 = p_+ N(+m, σ² I) + p_- N(-m, σ² I)`` with
``m = μ̃ sqrt(d) m̂`` and ``m̂ = e_1`` (the first coordinate; any orthonormal frame is equivalent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numerics import quadrature, validate
from numerics.generated import gm as G

__all__ = ["GaussianMixture", "speciation_time", "collapse_time", "cloning_probability"]


@dataclass(frozen=True)
class GaussianMixture:
    """Two-class Gaussian mixture with |m|² = d μ̃², within-class variance σ², weight p_+."""

    d: float
    mu: float
    sigma: float
    p_plus: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", validate.positive("d", self.d))
        object.__setattr__(self, "mu", validate.nonnegative("mu", self.mu))
        object.__setattr__(self, "sigma", validate.nonnegative("sigma", self.sigma))
        object.__setattr__(self, "p_plus", validate.probability("p_plus", self.p_plus))

    # ---------------------------------------------------------------- theory values
    @property
    def m_norm(self) -> float:
        return self.mu * math.sqrt(self.d)

    @property
    def Lambda(self) -> float:  # noqa: N802 - physics name
        """Top covariance eigenvalue Λ = σ² + 4 p_+ p_- |m|² (``gm.Lambda``)."""
        return float(G.Lambda(self.d, self.mu, self.sigma, self.p_plus))

    @property
    def t_S(self) -> float:  # noqa: N802
        """Speciation time ½ ln Λ (``gm.t_S``)."""
        return float(G.t_S(self.d, self.mu, self.sigma, self.p_plus))

    @property
    def t_curv_logp(self) -> float:
        """Exact time where ∂²_q ln P_t(0) changes sign (``gm.t_curv_logp``); NaN if never."""
        return _nan_if_invalid(G.t_curv_logp, self.d, self.mu, self.sigma, self.p_plus)

    @property
    def t_curv_V(self) -> float:  # noqa: N802
        """Exact time where the backward potential turns double-well (``gm.t_curv_V``)."""
        return _nan_if_invalid(G.t_curv_V, self.d, self.mu, self.sigma, self.p_plus)

    def Gamma(self, t):  # noqa: N802
        return G.Gamma(_t(t), self.sigma)

    def kappa(self, t):
        """Signal-to-noise ratio κ(t) = e^{-2t}|m|²/Γ_t (``gm.kappa``)."""
        return G.kappa(_t(t), self.d, self.mu, self.sigma)

    def phi(self, t):
        """Cloning probability φ(t) (``gm.phi``), exact at any d."""
        return quadrature.phi(self.kappa(t), self.p_plus)

    def entropy_gap(self, t):
        """δ(κ(t)) ∈ [0, H(p_+)], the 1-D mixing entropy along m̂ (``gm.entropy_gap``)."""
        return quadrature.entropy_gap(self.kappa(t), self.p_plus)

    def excess_entropy(self, t, n: float, *, finite_d: bool = True):
        """f(t) = α - [s(t) - s_Δ(t)]; with ``finite_d`` the O(1/d) term -δ/d is included."""
        n = validate.at_least("n", n, 1)
        a = G.alpha(n, self.d)
        f = G.f_leading(_t(t), a, self.sigma)
        if finite_d:
            f = f - self.entropy_gap(t) / self.d
        return f

    def alpha(self, n: float) -> float:
        return float(G.alpha(validate.at_least("n", n, 1), self.d))

    def t_C(self, n: float) -> float:  # noqa: N802
        """Collapse time ½ ln(1 + σ²/(n^{2/d} - 1)) (``gm.t_C``); +inf for n = 1."""
        n = validate.at_least("n", n, 1)
        if n == 1:
            return math.inf
        return float(G.t_C(n, self.d, self.sigma))

    def log_n_required(self, eps: float) -> float:
        """ln of the number of training points for t_C ≤ ε (``gm.log_n_required``)."""
        return float(G.log_n_required(validate.positive("eps", eps), self.d, self.sigma))

    # ---------------------------------------------------------------- numerics
    @property
    def dim(self) -> int:
        d = int(round(self.d))
        if d != self.d:
            raise ValueError(f"d must be an integer for sampling, got {self.d!r}")
        return d

    def sample(self, size: int, rng: np.random.Generator, *, return_labels: bool = False):
        """Draw ``size`` points of P_0 (labels ±1 on request)."""
        size = validate.positive_int("size", size)
        labels = np.where(rng.random(size) < self.p_plus, 1.0, -1.0)
        x = self.sigma * rng.standard_normal((size, self.dim))
        x[:, 0] += labels * self.m_norm
        return (x, labels) if return_labels else x

    def sample_t(self, size: int, t: float, rng: np.random.Generator, *, return_labels: bool = False):
        """Draw ``size`` points of P_t directly (class centres ±e^{-t} m, variance Γ_t)."""
        size = validate.positive_int("size", size)
        t = validate.positive("t", t)
        labels = np.where(rng.random(size) < self.p_plus, 1.0, -1.0)
        x = math.sqrt(self.Gamma(t)) * rng.standard_normal((size, self.dim))
        x[:, 0] += labels * math.exp(-t) * self.m_norm
        return (x, labels) if return_labels else x

    def score_q(self, q, t):
        """Score along m̂ of the projected law, ∂_q ln P_t(q) (``gm.score_q``)."""
        return G.score_q(q, t, self.d, self.mu, self.sigma, self.p_plus)

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """Exact score S(x,t) = -x/Γ_t + m̂ (S_q(q,t) + q/Γ_t), x of shape (..., d)."""
        x = np.asarray(x)
        gam = self.Gamma(t)
        s = -x / gam
        q = x[..., 0]
        s[..., 0] = self.score_q(q, t)
        return s.astype(x.dtype, copy=False)

    def posterior_plus(self, q, t):
        """P(+|x) = ½(1 + tanh(c_t q/Γ_t + h0))."""
        c = math.exp(-t) * self.m_norm
        h0 = 0.5 * math.log(self.p_plus / (1 - self.p_plus))
        return 0.5 * (1.0 + np.tanh(c * np.asarray(q) / self.Gamma(t) + h0))


def _t(t):
    arr = np.asarray(t, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"t must be finite and > 0, got {t!r}")
    return arr if arr.ndim else float(arr)


def _nan_if_invalid(fn, *args) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        v = float(fn(*args))
    return v if math.isfinite(v) and v > 0 else math.nan


def speciation_time(d: float, mu: float, sigma: float, p_plus: float = 0.5) -> float:
    """t_S = ½ ln Λ, Λ = σ² + 4 p_+ p_- d μ̃² (Biroli et al. 2024)."""
    return GaussianMixture(d, mu, sigma, p_plus).t_S


def collapse_time(n: float, d: float, sigma: float) -> float:
    """t_C = ½ ln(1 + σ²/(n^{2/d} - 1)) (Biroli et al. 2024)."""
    return GaussianMixture(d, 1.0, sigma).t_C(n)


def cloning_probability(t, d: float, mu: float, sigma: float, p_plus: float = 0.5):
    """φ(t) = E_{x~P_t} Σ_c P(c|x)² (THEORY §2)."""
    return GaussianMixture(d, mu, sigma, p_plus).phi(t)
