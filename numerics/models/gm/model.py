"""Two-class Gaussian mixture, numeric side (THEORY §2): theory values from the generated
code, the exact score in d dimensions and in the projected 1-D fast path, and sampling.

``GaussianMixture(d, mu, sigma, p_plus)``: ``P_0 = p_+ N(+m, σ² I) + p_- N(-m, σ² I)`` with
``m = μ̃ sqrt(d) m̂`` and ``m̂ = e_1`` (the first coordinate; any orthonormal frame is equivalent).
Both classes implement the engine's model protocol (:mod:`numerics.engine.protocol`): the full
model and its exact projection on ``m̂`` (:class:`ProjectedMixture`, the fast path).

Theory values (``t_S``, ``kappa``, ``phi``, ``t_C`` ...) go through :func:`numerics.results.theory`
(mutable by ``regimes verify --mutate``); the score and the samplers use the generated code directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from numerics import validate
from numerics.generated import gm as G
from numerics.stable import half_log1p_ratio, log_expm1, log_sq
from numerics import universal
from numerics.results import theory, theory_value

__all__ = ["GaussianMixture", "ProjectedMixture", "speciation_time", "collapse_time", "cloning_probability"]


@dataclass(frozen=True)
class GaussianMixture:
    """Two-class Gaussian mixture with |m|² = d μ̃², within-class variance σ², weight p_+.

    >>> m = GaussianMixture(1024, 1.0, 1.0)
    >>> round(m.t_S, 6)  # ½ ln(σ² + 4 p_+ p_- d μ̃²) = ½ ln 1025
    3.466224
    """

    name: ClassVar[str] = "gm"
    defaults: ClassVar[dict] = {"t_min": 1e-3}

    d: float
    mu: float
    sigma: float
    p_plus: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", validate.positive("d", self.d))
        object.__setattr__(self, "mu", validate.nonnegative("mu", self.mu))
        object.__setattr__(self, "sigma", validate.nonnegative("sigma", self.sigma))
        object.__setattr__(self, "p_plus", validate.probability("p_plus", self.p_plus))
        if self.mu == 0.0 and self.sigma == 0.0:
            raise ValueError("sigma and mu cannot both be 0: the data would be the single point 0 (no diffusion times)")
        if not self.sigma <= SCALE_MAX**0.5:
            raise ValueError(f"sigma must be <= 1e150 (σ² beyond the float range of the closed forms), got {self.sigma!r}")
        if not _log_signal(self.d, self.mu, self.p_plus) <= math.log(SCALE_MAX):
            raise ValueError(f"mu too large: 4 p_+ p_- d μ̃² must be <= 1e300 (the float range of the closed forms), "
                             f"got d={self.d!r}, mu={self.mu!r}")

    # ---------------------------------------------------------------- theory values
    @property
    def m_norm(self) -> float:
        return self.mu * math.sqrt(self.d)

    def params(self) -> dict:
        """The parameters that define the model (protocol)."""
        return {"model": self.name, "d": self.d, "mu": self.mu, "sigma": self.sigma, "p_plus": self.p_plus}

    @property
    def Lambda(self) -> float:  # noqa: N802 - physics name
        """Top covariance eigenvalue Λ = σ² + 4 p_+ p_- |m|² (``gm.Lambda``)."""
        return float(theory("gm.Lambda")(self.d, self.mu, self.sigma, self.p_plus))

    @property
    def t_S(self) -> float:  # noqa: N802
        """Speciation time ½ ln Λ (``gm.t_S``); in log space when Λ under- or overflows
        (½ logaddexp(2 ln σ, ln 4p_+p_-d + 2 ln μ̃)). Negative when Λ < 1: no speciation at t > 0."""
        return _generated_or_stable("gm.t_S", (self.d, self.mu, self.sigma, self.p_plus),
                                    lambda: 0.5 * float(np.logaddexp(log_sq(self.sigma), self._log_a)))

    @property
    def _log_a(self) -> float:
        """ln a, a = 4 p_+ p_- |m|² = 4 p_+ p_- d μ̃² (-inf for μ̃ = 0)."""
        return _log_signal(self.d, self.mu, self.p_plus)

    @property
    def t_curv_logp(self) -> float:
        """Exact time where ∂²_q ln P_t(0) changes sign (``gm.t_curv_logp``), ½ ln(1 + a - σ²) with
        a = 4p_+p_-|m|²; NaN when it never does at t > 0 (a ≤ σ²: single-well at every t > 0).
        Stable form (log space) where the generated expression overflows."""

        def stable() -> float:
            la = self._log_a
            if self.sigma <= 1.0:  # 1 - σ² ≥ 0: ln(a + (1 - σ²))
                lb = math.log1p(-self.sigma) + math.log1p(self.sigma) if self.sigma < 1.0 else -math.inf
                return 0.5 * float(np.logaddexp(la, lb))
            lb = math.log(self.sigma - 1.0) + math.log1p(self.sigma)  # ln(σ² - 1)
            return 0.5 * (la + math.log1p(-math.exp(lb - la))) if la > lb else math.nan

        return _positive_or_nan(_generated_or_stable("gm.t_curv_logp", (self.d, self.mu, self.sigma, self.p_plus),
                                                     stable))

    @property
    def t_curv_V(self) -> float:  # noqa: N802
        """Exact time where the backward potential V(q,t) = -q²/2 - 2 ln P_t(q) turns double-well at q = 0
        (``gm.t_curv_V``), ½ ln(a + sqrt(a² + (σ² - 1)²)); NaN when never at t > 0. Stable form (log
        space, hypot) where the generated expression overflows (σ⁴ for σ ≳ 1e77)."""

        def stable() -> float:
            la = self._log_a
            lb = (math.log(abs(self.sigma - 1.0)) + math.log1p(self.sigma)) if self.sigma != 1.0 else -math.inf
            top = max(la, lb)
            if top == -math.inf:
                return -math.inf
            a, b = math.exp(la - top), math.exp(lb - top)
            return 0.5 * (top + math.log(a + math.hypot(a, b)))

        return _positive_or_nan(_generated_or_stable("gm.t_curv_V", (self.d, self.mu, self.sigma, self.p_plus), stable))

    def Gamma(self, t):  # noqa: N802
        """Within-class variance Γ_t = Δ_t + σ² e^{-2t} of P_t (``gm.Gamma``; simulation side)."""
        return G.Gamma(_t(t), self.sigma)

    def kappa(self, t):
        """Signal-to-noise ratio κ(t) = e^{-2t}|m|²/Γ_t (``gm.kappa``); +inf where it overflows (σ = 0, t → 0)."""
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            return theory("gm.kappa")(_t(t), np.float64(self.d), np.float64(self.mu), np.float64(self.sigma))

    def phi(self, t):
        """Cloning probability φ(t) = E_{x~P_t} Σ_c P(c|x)² (``gm.phi``), exact at any d."""
        return self.phi_kappa(self.kappa(t))

    def phi_kappa(self, kappa):
        """The cloning probability as a function of the signal-to-noise ratio, φ(κ, p₊) (``gm.phi``)."""
        return theory_value("gm.phi", universal.phi(kappa, self.p_plus))

    def phi_theory(self, t) -> dict:
        """Protocol hook: ``{"class": φ(t)}``."""
        return {"class": np.asarray(self.phi(t), dtype=float)}

    def entropy_gap(self, t):
        """δ(κ(t)) ∈ [0, H(p_+)], the 1-D mixing entropy along m̂ (``gm.entropy_gap``)."""
        return theory_value("gm.entropy_gap", universal.entropy_gap(self.kappa(t), self.p_plus))

    def excess_entropy(self, t, n: float, *, finite_d: bool = True):
        """f(t) = α - ½ ln(Γ_t/Δ_t) (``gm.f_leading``); with ``finite_d`` the O(1/d) term -δ/d is included."""
        n = validate.at_least("n", n, 1)
        a = G.alpha(n, self.d)
        with np.errstate(under="ignore"):
            f = theory("gm.f_leading")(_t(t), a, self.sigma)
        if finite_d:
            f = f - self.entropy_gap(t) / self.d
        return f

    def alpha(self, n: float) -> float:
        """α = ln n / d (``gm.alpha``, a definition)."""
        return float(G.alpha(validate.at_least("n", n, 1), self.d))

    def t_C(self, n: float) -> float:  # noqa: N802
        """Collapse time ½ ln(1 + σ²/(n^{2/d} - 1)) (``gm.t_C``); +inf for n = 1 (one training point:
        collapsed at every t). Stable form ½ logaddexp(0, 2 ln σ - ln expm1(2 ln n/d)) where the generated
        expression overflows."""
        n = validate.at_least("n", n, 1)
        if n == 1:
            return math.inf
        x = 2.0 * math.log(n) / self.d
        return _generated_or_stable("gm.t_C", (n, self.d, self.sigma),
                                    lambda: half_log1p_ratio(log_sq(self.sigma), log_expm1(x)))

    def log_n_required(self, eps: float) -> float:
        """ln of the number of training points for t_C ≤ ε (``gm.log_n_required``), (d/2) ln(1 + σ²/(e^{2ε} - 1));
        log space where the generated expression overflows."""
        eps = validate.positive("eps", eps)
        return _generated_or_stable("gm.log_n_required", (eps, self.d, self.sigma),
                                    lambda: self.d * half_log1p_ratio(log_sq(self.sigma), log_expm1(2 * eps)))

    # ---------------------------------------------------------------- numerics
    @property
    def dim(self) -> int:
        d = int(round(self.d))
        if d != self.d:
            raise ValueError(f"d must be an integer for sampling, got {self.d!r}")
        return d

    def sample_labelled(self, size: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
        """Protocol: ``size`` points of P_0 and their classes ``{"class": ±1}``."""
        x, lab = self.sample(size, rng, return_labels=True)
        return x, {"class": lab}

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
        """P(+|x) = ½(1 + tanh(c_t q/Γ_t + h0)), h0 = ½ ln(p_+/p_-)."""
        c = math.exp(-t) * self.m_norm
        h0 = 0.5 * (math.log(self.p_plus) - math.log1p(-self.p_plus))
        return 0.5 * (1.0 + np.tanh(c * np.asarray(q) / self.Gamma(t) + h0))

    # ---------------------------------------------------------------- engine protocol
    def labels(self, y: np.ndarray, t: float, rng=None) -> dict:
        """Class of endpoints: the sign of q = m̂·y (``{"class": ±1}``)."""
        return {"class": np.sign(np.asarray(y)[:, 0])}

    def posterior(self, x: np.ndarray, t: float) -> dict:
        """Class posteriors ``{"class": [P(+|x), P(-|x)]}`` (exact)."""
        pp = self.posterior_plus(np.asarray(x, dtype=float)[:, 0], t)
        return {"class": np.stack([pp, 1.0 - pp], axis=1)}

    def fast_path(self) -> "ProjectedMixture":
        """The exact projection on m̂ (1-D), same labels and theory."""
        return ProjectedMixture(self)


class ProjectedMixture:
    """The law of q = m̂·x under the two-class mixture, an exact 1-D model of the protocol (fast path).

    The other d - 1 coordinates are independent OU processes that never enter the class; simulating
    q alone with the exact 1-D score ``gm.score_q`` gives the same φ(t) as the full simulation.
    """

    name = "gm.fast_path"

    def __init__(self, full: GaussianMixture) -> None:
        self.full = full
        self.defaults = full.defaults

    dim = 1

    def params(self) -> dict:
        """The full model's parameters, flagged ``fast_path``."""
        return {**self.full.params(), "fast_path": True}

    def score(self, q: np.ndarray, t: float) -> np.ndarray:
        """Exact 1-D score ∂_q ln P_t(q) (``gm.score_q``)."""
        return np.asarray(self.full.score_q(q, t), dtype=q.dtype)

    def sample_t(self, size: int, t: float, rng: np.random.Generator) -> np.ndarray:
        """Exact draws of q under P_t: ±e^{-t}|m| + sqrt(Γ_t) z, shape (size, 1)."""
        m = self.full
        labels = np.where(rng.random(size) < m.p_plus, 1.0, -1.0)
        q = labels * math.exp(-t) * m.m_norm + math.sqrt(m.Gamma(t)) * rng.standard_normal(size)
        return q[:, None]

    def labels(self, y: np.ndarray, t: float, rng=None) -> dict:
        """Class of endpoints: the sign of q."""
        return {"class": np.sign(np.asarray(y)[:, 0])}

    def posterior(self, x: np.ndarray, t: float) -> dict:
        """Exact class posteriors (those of the full model, which depend on q only)."""
        return self.full.posterior(x, t)

    def phi_theory(self, t) -> dict:
        """The full model's φ(t)."""
        return self.full.phi_theory(t)

    @property
    def t_S(self) -> float:  # noqa: N802
        """The full model's speciation time."""
        return self.full.t_S


def _t(t):
    arr = np.asarray(t, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"t must be finite and > 0, got {t!r}")
    return arr if arr.ndim else float(arr)


SCALE_MAX = 1e300  # largest σ² and 4p_+p_-|m|² the closed forms are evaluated for (products stay finite)


def _log_signal(d: float, mu: float, p_plus: float) -> float:
    """ln(4 p_+ p_- d μ̃²), without overflow (-inf for μ̃ = 0)."""
    if mu == 0.0:
        return -math.inf
    return math.log(4.0) + math.log(p_plus) + math.log1p(-p_plus) + math.log(d) + 2.0 * math.log(mu)


def _generated_or_stable(name: str, args: tuple, stable) -> float:
    """The theory value of ``name``: the generated expression on float64 arguments (IEEE overflow, no
    exception, no warning), or, where it is not finite, the same formula in a stable form (``stable()``)."""
    with np.errstate(all="ignore"):
        v = float(theory(name)(*(np.float64(a) for a in args)))
    if math.isfinite(v):
        return v
    return float(theory_value(name, stable()))


def _positive_or_nan(v: float) -> float:
    """A time of a change at t > 0: NaN when ``v`` is not a finite positive time (the change never happens)."""
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
