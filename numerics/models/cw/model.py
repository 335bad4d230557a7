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
from numerics.engine import memory
from numerics.generated import cw as G
from numerics.models.cw import kernels as K
from numerics import universal
from numerics.results import theory, theory_value

__all__ = ["CurieWeiss", "equilibrium_m", "phi_typical", "bimodality_time", "state_of", "log_variance",
           "critical_lambda"]

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

    dim_name: ClassVar[str] = "N"  # what the engine calls the dimension in its messages

    def __post_init__(self) -> None:
        object.__setattr__(self, "N", validate.positive_int("N", self.N))
        object.__setattr__(self, "beta", validate.positive("beta", self.beta))
        object.__setattr__(self, "H", validate.as_float("H", self.H))
        if self.score_kind not in ("exact", "saddle"):
            raise ValueError(f"score_kind must be 'exact' or 'saddle', got {self.score_kind!r}")
        # log-weights of the M law reach βN/2 + |H|: keep them far inside the float range
        if not self.beta * self.N <= LOG_WEIGHT_MAX:
            raise ValueError(f"beta too large: β N must be <= 1e10 (beyond, the log-weights of the magnetization "
                             f"law lose the O(1) differences that set p_±), got beta={self.beta!r}, N={self.N}")
        if not abs(self.H) <= LOG_WEIGHT_MAX:
            raise ValueError(f"H must satisfy |H| <= 1e10 (beyond, the log-weights of the magnetization law lose "
                             f"the O(1) differences that set p_±), got {self.H!r}")

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
        """χ = (1 - m*²)/(1 - β(1 - m*²)) (``cw.chi``): 1/(1 - β) for β < 1, +inf at β = 1 (the limit β → 1,
        where the susceptibility diverges; finite N: :attr:`chi_finite_N`), → 0 as β → ∞.

        Evaluated in the cancellation-free arrangement of the same formula: 1 - m*² = sech²(βm*) (m* =
        tanh βm*) from e^{-2βm*}, and the denominator as (1 - β) + β m*² for β < 2 (near β = 1 both terms
        are O(β - 1)) or 1 - β sech²(βm*) for β ≥ 2 (where 1 - m*² itself is tiny)."""
        m, b = self.m_star, self.beta
        if m == 0.0:
            v = math.inf if b >= 1.0 else 1.0 / (1.0 - b)
        else:
            e = math.exp(-2.0 * b * m)
            sech2 = 4.0 * e / (1.0 + e) ** 2
            den = (1.0 - b) + b * m * m if b < 2.0 else 1.0 - b * sech2
            v = sech2 / den if den > 0 else math.inf
        return float(theory_value("cw.chi", v))

    def magnetization_law(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact law of M: values M = -N, -N+2, ..., N and probabilities ∝ C(N,(N+M)/2) e^{βM²/2N + hM}
        (:meth:`log_magnetization_law` exponentiated)."""
        M, logp = self.log_magnetization_law()
        return M, np.exp(logp)

    def log_magnetization_law(self) -> tuple[np.ndarray, np.ndarray]:
        """Values M and normalised log-probabilities ln P(M) (log-gamma weights ``cw.log_M_weight``,
        log-sum-exp normalisation). Refused before allocating when the N + 1 values exceed the memory budget."""
        if "law" not in self._cache:
            memory.require(8.0 * memory.FLOAT * (self.N + 1), "the magnetization law", N=self.N)
            M = np.arange(-self.N, self.N + 1, 2, dtype=float)
            logw = np.real(G.log_M_weight(M, float(self.N), self.beta, self.h))
            self._cache["law"] = (M, logw - special.logsumexp(logw))
        return self._cache["law"]

    def theory_log_law(self) -> tuple[np.ndarray, np.ndarray]:
        """The same exact M-law for the theory side: values M and normalised ln P(M), with ``cw.log_M_weight``
        read through :func:`numerics.results.theory` (so ``regimes verify --mutate`` reaches it; not cached).
        Refused before allocating when the N + 1 values exceed the memory budget."""
        memory.require(8.0 * memory.FLOAT * (self.N + 1), "the magnetization law", N=self.N)
        M = np.arange(-self.N, self.N + 1, 2, dtype=float)
        logw = np.real(theory("cw.log_M_weight")(M, float(self.N), self.beta, self.h))
        return M, logw - special.logsumexp(logw)

    def theory_law(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`theory_log_law` exponentiated: (M, P(M)) on the theory side."""
        M, lp = self.theory_log_law()
        return M, np.exp(lp)

    def state_moments(self) -> tuple[float, float]:
        """Finite-N state magnetization ⟨|M|⟩/N and within-state susceptibility Var(|M|)/N (exact M-law,
        theory side; the variance from log-space moments, ≥ 0 by construction); they tend to m* and χ as
        N → ∞."""
        return self.mean_abs_m, self.chi_finite_N

    def _log_weights(self) -> tuple[float, float]:
        """ln p_+ and ln p_- (p_± = P(M ≷ 0) + ½ P(M = 0)) from the two log-sum-exps L_± of the theory law:
        ln p_± = -log1p(e^{L_∓ - L_±}), so p_+ + p_- = 1 to rounding, both lie in [0, 1], and the smaller
        one keeps its relative precision when it is tiny (no 1 - p cancellation)."""
        M, lp = self.theory_log_law()
        half = lp[M == 0] - math.log(2.0)
        lpp = float(special.logsumexp(np.concatenate([lp[M > 0], half])))
        lpm = float(special.logsumexp(np.concatenate([lp[M < 0], half])))
        return -float(np.logaddexp(0.0, lpm - lpp)), -float(np.logaddexp(0.0, lpp - lpm))

    @property
    def p_plus(self) -> float:
        """Exact p_+ = P(M > 0) + ½ P(M = 0), in [0, 1] (from the log-weights)."""
        return float(theory_value("cw.p_plus", math.exp(self._log_weights()[0])))

    @property
    def p_minus(self) -> float:
        """Exact p_- = P(M < 0) + ½ P(M = 0), in [0, 1], computed from its own log-weights (accurate when
        it is tiny; 1 - p_+ when ``cw.p_plus`` is mutated, so that p_+ + p_- = 1 on the theory side)."""
        lpp, lpm = self._log_weights()
        pp = float(theory_value("cw.p_plus", math.exp(lpp)))
        return math.exp(lpm) if pp == math.exp(lpp) else min(max(1.0 - pp, 0.0), 1.0)

    @property
    def p_plus_asymptotic(self) -> float:
        """Large-N weight 1/(1 + e^{-2Hm*}) (``cw.p_plus_asymptotic``)."""
        with np.errstate(over="ignore"):
            return float(theory("cw.p_plus_asymptotic")(np.float64(self.m_star), np.float64(self.H)))

    @property
    def mean_abs_m(self) -> float:
        """Exact ⟨|M|/N⟩."""
        M, P = self.theory_law()
        return float(min(np.sum(np.abs(M) * P) / np.sum(P), self.N) / self.N)

    @property
    def log_variance_M(self) -> float:
        """ln Var(M) under the exact law (theory side), in log space about the mode (:func:`log_variance`):
        exact to rounding however concentrated the law (no cancellation of second moments)."""
        M, lp = self.theory_log_law()
        return log_variance(M, lp)

    @property
    def Lambda(self) -> float:  # noqa: N802
        """Exact top covariance eigenvalue Var(M)/N ≥ 0 (``cw.Lambda_exact`` on centred moments:
        (E(M-m)² - 0²)/N, no cancellation)."""
        var = math.exp(self.log_variance_M)
        lam = float(theory("cw.Lambda_exact")(float(self.N), 0.0, var))
        return lam if lam > 0 else 0.0

    @property
    def chi_finite_N(self) -> float:
        """Finite-N within-state susceptibility Var(|M|)/N of the exact law (→ χ as N → ∞ for β > 1;
        finite at β = 1, where χ is infinite), from log-space moments about the mode (theory side)."""
        M, lp = self.theory_log_law()
        A = np.abs(M)
        vals = np.unique(A)  # the law of |M|: merge ±M (log-sum-exp of the two weights)
        lq = np.full(vals.size, -np.inf)
        np.logaddexp.at(lq, np.searchsorted(vals, A), lp)
        return math.exp(log_variance(vals, lq)) / self.N

    @property
    def Lambda_asymptotic(self) -> float:  # noqa: N802
        """Large-N form of Λ: χ + 4 p_+ p_- N m*² (``cw.Lambda_asymptotic``, exact p_±) off the critical
        point; at β = 1 (χ = ∞) the critical finite-size law :func:`critical_lambda` = sqrt(12 N) Γ(3/4)/Γ(1/4)."""
        chi = self.chi
        if not math.isfinite(chi):
            return critical_lambda(self.N)
        pp, pm = self.p_plus, self.p_minus
        # 4 p_+ p_- written with the smaller weight as a factor (p_+(1 - p_+) loses a tiny p_-)
        p_eff = pm if pm < pp else pp
        with np.errstate(over="ignore"):
            return float(theory("cw.Lambda_asymptotic")(float(self.N), self.m_star, chi, p_eff))

    @property
    def t_S(self) -> float:  # noqa: N802
        """½ ln Λ with the exact Λ (``cw.t_S``); from ln Var(M) - ln N when Λ is not a normal float
        (a law concentrated on one M: Λ underflows but t_S is finite and very negative)."""
        lam = self.Lambda
        if lam > 1e-300:
            return float(theory("cw.t_S")(lam))
        return float(theory_value("cw.t_S", 0.5 * (self.log_variance_M - math.log(self.N))))

    def kappa(self, t) -> np.ndarray:
        """Two-state signal-to-noise ratio along 1/√N (``cw.kappa``); 0 at β ≤ 1 (no ordered states)."""
        t = np.asarray(t, dtype=float)
        if not math.isfinite(self.chi) or self.m_star == 0.0:
            return np.zeros_like(t)
        with np.errstate(under="ignore"):
            return theory("cw.kappa")(t, float(self.N), self.m_star, self.chi)

    def phi(self, t) -> np.ndarray:
        """φ_CW(t): the §2 cloning formula with κ(t) and the exact weights p_± (large-N two-state reduction).

        When the smaller weight is below 2⁻⁵⁴, φ = 1 to double precision (1 - φ = 2E[P(+|x)P(-|x)] ≤
        2 min(p_+, p_-)), so 1 is returned without forming ln(p_+/p_-) from a rounded 1 - p."""
        kappa = self.kappa(t)
        pp, pm = self.p_plus, self.p_minus
        if min(pp, pm) < 2.0**-54:
            return theory_value("cw.phi", np.ones_like(np.asarray(kappa, dtype=float)))
        return theory_value("cw.phi", universal.phi(kappa, min(max(pp, 2.0**-54), 1.0 - 2.0**-53)))

    # ---------------------------------------------------------------- memory (engine hooks)
    def _grid_size(self) -> float:
        """Points of the μ-quadrature grid (:func:`kernels.mu_grid`) without building it."""
        sig = 1.0 / math.sqrt(self.N * self.beta)
        spacing = 0.8 if self.score_kind == "exact" else 2.0
        return max(33.0, math.ceil(2 * (1.0 + 8.0 * sig) / (spacing * sig)) + 1)

    def score_bytes(self, batch: float) -> float:
        """Engine hook: peak bytes of one score evaluation and one exact state draw (labels) on ``batch``
        points: the (batch, N) result, input copy and spin draws, the (K, N) tanh table per Numba thread
        and the (batch, K) μ-weights, K the μ-grid size."""
        import numba

        K = self._grid_size()
        return memory.FLOAT * (5.0 * batch * self.N + numba.get_num_threads() * K * (self.N + 2) + 3.0 * batch * K)

    def sample_bytes(self, size: float) -> float:
        """Engine hook: peak bytes of ``size`` exact draws (the M law, a (size, N) uniform array, two
        argsort index arrays and the spins)."""
        return memory.FLOAT * (8.0 * (self.N + 1) + 5.0 * size * self.N)

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



# Bound on β N and |H|: the log-weights βM²/2N + hM of the magnetization law are of that size, and their
# O(1) differences (which set p_± and Λ) keep 6 digits only while size × 2^-52 < 1e-6.
LOG_WEIGHT_MAX = 1e10


def critical_lambda(N: float) -> float:
    """Λ = Var(M)/N at the critical point β = 1 for large N (any fixed H):

        Λ ≈ sqrt(12 N) Γ(3/4)/Γ(1/4) ≈ 1.1708 sqrt(N),

    since C(N, (N+M)/2) e^{M²/2N} ∝ exp(-N m⁴/12 + O(N m⁶)) at m = M/N (the entropy's m² term cancels
    the coupling's), so m ~ (12/N)^{1/4} u with u ∝ e^{-u⁴} and E u² = Γ(3/4)/Γ(1/4); the field enters
    as H m = O(N^{-1/4}). Relative corrections O(N^{-1/2}) (the m⁶ term and the Stirling prefactor);
    tests/models/test_cw.py checks it against the exact law. THEORY §4; finite-size scaling of the
    Curie–Weiss critical point (Ellis & Newman 1978)."""
    N = validate.positive("N", N)
    return math.sqrt(12.0 * N) * math.gamma(0.75) / math.gamma(0.25)


def log_variance(values: np.ndarray, logp: np.ndarray) -> float:
    """ln Var(X) of a discrete law (``values``, normalised log-probabilities ``logp``), in log space about
    the mode M₀: with a = X - M₀, Var = E a² - (E a)², ln Var = ln E a² + log1p(-(E a)²/E a²) (the ratio
    ≤ 1 by Cauchy–Schwarz, so Var ≥ 0 by construction). Exact to rounding when the law is concentrated
    (no cancellation between second moments); -inf for a single-point law."""
    values = np.asarray(values, dtype=float)
    logp = np.asarray(logp, dtype=float)
    a = values - values[int(np.argmax(logp))]
    nz = a != 0
    if not nz.any():
        return -math.inf
    la = np.log(np.abs(a[nz]))
    lw = logp[nz]
    ln_s2 = float(special.logsumexp(lw + 2 * la))
    pos, neg = a[nz] > 0, a[nz] < 0
    lp = float(special.logsumexp(lw[pos] + la[pos])) if pos.any() else -math.inf
    ln_ = float(special.logsumexp(lw[neg] + la[neg])) if neg.any() else -math.inf
    hi, lo = max(lp, ln_), min(lp, ln_)
    if hi == -math.inf or hi == lo:
        return ln_s2
    ln_abs_s1 = hi + math.log1p(-math.exp(lo - hi))  # ln |E a|
    ratio = min(math.exp(2 * ln_abs_s1 - ln_s2), 1.0)
    return ln_s2 + math.log1p(-ratio) if ratio < 1.0 else -math.inf


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
