"""Gaussian data, numeric side (THEORY §1): noisy law, exact linear score, backward
generation, and the learned-covariance law (expected KL, Marchenko–Pastur)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.optimize import brentq

from numerics import validate
from numerics.engine import sde
from numerics.generated import gauss as G
from numerics.results import theory

__all__ = ["GaussianModel", "expected_kl", "kl_gaussians", "sample_covariance", "mp_density"]


@dataclass(frozen=True)
class GaussianModel:
    """P_0 = N(0, C) with C diagonal (eigenvalues ``lams``; any C is this in its eigenbasis).

    Implements the engine's model protocol without a class notion (no ``labels``): it can be
    generated, and serves as the source of training sets for collapse and excess-entropy runs
    (theory: f(t) = α - (1/2d) Σ_i ln(1 + λ_i e^{-2t}/Δ_t), the Gaussian form of THEORY §2/§6).

    >>> GaussianModel([1.0, 4.0]).var_t(20.0).round(12).tolist()
    [1.0, 1.0]
    """

    name: ClassVar[str] = "gauss"
    defaults: ClassVar[dict] = {"t_min": 1e-3}

    lams: np.ndarray

    def __post_init__(self) -> None:
        lams = np.asarray(self.lams, dtype=float)
        if lams.ndim != 1 or lams.size == 0 or np.any(~np.isfinite(lams)) or np.any(lams <= 0):
            raise ValueError("lams must be a non-empty 1-D array of positive finite eigenvalues")
        object.__setattr__(self, "lams", lams)

    @property
    def d(self) -> int:
        return self.lams.size

    @property
    def dim(self) -> int:
        return self.lams.size

    def params(self) -> dict:
        """Protocol: the eigenvalues (or σ² when isotropic)."""
        if np.all(self.lams == self.lams[0]):
            return {"model": self.name, "d": self.d, "sigma": float(np.sqrt(self.lams[0]))}
        return {"model": self.name, "d": self.d, "lambdas": self.lams.tolist()}

    def sample_t(self, size: int, t: float, rng: np.random.Generator) -> np.ndarray:
        """Exact draw of P_t = N(0, e^{-2t} C + Δ_t I)."""
        size = validate.positive_int("size", size)
        return rng.standard_normal((size, self.d)) * np.sqrt(G.var_t(validate.positive("t", t), self.lams))

    def excess_entropy(self, t, n: float):
        """f(t) = α - (1/2d) Σ_i ln(1 + λ_i e^{-2t}/Δ_t), α = ln n/d (exact for Gaussian data at large d:
        s - s_Δ is the entropy difference of N(0, e^{-2t}C + Δ I) and N(0, Δ I) per coordinate)."""
        n = validate.at_least("n", n, 1)
        t = np.asarray(t, dtype=float)
        e2, delta = np.exp(-2.0 * t)[..., None], -np.expm1(-2.0 * t)[..., None]
        gap = 0.5 * np.mean(np.log1p(self.lams * e2 / delta), axis=-1)
        return np.log(n) / self.d - gap

    def t_C(self, n: float) -> float:  # noqa: N802
        """Root of f(t_C) = 0 (isotropic: ½ ln(1 + σ²/(n^{2/d} - 1))); +inf for n = 1."""
        n = validate.at_least("n", n, 1)
        if n == 1:
            return float("inf")
        f = lambda lt: float(self.excess_entropy(np.exp(lt), n))  # noqa: E731 - root in ln t
        return float(np.exp(brentq(f, -40.0, 10.0, xtol=1e-14)))

    def var_t(self, t: float) -> np.ndarray:
        """Eigenvalues e^{-2t} λ + Δ_t of the covariance of P_t (``gauss.var_t``)."""
        return theory("gauss.var_t")(validate.positive("t", t), self.lams)

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """S(x,t) = -Σ_t^{-1} x (``gauss.score_coef``)."""
        return (x * G.score_coef(t, self.lams)).astype(x.dtype, copy=False)

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` draws of P_0 = N(0, C)."""
        return rng.standard_normal((validate.positive_int("size", size), self.d)) * np.sqrt(self.lams)

    def generate(self, size: int, rng: np.random.Generator, *, T: float = 10.0, t_min: float = 1e-3,
                 steps: int = 200, method: str = "exponential") -> np.ndarray:
        """Backward generation with the exact score, from N(0, I) at time T down to t_min."""
        grid = sde.time_grid(T, t_min, steps)
        y0 = rng.standard_normal((validate.positive_int("size", size), self.d))
        return sde.integrate_backward(self.score, y0, grid, rng, method)


def sample_covariance(a: np.ndarray) -> np.ndarray:
    """Ĉ = (1/n) Σ_μ a_μ a_μ^T (known zero mean: the linear-score learning estimator)."""
    a = np.asarray(a, dtype=float)
    return a.T @ a / a.shape[0]


def kl_gaussians(c: np.ndarray, chat: np.ndarray) -> float:
    """KL(N(0,C) ‖ N(0,Ĉ)) = ½[tr(Ĉ^{-1}C) - d + ln det Ĉ - ln det C]."""
    d = c.shape[0]
    lc = np.linalg.cholesky(chat)
    tr = np.trace(np.linalg.solve(chat, c))
    _, logdet_c = np.linalg.slogdet(c)
    logdet_chat = 2.0 * np.sum(np.log(np.diag(lc)))
    return 0.5 * (tr - d + logdet_chat - logdet_c)


def expected_kl(n: int, d: int) -> float:
    """Exact E KL(N(0,C) ‖ N(0,Ĉ)) for n Ĉ ~ Wishart_d(C, n) (``gauss.kl_expected``); n > d + 1."""
    n = validate.positive_int("n", n)
    d = validate.positive_int("d", d)
    if n <= d + 1:
        raise ValueError(f"n must exceed d + 1 for a finite expected KL, got n={n}, d={d}")
    return float(theory("gauss.kl_expected")(n, d))


def expected_kl_large_n(n: float, d: float) -> float:
    """Leading large-n form d(d+1)/(4n) (``gauss.kl_large_n``)."""
    return float(theory("gauss.kl_large_n")(validate.positive("n", n), validate.positive("d", d)))


def mp_density(x, gamma: float) -> np.ndarray:
    """Marchenko–Pastur density (C = I, γ = d/n < 1); zero outside the edges (``gauss.mp_density``)."""
    gamma = validate.positive("gamma", gamma)
    if gamma >= 1:
        raise ValueError(f"gamma must be < 1 (no atom at zero), got {gamma!r}")
    x = np.asarray(x, dtype=float)
    lo, hi = G.mp_edge_minus(gamma), G.mp_edge_plus(gamma)
    inside = (x > lo) & (x < hi)
    xs = np.where(inside, x, 1.0)
    with np.errstate(invalid="ignore"):
        return np.where(inside, theory("gauss.mp_density")(xs, gamma), 0.0)
