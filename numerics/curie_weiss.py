"""Curie–Weiss model, numeric side (THEORY §4).

``P_0(s) ∝ exp(β M²/(2N) + h M)``, ``s ∈ {±1}^N``, ``h = H/N``.

- Theory values: m* (root of the registered residual ``cw.m_residual``), χ, the exact
  magnetization law (log-gamma + log-sum-exp), p_± (convention: ``p_+ = P(M>0) + ½ P(M=0)``),
  ⟨|m|⟩, Λ = Var(M)/N, t_S, the two-state κ(t) and φ_CW(t), the μ-bimodality time t_B.
- Exact sampler of P_0 and P_t.
- Exact finite-N score by quadrature over the Hubbard–Stratonovich variable μ (Numba kernel,
  stable ln 2cosh, trapezoid rule on a grid adapted to the narrowest possible μ-peak, accurate
  to ~1e-13) and the saddle-point (large-N) score; both accept site fields ``h_i`` and a
  coupling ``J`` (the learned family).
- Backward generation (``numerics.sde``, exponential integrator), cloning, and the data law
  (site fields learned by pseudo-likelihood, i.e. the local/small-noise DSM family; see README).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np
from scipy import optimize, special

from numerics import quadrature, sde, validate
from numerics.generated import cw as G

__all__ = [
    "CurieWeiss", "mu_grid", "score_exact", "score_exact_numpy", "score_saddle",
    "log_esp", "p_plus_of_fields", "generate", "state_of", "cloning_fraction", "phi_exact",
    "fit_pseudolikelihood", "fit_global_H", "data_law_measure", "data_law_theory", "data_law_figure",
]

LN2 = math.log(2.0)


# ======================================================================================
# the model and its exact finite-N theory values
# ======================================================================================
@dataclass(frozen=True)
class CurieWeiss:
    """Curie–Weiss model with N spins, inverse temperature β and total field H (h = H/N)."""

    N: int
    beta: float
    H: float = 0.0
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "N", validate.positive_int("N", self.N))
        object.__setattr__(self, "beta", validate.positive("beta", self.beta))
        object.__setattr__(self, "H", validate.as_float("H", self.H))

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
            return float(G.chi(np.float64(self.m_star), np.float64(self.beta)))

    def magnetization_law(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact law of M: values M = -N, -N+2, ..., N and probabilities ∝ C(N,(N+M)/2) e^{βM²/2N + hM}."""
        if "law" not in self._cache:
            M = np.arange(-self.N, self.N + 1, 2, dtype=float)
            logw = G.log_M_weight(M, float(self.N), self.beta, self.h)
            logw = np.real(logw) - special.logsumexp(np.real(logw))
            self._cache["law"] = (M, np.exp(logw))
        return self._cache["law"]

    @property
    def p_plus(self) -> float:
        """Exact p_+ = P(M > 0) + ½ P(M = 0)."""
        M, P = self.magnetization_law()
        return float(P[M > 0].sum() + 0.5 * P[M == 0].sum())

    @property
    def p_plus_asymptotic(self) -> float:
        """Large-N weight 1/(1 + e^{-2Hm*}) (``cw.p_plus_asymptotic``)."""
        return float(G.p_plus_asymptotic(self.m_star, self.H))

    @property
    def mean_abs_m(self) -> float:
        """Exact ⟨|M|/N⟩."""
        M, P = self.magnetization_law()
        return float(np.sum(np.abs(M) * P) / self.N)

    @property
    def Lambda(self) -> float:  # noqa: N802
        """Exact top covariance eigenvalue Var(M)/N (``cw.Lambda_exact``)."""
        M, P = self.magnetization_law()
        return float(G.Lambda_exact(float(self.N), float(np.sum(M * P)), float(np.sum(M * M * P))))

    @property
    def Lambda_asymptotic(self) -> float:  # noqa: N802
        """χ + 4 p_+ p_- N m*² (``cw.Lambda_asymptotic``, exact p_+)."""
        return float(G.Lambda_asymptotic(float(self.N), self.m_star, self.chi, self.p_plus))

    @property
    def t_S(self) -> float:  # noqa: N802
        """½ ln Λ with the exact Λ (``cw.t_S``)."""
        return float(G.t_S(self.Lambda))

    def kappa(self, t) -> np.ndarray:
        """Two-state signal-to-noise ratio along 1/√N (``cw.kappa``)."""
        if not math.isfinite(self.chi):  # β = 1: no ordered states, κ = 0
            return np.zeros_like(np.asarray(t, dtype=float))
        return G.kappa(np.asarray(t, dtype=float), float(self.N), self.m_star, self.chi)

    def phi(self, t) -> np.ndarray:
        """φ_CW(t): the §2 cloning formula with κ(t) and the exact weights p_± (large-N two-state reduction)."""
        return quadrature.phi(self.kappa(t), min(max(self.p_plus, 1e-300), 1 - 1e-16))

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

    def sample_t(self, size: int, t: float, rng: np.random.Generator) -> np.ndarray:
        """Exact samples of P_t: e^{-t} s + sqrt(Δ_t) z."""
        t = validate.positive("t", t)
        s = self.sample(size, rng)
        return math.exp(-t) * s + math.sqrt(-math.expm1(-2 * t)) * rng.standard_normal(s.shape)


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


# ======================================================================================
# exact finite-N score by quadrature over μ
# ======================================================================================
def mu_grid(N: int, beta: float, spacing: float = 0.8, cut: float = 8.0) -> np.ndarray:
    """Trapezoid grid for ∫dμ e^{NΦ(μ;x)}. Every μ-peak has width ≥ σ = 1/sqrt(Nβ) (since
    -NΦ'' ≤ Nβ), all modes lie in [-1, 1] and beyond 1 the exponent falls at least like
    -Nβ(μ-1)²/2; spacing 0.8σ gives trapezoid error ~ e^{-2π²/0.64} ≈ 4e-14 relative."""
    sig = 1.0 / math.sqrt(N * beta)
    lim = 1.0 + cut * sig
    K = max(33, int(math.ceil(2 * lim / (spacing * sig))) + 1)
    return np.linspace(-lim, lim, K)


_SAT = 250.0  # |h_i + λ_i| beyond which a site is saturated (tanh = ±1 to e^{-400})


@numba.njit(parallel=True, cache=True)
def _score_quad_nb(x, t, beta, fields, grid):  # pragma: no cover - compiled
    """Σ_i ln 2cosh(u_ki), u_ki = βμ_k + f_i, f_i = h_i + λ_i, without a transcendental per (k,i):
    e_ki = e^{-2u_ki} = E_k F_i (E_k = e^{-2βμ_k}, F_i = e^{-2 f_i}), ln 2cosh u = u + ln(1 + e)
    (or -u + ln(1 + 1/e) when e > 1), the logs taken once per block of 32 factors (each ≤ 2);
    tanh u = (1 - e)/(1 + e). Saturated sites (|f_i| > 250) contribute |u| and sign(f_i) exactly."""
    n, N = x.shape
    K = grid.size
    et = math.exp(-t)
    delta = -math.expm1(-2.0 * t)
    c = et / delta
    E = np.empty(K)
    for k in range(K):
        E[k] = math.exp(-2.0 * beta * grid[k])
    out = np.empty((n, N))
    for a in numba.prange(n):
        f = np.empty(N)
        F = np.empty(N)
        sat = np.zeros(N, dtype=np.bool_)
        for i in range(N):
            f[i] = fields[i] + c * x[a, i]
            if abs(f[i]) > _SAT:
                sat[i] = True
                F[i] = 0.0
            else:
                F[i] = math.exp(-2.0 * f[i])
        th = np.empty((K, N))
        logw = np.empty(K)
        for k in range(K):
            b = beta * grid[k]
            acc = -N * beta * grid[k] * grid[k] / 2.0
            prod = 1.0
            cnt = 0
            for i in range(N):
                u = b + f[i]
                if sat[i]:
                    if f[i] > 0:
                        acc += u
                        th[k, i] = 1.0
                    else:
                        acc -= u
                        th[k, i] = -1.0
                    continue
                e = E[k] * F[i]
                th[k, i] = (1.0 - e) / (1.0 + e)
                if e <= 1.0:
                    acc += u
                    prod *= 1.0 + e
                else:
                    acc -= u
                    prod *= 1.0 + 1.0 / e
                cnt += 1
                if cnt == 32:
                    acc += math.log(prod)
                    prod = 1.0
                    cnt = 0
            logw[k] = acc + math.log(prod)
        mx = logw.max()
        tot = 0.0
        for k in range(K):
            logw[k] = math.exp(logw[k] - mx)
            tot += logw[k]
        for i in range(N):
            out[a, i] = 0.0
        for k in range(K):
            wk = logw[k] / tot
            for i in range(N):
                out[a, i] += wk * th[k, i]
        for i in range(N):
            out[a, i] = -x[a, i] / delta + c * out[a, i]
    return out


@numba.njit(parallel=True, cache=True)
def _mu_logweights_nb(x, t, beta, fields, grid):  # pragma: no cover - compiled
    """ln of the μ-measure Σ_i Φ_i(μ_k; λ_i) on the grid, per sample (n, K)."""
    n, N = x.shape
    K = grid.size
    c = math.exp(-t) / (-math.expm1(-2.0 * t))
    out = np.empty((n, K))
    for a in numba.prange(n):
        for k in range(K):
            acc = -N * beta * grid[k] * grid[k] / 2.0
            for i in range(N):
                au = abs(beta * grid[k] + fields[i] + c * x[a, i])
                acc += au + math.log1p(math.exp(-2.0 * au))
            out[a, k] = acc
    return out


def posterior_spins(y: np.ndarray, t: float, beta: float, fields, rng: np.random.Generator,
                    grid: np.ndarray | None = None) -> np.ndarray:
    """Exact draw of s ~ P(s | x_t = y): μ from its (trapezoid-discretised) posterior measure, then
    independent spins with P(s_i = +1 | μ) = (1 + tanh(βμ + h_i + λ_i))/2 (HS representation)."""
    y = np.ascontiguousarray(np.atleast_2d(y), dtype=float)
    n, N = y.shape
    grid = mu_grid(N, beta) if grid is None else grid
    f = _fields_array(fields, N)
    lw = _mu_logweights_nb(y, float(t), float(beta), f, grid)
    w = np.exp(lw - lw.max(axis=1, keepdims=True))
    cdf = np.cumsum(w, axis=1)
    k = np.minimum((cdf < rng.random((n, 1)) * cdf[:, -1:]).sum(axis=1), grid.size - 1)
    field = beta * grid[k][:, None] + f[None, :] + G.lam(y, t)
    return np.where(rng.random((n, N)) < 0.5 * (1.0 + np.tanh(field)), 1.0, -1.0)


def _fields_array(fields, N: int) -> np.ndarray:
    f = np.asarray(fields, dtype=float)
    return np.full(N, float(f)) if f.ndim == 0 else f


def score_exact(x: np.ndarray, t: float, beta: float, fields, grid: np.ndarray | None = None) -> np.ndarray:
    """Exact score S_i = -x_i/Δ_t + (e^{-t}/Δ_t) ⟨tanh(βμ + h_i + λ_i)⟩_μ, μ-measure ∝ e^{Σ_i Φ_i(μ)}
    (``cw.score_given_mu`` averaged over μ; Numba, parallel over samples). ``fields`` = h or (h_i)."""
    x = np.ascontiguousarray(np.atleast_2d(x), dtype=float)
    N = x.shape[1]
    grid = mu_grid(N, beta) if grid is None else grid
    return _score_quad_nb(x, float(t), float(beta), _fields_array(fields, N), grid)


def score_exact_numpy(x: np.ndarray, t: float, beta: float, fields, grid: np.ndarray | None = None) -> np.ndarray:
    """Same quadrature in plain NumPy from the generated ``cw.Phi_site`` and ``cw.saddle_residual``
    (reference for tests and the benchmark)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    n, N = x.shape
    grid = mu_grid(N, beta) if grid is None else grid
    lam = G.lam(x, t)[:, None, :]  # (n,1,N)
    f = _fields_array(fields, N)[None, None, :]
    mu = grid[None, :, None]
    logw = np.sum(G.Phi_site(mu, lam, beta, f), axis=2)  # (n,K)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    th = G.saddle_residual(mu, lam, beta, f) + mu  # tanh(βμ + h + λ)
    avg = np.einsum("nk,nki->ni", w, th)
    delta = -math.expm1(-2 * t)
    return -x / delta + math.exp(-t) / delta * avg


@numba.njit(parallel=True, cache=True)
def _score_saddle_nb(x, t, beta, fields, grid):  # pragma: no cover - compiled
    n, N = x.shape
    et = math.exp(-t)
    delta = -math.expm1(-2.0 * t)
    c = et / delta
    out = np.empty((n, N))
    for a in numba.prange(n):
        best, bmu = -1e300, 0.0
        for k in range(grid.size):  # global maximum of Φ on the grid, then Newton
            acc = -N * beta * grid[k] * grid[k] / 2.0
            for i in range(N):
                u = beta * grid[k] + fields[i] + c * x[a, i]
                au = abs(u)
                acc += au + math.log1p(math.exp(-2.0 * au))
            if acc > best:
                best, bmu = acc, grid[k]
        mu = bmu
        for _ in range(50):
            g, dg = -mu, -1.0
            for i in range(N):
                tt = math.tanh(beta * mu + fields[i] + c * x[a, i])
                g += tt / N
                dg += beta * (1.0 - tt * tt) / N
            if dg >= 0.0:
                break
            step = -g / dg
            mu += step
            if abs(step) < 1e-14:
                break
        for i in range(N):
            out[a, i] = -x[a, i] / delta + c * math.tanh(beta * mu + fields[i] + c * x[a, i])
    return out


def score_saddle(x: np.ndarray, t: float, beta: float, fields, grid: np.ndarray | None = None) -> np.ndarray:
    """Large-N score: μ at the dominant saddle μ = (1/N) Σ tanh(βμ + h_i + λ_i)."""
    x = np.ascontiguousarray(np.atleast_2d(x), dtype=float)
    N = x.shape[1]
    grid = mu_grid(N, beta, spacing=2.0) if grid is None else grid
    return _score_saddle_nb(x, float(t), float(beta), _fields_array(fields, N), grid)


# ======================================================================================
# magnetization laws with site fields: elementary symmetric polynomials in log space
# ======================================================================================
@numba.njit(cache=True)
def log_esp(a):  # pragma: no cover - compiled
    """L[k] = ln Σ_{s: #(+)=k} exp(Σ_i a_i s_i), k = 0..N (O(N²) recursion)."""
    N = a.size
    L = np.full(N + 1, -np.inf)
    L[0] = 0.0
    for i in range(N):
        new = np.full(N + 1, -np.inf)
        for k in range(i + 2):
            v1 = L[k] - a[i] if k <= i else -np.inf
            v2 = L[k - 1] + a[i] if k >= 1 else -np.inf
            mx = max(v1, v2)
            if mx == -np.inf:
                new[k] = -np.inf
            else:
                new[k] = mx + math.log(math.exp(v1 - mx) + math.exp(v2 - mx))
        L = new
    return L


def _p_plus_from_logw(logw: np.ndarray, N: int) -> float:
    M = 2.0 * np.arange(N + 1) - N
    P = np.exp(logw - special.logsumexp(logw))
    return float(P[M > 0].sum() + 0.5 * P[M == 0].sum())


def p_plus_of_fields(fields: np.ndarray, J: float) -> float:
    """Exact p_+ of P(s) ∝ exp(J M²/2N + Σ h_i s_i) (learned model): M-law by log-ESP recursion."""
    f = np.ascontiguousarray(fields, dtype=float)
    N = f.size
    M = 2.0 * np.arange(N + 1) - N
    return _p_plus_from_logw(log_esp(f) + J * M * M / (2 * N), N)


def posterior_p_plus(x: np.ndarray, t: float, model: CurieWeiss) -> np.ndarray:
    """P(final state + | x_t = x) = P(M>0|x) + ½P(M=0|x), exact: P(M|x) ∝ e^{βM²/2N} ESP(h + λ)."""
    x = np.atleast_2d(x)
    lam = G.lam(x, t)
    N = model.N
    M = 2.0 * np.arange(N + 1) - N
    return np.array([_p_plus_from_logw(log_esp(np.ascontiguousarray(model.h + row)) + model.beta * M * M / (2 * N), N) for row in lam])


# ======================================================================================
# backward generation, states, cloning
# ======================================================================================
def backward_grid(T: float, t_min: float, steps: int) -> np.ndarray:
    """Decreasing times with step ε·min(t, 1): uniform above t = 1 (the weights are decided near
    t_S ~ ½ ln N), geometric below; the exponential integrator's bias is O(ε)."""
    steps = validate.positive_int("steps", steps)
    T = validate.positive("T", T)
    t_min = validate.positive("t_min", t_min)
    if T <= 1.0 or t_min >= 1.0:
        return sde.time_grid(T, t_min, steps, "geometric")
    eps = (math.log(1.0 / t_min) + (T - 1.0)) / steps
    n_lo = min(steps - 1, max(1, int(round(math.log(1.0 / t_min) / eps))))
    hi = np.linspace(T, 1.0, steps - n_lo + 1)
    lo = sde.time_grid(1.0, t_min, n_lo, "geometric")
    return np.concatenate([hi, lo[1:]])


def state_of(s: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """State sign(M) of spin configurations (M = 0: a fair coin, matching p_+ = P(M>0) + ½P(M=0))."""
    M = s.sum(axis=1)
    st = np.sign(M)
    zero = st == 0
    st[zero] = np.where(rng.random(int(zero.sum())) < 0.5, 1.0, -1.0)
    return st, M


def _score_fn(kind: str, beta: float, fields, N: int):
    if kind == "exact":
        grid = mu_grid(N, beta)
        return lambda y, t: score_exact(y, t, beta, fields, grid)
    if kind == "saddle":
        grid = mu_grid(N, beta, spacing=2.0)
        return lambda y, t: score_saddle(y, t, beta, fields, grid)
    raise ValueError(f"score must be 'exact', 'saddle' or 'learned', got {kind!r}")


def generate(model: CurieWeiss, samples: int, rng: np.random.Generator, *, score: str = "exact",
             fields=None, J: float | None = None, steps: int = 240, t_min: float = 0.05,
             T: float | None = None, method: str = "exponential") -> dict:
    """Backward generation from N(0, I) at T (default t_S + 5) to t_min with the exact or saddle
    score of the model (or of the learned fields/J if given), then the exact draw s ~ P(s | y_{t_min})
    (``posterior_spins``; with the model's own score this maps P_{t_min} to P_0 exactly). Returns
    states, M, p_+ and ⟨|m|⟩ with standard errors."""
    samples = validate.positive_int("samples", samples)
    N = model.N
    fields = model.fields if fields is None else np.asarray(fields, dtype=float)
    J = model.beta if J is None else float(J)
    T = max(model.t_S, 0.0) + 5.0 if T is None else validate.positive("T", T)
    fn = _score_fn(score, J, fields, N)
    y0 = rng.standard_normal((samples, N))
    y = sde.integrate_backward(fn, y0, backward_grid(T, t_min, steps), rng, method)
    st, M = state_of(posterior_spins(y, t_min, J, fields, rng), rng)
    plus = (st > 0).astype(float)
    p = float(plus.mean())
    return {"states": st, "M": M, "p_plus": p,
            "p_plus_stderr": float(plus.std(ddof=1) / math.sqrt(samples)) if samples > 1 else float("nan"),
            "mean_abs_m": float(np.mean(np.abs(M)) / N),
            "mean_abs_m_stderr": float(np.std(np.abs(M) / N, ddof=1) / math.sqrt(samples)) if samples > 1 else float("nan")}


def magnetization_histogram(M: np.ndarray, model: CurieWeiss) -> dict:
    """Counts of the generated M on the support of the exact law, with the exact probabilities."""
    Mv, P = model.magnetization_law()
    counts = np.array([(M == v).sum() for v in Mv])
    return {"M": Mv, "counts": counts, "exact": P}


def cloning_fraction(model: CurieWeiss, t: float, pairs: int, rng: np.random.Generator, *,
                     steps: int = 80, t_min: float = 0.05) -> tuple[float, float, np.ndarray]:
    """Clone at time t: x_t ~ P_t exactly, run two copies to t_min with independent noise, fraction
    ending in the same state (± stderr). Also returns x_t (for the exact φ on the same points)."""
    x = model.sample_t(pairs, t, rng)
    fn = _score_fn("exact", model.beta, model.fields, model.N)
    grid = backward_grid(t, t_min, steps)
    ya = sde.integrate_backward(fn, x, grid, rng)
    yb = sde.integrate_backward(fn, x, grid, rng)
    sa = posterior_spins(ya, t_min, model.beta, model.fields, rng)
    sb = posterior_spins(yb, t_min, model.beta, model.fields, rng)
    same = (state_of(sa, rng)[0] == state_of(sb, rng)[0]).astype(float)
    return float(same.mean()), float(same.std(ddof=1) / math.sqrt(pairs)), x


def phi_exact(model: CurieWeiss, t: float, x: np.ndarray) -> tuple[float, float]:
    """Exact finite-N φ(t) = E_{x~P_t}[P(+|x)² + P(-|x)²] estimated on the given P_t samples."""
    pp = posterior_p_plus(x, t, model)
    v = pp**2 + (1 - pp) ** 2
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v)))


# ======================================================================================
# the data law
# ======================================================================================
def fit_pseudolikelihood(S: np.ndarray, ridge: float = 1e-3, tol: float = 1e-10, max_iter: int = 100) -> tuple[np.ndarray, float]:
    """Fit site fields h_i and coupling J of P(s) ∝ exp(J M²/2N + Σ h_i s_i) by maximising
    Σ_a Σ_i ln P(s_i | s_{-i}) = Σ [s_i f_i - ln 2cosh f_i], f_i = h_i + J (M - s_i)/N (Newton;
    the Hessian is an arrowhead matrix). This is the local conditional objective that
    small-noise denoising score matching reduces to (README); ``ridge`` ~ a tiny Gaussian prior."""
    S = np.asarray(S, dtype=float)
    n, N = S.shape
    mloc = (S.sum(axis=1, keepdims=True) - S) / N  # m_{-i}
    h = np.zeros(N)
    J = 1.0
    for _ in range(max_iter):
        f = h[None, :] + J * mloc
        th = np.tanh(f)
        r = S - th
        w = 1.0 - th * th
        gh = r.sum(axis=0) - ridge * h
        gJ = float(np.sum(r * mloc))
        D = w.sum(axis=0) + ridge
        b = np.sum(w * mloc, axis=0)
        c = float(np.sum(w * mloc * mloc)) + 1e-12
        dJ = (gJ - np.sum(b * gh / D)) / (c - np.sum(b * b / D))
        dh = (gh - b * dJ) / D
        scale = 1.0
        big = max(np.max(np.abs(dh)), abs(dJ))
        if big > 2.0:
            scale = 2.0 / big
        h += scale * dh
        J += scale * dJ
        if big < tol:
            break
    return h, float(J)


def fit_global_H(S: np.ndarray, beta: float) -> float:
    """Maximum likelihood of the global field H (J = β known) from the sample magnetizations:
    solve E_H[M] = mean M under the exact M-law. Needs n ≫ 1 only (not n ≫ N)."""
    N = S.shape[1]
    Mbar = float(S.sum(axis=1).mean())
    Mv = np.arange(-N, N + 1, 2, dtype=float)
    base = np.real(G.log_M_weight(Mv, float(N), beta, 0.0))

    def mean_M(H):
        lw = base + H * Mv / N
        return float(np.sum(Mv * np.exp(lw - special.logsumexp(lw))))

    if abs(Mbar) >= N:
        return math.copysign(math.inf, Mbar)
    return float(optimize.brentq(lambda H: mean_M(H) - Mbar, -50.0 * N, 50.0 * N, xtol=1e-12))


def state_moments(model: CurieWeiss) -> tuple[float, float]:
    """Finite-N state magnetization ⟨|M|⟩/N and within-state susceptibility Var(|M|)/N from the exact
    M-law (they tend to m* and χ as N → ∞)."""
    M, P = model.magnetization_law()
    a = np.abs(M)
    m1 = float(np.sum(a * P))
    return m1 / model.N, float(np.sum(a * a * P) - m1 * m1) / model.N


def data_law_theory(n_over_N, model: CurieWeiss, *, finite_N: bool = False) -> np.ndarray:
    """RMS error of p̂_+ when Σ_i ĥ_i = H + ε, ε ~ N(0, N/(4 p_+ p_- n χ)) (``cw.learned_sum_h_variance``):
    sqrt(E[(σ(logit p_+ + 2m*ε) - p_+)²]) by Gauss–Hermite; a function of n/N only. ``finite_N``:
    m*, χ replaced by their exact finite-N state values (``state_moments``)."""
    r = np.asarray(n_over_N, dtype=float)
    p = model.p_plus
    m, chi = state_moments(model) if finite_N else (model.m_star, model.chi)
    var = G.learned_sum_h_variance(1.0, r, chi, p)  # N/n = 1/r
    logit = math.log(p / (1 - p))
    z, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    arg = logit + 2 * m * np.sqrt(var)[..., None] * z
    return np.sqrt(((special.expit(arg) - p) ** 2) @ w)


def data_law_linear(n_over_N, model: CurieWeiss) -> np.ndarray:
    """Linearised law m* sqrt(p_+ p_- N/(nχ)) (``cw.p_plus_error_linear``)."""
    r = np.asarray(n_over_N, dtype=float)
    return G.p_plus_error_linear(1.0, r, model.m_star, model.chi, model.p_plus)


def data_law_measure(Ns, ratios, beta: float, H: float, repeats: int, rng: np.random.Generator,
                     *, generate_samples: int = 0) -> dict:
    """For each (N, n = ratio·N): draw n exact samples, fit (h_i, J) by pseudo-likelihood, compute the
    learned model's exact p̂_+ (ESP recursion) and, for contrast, the ML global-weight estimates
    (fraction of samples with M > 0, and p_+ at the ML Ĥ). RMS errors over ``repeats`` training sets,
    with their standard errors. With ``generate_samples`` > 0 the first fit is also used to generate
    that many samples with the learned score (generated p_+ vs the learned model's exact p̂_+)."""
    rows = []
    for N in Ns:
        model = CurieWeiss(int(N), beta, H)
        p_true = model.p_plus
        for ratio in ratios:
            n = max(2, int(round(ratio * N)))
            e_pl, e_frac, e_ml = [], [], []
            gen = None
            for rep in range(repeats):
                S = model.sample(n, rng)
                h, J = fit_pseudolikelihood(S)
                p_hat = p_plus_of_fields(h, J)
                e_pl.append(p_hat - p_true)
                M = S.sum(axis=1)
                e_frac.append(float(np.mean((M > 0) + 0.5 * (M == 0))) - p_true)
                H_ml = fit_global_H(S, beta)
                e_ml.append((CurieWeiss(int(N), beta, H_ml).p_plus if math.isfinite(H_ml) else float(H_ml > 0)) - p_true)
                if generate_samples and rep == 0:
                    g = generate(model, generate_samples, rng, fields=h, J=J)
                    gen = {"p_plus_generated": g["p_plus"], "p_plus_generated_stderr": g["p_plus_stderr"],
                           "p_plus_learned_exact": p_hat}
            row = {"N": int(N), "n": n, "n_over_N": n / N, "p_plus": p_true}
            for key, e in (("pl", e_pl), ("frac", e_frac), ("ml", e_ml)):
                sq = np.square(e)
                mse = float(sq.mean())
                row[f"rms_{key}"] = math.sqrt(mse)
                row[f"rms_{key}_stderr"] = float(sq.std(ddof=1) / math.sqrt(len(sq)) / (2 * math.sqrt(mse))) if mse > 0 else 0.0
            row["law"] = float(data_law_theory(n / N, model))
            row["law_finite_N"] = float(data_law_theory(n / N, model, finite_N=True))
            row["law_linear"] = float(data_law_linear(n / N, model))
            if gen:
                row.update(gen)
            rows.append(row)
    return {"beta": beta, "H": H, "repeats": repeats, "rows": rows}


def data_law_figure(result: dict, path: str) -> str:
    """Learned-score p_+ error vs n/N for each N, with the derived law (and the ML global weight
    for contrast); matplotlib Agg, written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["rows"]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    Ns = sorted({r["N"] for r in rows})
    for N in Ns:
        rr = [r for r in rows if r["N"] == N]
        x = [r["n_over_N"] for r in rr]
        ax.errorbar(x, [r["rms_pl"] for r in rr], yerr=[r["rms_pl_stderr"] for r in rr], marker="o", ls="", label=f"learned fields, N={N}")
        ax.plot(x, [r["rms_ml"] for r in rr], marker="x", ls=":", alpha=0.6, label=f"ML global H, N={N}")
    xs = np.geomspace(min(r["n_over_N"] for r in rows), max(r["n_over_N"] for r in rows), 200)
    for N in Ns:
        ax.plot(xs, data_law_theory(xs, CurieWeiss(N, result["beta"], result["H"]), finite_N=True), "--", lw=0.8, color="0.5")
    model = CurieWeiss(max(Ns), result["beta"], result["H"])
    ax.plot(xs, data_law_theory(xs, model), "k-", label=r"law, $N\to\infty$: Var$\Sigma\hat h_i = N/(4p_+p_-n\chi)$")
    ax.plot([], [], "--", color="0.5", label="law with finite-N m, χ")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n / N")
    ax.set_ylabel(r"RMS error of $p_+$")
    ax.set_title(f"Curie–Weiss data law (β={result['beta']:g}, H={result['H']:g})")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
