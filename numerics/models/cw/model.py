"""Curie–Weiss model, numeric side (THEORY §4).

``P_0(s) ∝ exp(β M²/(2N) + h M)``, ``s ∈ {±1}^N``, ``h = H/N``.

- Theory values: m* (root of the registered residual ``cw.m_residual``), χ, the exact
  magnetization law (log-gamma + log-sum-exp), p_± (convention: ``p_+ = P(M>0) + ½ P(M=0)``),
  ⟨|m|⟩, Λ = Var(M)/N, t_S, the two-state κ(t) and φ_CW(t), the μ-bimodality time t_B.
- Exact sampler of P_0 and P_t.
- The engine's model protocol (:mod:`numerics.engine.protocol`): exact score by quadrature
  (:mod:`numerics.models.cw.kernels`; :meth:`CurieWeiss.with_score` gives the saddle-point score),
  the state (sign of M) of an endpoint from the exact posterior draw of spins, the exact posterior
  P(+|x_t) (log-ESP recursion) and the two-state φ_CW(t).

Theory values go through :func:`numerics.results.theory` (mutable by ``regimes verify --mutate``);
the score and the samplers use the generated code directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from scipy import optimize, special

from numerics import validate
from numerics.generated import cw as G
from numerics.models.cw import kernels as K
from numerics import universal
from numerics.results import theory, theory_value

__all__ = ["CurieWeiss", "equilibrium_m", "phi_typical", "bimodality_time", "state_of"]

# ======================================================================================
# the model and its exact finite-N theory values
# ======================================================================================
@dataclass(frozen=True)
class CurieWeiss:
    """Curie–Weiss model with N spins, inverse temperature β and total field H (h = H/N).

    >>> m = CurieWeiss(100, 1.5, 0.5)
    >>> 0.5 < m.p_plus < 1.0
    True
    """

    name: ClassVar[str] = "cw"
    defaults: ClassVar[dict] = {"t_min": 0.05}

    N: int
    beta: float
    H: float = 0.0
    score_kind: str = "exact"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "N", validate.positive_int("N", self.N))
        object.__setattr__(self, "beta", validate.positive("beta", self.beta))
        object.__setattr__(self, "H", validate.as_float("H", self.H))
        if self.score_kind not in ("exact", "saddle"):
            raise ValueError(f"score_kind must be 'exact' or 'saddle', got {self.score_kind!r}")

    @property
    def h(self) -> float:
        return self.H / self.N

    @property
    def fields(self) -> np.ndarray:
        return np.full(self.N, self.h)

    # ---------------------------------------------------------------- equilibrium
    @property
    def m_star(self) -> float:
        """Positive root of ``cw.m_residual`` m = tanh(βm) at h = 0 (0 for β ≤ 1)."""
        return equilibrium_m(self.beta, 0.0)

    @property
    def chi(self) -> float:
        """χ = (1 - m*²)/(1 - β(1 - m*²)) (``cw.chi``); infinite at β = 1."""
        with np.errstate(divide="ignore"):
            return float(theory("cw.chi")(np.float64(self.m_star), np.float64(self.beta)))

    def magnetization_law(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact law of M: values M = -N, -N+2, ..., N and probabilities ∝ C(N,(N+M)/2) e^{βM²/2N + hM}."""
        if "law" not in self._cache:
            M = np.arange(-self.N, self.N + 1, 2, dtype=float)
            logw = G.log_M_weight(M, float(self.N), self.beta, self.h)
            logw = np.real(logw) - special.logsumexp(np.real(logw))
            self._cache["law"] = (M, np.exp(logw))
        return self._cache["law"]

    def theory_law(self) -> tuple[np.ndarray, np.ndarray]:
        """The same exact M-law for the theory side (``cw.log_M_weight`` read through
        :func:`numerics.results.theory`, so ``regimes verify --mutate`` reaches it; not cached)."""
        M = np.arange(-self.N, self.N + 1, 2, dtype=float)
        logw = np.real(theory("cw.log_M_weight")(M, float(self.N), self.beta, self.h))
        return M, np.exp(logw - special.logsumexp(logw))

    def state_moments(self) -> tuple[float, float]:
        """Finite-N state magnetization ⟨|M|⟩/N and within-state susceptibility Var(|M|)/N (exact M-law,
        theory side); they tend to m* and χ as N → ∞."""
        M, P = self.theory_law()
        a = np.abs(M)
        m1 = float(np.sum(a * P))
        return m1 / self.N, max(float(np.sum((a - m1) ** 2 * P)), 0.0) / self.N

    @property
    def p_plus(self) -> float:
        """Exact p_+ = P(M > 0) + ½ P(M = 0)."""
        M, P = self.theory_law()
        return float(theory_value("cw.p_plus", float(P[M > 0].sum() + 0.5 * P[M == 0].sum())))

    @property
    def p_plus_asymptotic(self) -> float:
        """Large-N weight 1/(1 + e^{-2Hm*}) (``cw.p_plus_asymptotic``)."""
        return float(theory("cw.p_plus_asymptotic")(self.m_star, self.H))

    @property
    def mean_abs_m(self) -> float:
        """Exact ⟨|M|/N⟩."""
        M, P = self.theory_law()
        return float(np.sum(np.abs(M) * P) / self.N)

    @property
    def Lambda(self) -> float:  # noqa: N802
        """Exact top covariance eigenvalue Var(M)/N (``cw.Lambda_exact``)."""
        M, P = self.theory_law()
        return float(theory("cw.Lambda_exact")(float(self.N), float(np.sum(M * P)), float(np.sum(M * M * P))))

    @property
    def Lambda_asymptotic(self) -> float:  # noqa: N802
        """χ + 4 p_+ p_- N m*² (``cw.Lambda_asymptotic``, exact p_+)."""
        return float(theory("cw.Lambda_asymptotic")(float(self.N), self.m_star, self.chi, self.p_plus))

    @property
    def t_S(self) -> float:  # noqa: N802
        """½ ln Λ with the exact Λ (``cw.t_S``)."""
        return float(theory("cw.t_S")(self.Lambda))

    def kappa(self, t) -> np.ndarray:
        """Two-state signal-to-noise ratio along 1/√N (``cw.kappa``)."""
        if not math.isfinite(self.chi):  # β = 1: no ordered states, κ = 0
            return np.zeros_like(np.asarray(t, dtype=float))
        return theory("cw.kappa")(np.asarray(t, dtype=float), float(self.N), self.m_star, self.chi)

    def phi(self, t) -> np.ndarray:
        """φ_CW(t): the §2 cloning formula with κ(t) and the exact weights p_± (large-N two-state reduction)."""
        return theory_value("cw.phi", universal.phi(self.kappa(t), min(max(self.p_plus, 1e-300), 1 - 1e-16)))

    @property
    def t_bimodal(self) -> float:
        """Time above which the μ-measure e^{NΦ(μ;x)} of a typical trajectory is bimodal (β > 1, N → ∞,
        h → 0): largest t where ``cw.Phi_typical`` has a single maximum. NaN for β ≤ 1."""
        return bimodality_time(self.beta, self.m_star)

    # ---------------------------------------------------------------- sampling
    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """Exact samples: M from its law, then a uniformly random configuration with that M."""
        size = validate.positive_int("size", size)
        M, P = self.magnetization_law()
        Ms = rng.choice(M, size=size, p=P)
        k = ((self.N + Ms) / 2).astype(np.int64)  # number of + spins
        ranks = np.argsort(rng.random((size, self.N)), axis=1).argsort(axis=1)
        return np.where(ranks < k[:, None], 1.0, -1.0)

    def sample_labelled(self, size: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
        """Protocol: ``size`` exact samples and their states ``{"class": sign(M)}`` (ties: a fair coin)."""
        s = self.sample(size, rng)
        return s, {"class": state_of(s, rng)[0]}

    def sample_t(self, size: int, t: float, rng: np.random.Generator) -> np.ndarray:
        """Exact samples of P_t: e^{-t} s + sqrt(Δ_t) z."""
        t = validate.positive("t", t)
        s = self.sample(size, rng)
        return math.exp(-t) * s + math.sqrt(-math.expm1(-2 * t)) * rng.standard_normal(s.shape)

    # ---------------------------------------------------------------- engine protocol
    @property
    def dim(self) -> int:
        return self.N

    def params(self) -> dict:
        """The parameters that define the model (protocol)."""
        return {"model": self.name, "N": self.N, "beta": self.beta, "H": self.H, "score": self.score_kind}

    def with_score(self, kind: str) -> "CurieWeiss":
        """The same model run with the ``"exact"`` (quadrature) or ``"saddle"`` (large-N) score."""
        return CurieWeiss(self.N, self.beta, self.H, kind)

    def _grid(self) -> np.ndarray:
        key = ("grid", self.score_kind)
        if key not in self._cache:
            self._cache[key] = K.mu_grid(self.N, self.beta, spacing=0.8 if self.score_kind == "exact" else 2.0)
        return self._cache[key]

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """Exact score by μ-quadrature (``score_kind="exact"``) or its saddle point (``"saddle"``)."""
        fn = K.score_exact if self.score_kind == "exact" else K.score_saddle
        return fn(x, t, self.beta, self.h, self._grid())

    def labels(self, y: np.ndarray, t: float, rng: np.random.Generator) -> dict:
        """State of endpoints: sign(M) of spins drawn exactly from P(s | x_t = y) (ties: a fair coin)."""
        s = K.posterior_spins(y, t, self.beta, self.h, rng)
        return {"class": state_of(s, rng)[0]}

    def posterior(self, x: np.ndarray, t: float) -> dict:
        """Exact ``{"class": [P(+|x), P(-|x)]}``, P(+|x) = P(M>0|x) + ½P(M=0|x),
        P(M|x) ∝ e^{βM²/2N} ESP_M(h + λ(x)) (log-ESP recursion, O(N²) per point)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        pp = K.p_plus_rows(self.h + G.lam(x, t), self.beta)
        return {"class": np.stack([pp, 1.0 - pp], axis=1)}

    def phi_theory(self, t) -> dict:
        """``{"class": φ_CW(t)}``: the two-state (large-N) cloning probability."""
        return {"class": np.asarray(self.phi(t), dtype=float)}



def equilibrium_m(beta: float, h: float) -> float:
    """The root of m = tanh(βm + h) (``cw.m_residual``) with the sign of h (positive one if h = 0; 0 if β ≤ 1, h = 0)."""
    if h == 0.0 and beta <= 1.0:
        return 0.0
    sgn = 1.0 if h >= 0 else -1.0
    f = lambda mm: float(G.m_residual(mm, beta, h))  # noqa: E731
    lo = 1e-12 if h == 0.0 else 0.0
    a, b = (lo, 1.0) if sgn > 0 else (-1.0, -lo)
    if f(a) * f(b) > 0:
        return 0.0
    return float(optimize.brentq(f, a, b, xtol=1e-15, rtol=1e-15, maxiter=500))


_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(80)
_GH_W = _GH_W / _GH_W.sum()


def phi_typical(mu: np.ndarray, t: float, beta: float, m: float) -> np.ndarray:
    """Numeric ``cw.Phi_typical``: -βμ²/2 + Σ_s (1+sm)/2 E_z ln2cosh(βμ + a s + √a z), a = 1/(e^{2t}-1)."""
    a = float(G.snr_site(t))
    mu = np.asarray(mu, dtype=float)[..., None]
    out = -beta * mu[..., 0] ** 2 / 2
    for s in (1.0, -1.0):
        arg = beta * mu + a * s + math.sqrt(a) * _GH_Z
        lc = np.abs(arg) + np.log1p(np.exp(-2 * np.abs(arg)))  # ln 2cosh
        out = out + (1 + s * m) / 2 * (lc @ _GH_W)
    return out


def _n_maxima(t: float, beta: float, m: float) -> int:
    mu = np.linspace(-1.5, 1.5, 3001)
    d = np.diff(phi_typical(mu, t, beta, m))
    return int(np.sum((d[:-1] > 0) & (d[1:] <= 0)))


def bimodality_time(beta: float, m: float) -> float:
    """Bisection on t for the change from one to two maxima of ``cw.Phi_typical`` (NaN if β ≤ 1)."""
    if beta <= 1.0:
        return float("nan")
    lo, hi = 1e-3, 20.0
    if _n_maxima(lo, beta, m) >= 2:
        return 0.0
    if _n_maxima(hi, beta, m) < 2:
        return float("nan")
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if _n_maxima(mid, beta, m) >= 2:
            hi = mid
        else:
            lo = mid
    return hi


def state_of(s: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """State sign(M) of spin configurations (M = 0: a fair coin, matching p_+ = P(M>0) + ½P(M=0))."""
    M = s.sum(axis=1)
    st = np.sign(M)
    zero = st == 0
    st[zero] = np.where(rng.random(int(zero.sum())) < 0.5, 1.0, -1.0)
    return st, M
