"""Random-energy-model theory of collapse, numeric side (THEORY §3; derivations in ``theory/rem.py``).

For Gaussian data ``a ~ N(0, σ² I)``, ``n = e^{αd}`` training points and a point ``x`` with
``|x|²/d = r``, ``(1/d) ln Z(x)``, ``Z = Σ_μ exp(-|x - e^{-t}a_μ|²/(2Δ_t))`` is the free entropy
of a REM. Closed forms come from the generated module ``numerics.generated.rem``; the only
numeric step is the root ``ρ_0`` of ``I(ρ) = α`` (the lowest level), found by bisection.

Public functions (all broadcast over NumPy arrays):

- :func:`alpha_c` ``(t, σ)``: condensation threshold ``½ ln(Γ_t/Δ_t)`` (typical point ``r = Γ_t``).
- :func:`free_entropy` ``(α, t, σ, r=Γ_t, d=None)``: ``(1/d) E ln Z``; leading order, or with the
  finite-``d`` corrections when ``d`` is given (see the function).
- :func:`phase`: ``"liquid"`` (``α > α_c``) or ``"condensed"``.
- :func:`freezing_m`: Poisson–Dirichlet parameter ``m = |k(y_0)|/β`` (1 in the liquid phase).
- :func:`participation_ratio`: ``E Σ_μ w_μ²`` of the posterior weights at a point of ``P_t``:
  ``1 - m`` (condensed), ``0`` (liquid) at leading order.
- :func:`phi_C`: collapse cloning probability ``E_{x~P^e_t} Σ_μ w_μ(x)²`` (a point of the
  empirical law, i.e. of a trajectory of the empirical-score dynamics).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from numerics.generated import rem as g
from numerics.results import theory, theory_value
from numerics.stable import half_log1p_ratio, log_expm1, log_sq

__all__ = [
    "alpha_c", "alpha_c_r", "t_C", "free_entropy_liquid_branch", "lowest_level_rho", "free_entropy", "phase", "freezing_m",
    "participation_ratio", "phi_C", "gamma_t", "delta_t", "empirical_log_partition", "partition_blocks",
    "check_inputs", "log_ive", "T_MIN", "SIGMA_MAX",
]

_EULER = 0.5772156649015329


def delta_t(t):
    """Δ_t = 1 - e^{-2t}."""
    return -np.expm1(-2.0 * np.asarray(t, dtype=float))


def gamma_t(t, sigma):
    """Γ_t = Δ_t + σ² e^{-2t}."""
    t = np.asarray(t, dtype=float)
    return delta_t(t) + np.asarray(sigma, dtype=float) ** 2 * np.exp(-2.0 * t)


T_MIN = 1e-8  # below, 1 - e^{-2t} in the condensed-phase closed forms keeps fewer than 8 digits
SIGMA_MAX = 1e75  # the closed forms contain σ⁴
_RANGES = {  # name: (low, low_closed, high)
    "alpha": (0.0, False, math.inf), "t": (T_MIN, True, math.inf), "sigma": (0.0, False, SIGMA_MAX),
    "r": (0.0, False, math.inf), "d": (1.0, True, math.inf),
}


def _ieee(fn):
    """Evaluate ``fn`` with IEEE overflow/underflow to ±inf/0 silently: the closed forms have these limits
    (e.g. σ²/(e^{2t} - 1) → 0 as t → ∞) and a printed RuntimeWarning is not a result. Divisions by zero and
    invalid operations still warn (they would be defects)."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with np.errstate(over="ignore", under="ignore"):
            return fn(*args, **kwargs)

    return wrapped


def check_inputs(alpha=None, t=None, sigma=None, r=None, d=None) -> None:
    """Public: ``ValueError`` unless every given argument is in the REM domain (see :func:`_check`)."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r, d=d)


def _check(alpha=None, t=None, sigma=None, r=None, d=None):
    """``ValueError`` naming the first argument that is not a finite number in its range
    (α > 0, t ≥ 1e-8, 0 < σ ≤ 1e75, r > 0, d ≥ 1); arrays are checked element-wise."""
    for name, v in (("alpha", alpha), ("t", t), ("sigma", sigma), ("r", r), ("d", d)):
        if v is None:
            continue
        low, closed, high = _RANGES[name]
        try:
            arr = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, got {v!r}") from None
        ok = np.isfinite(arr) & ((arr >= low) if closed else (arr > low)) & (arr <= high)
        if not ok.all():
            bad = arr if arr.ndim == 0 else arr[~ok].ravel()[0]
            rng = f"{'>=' if closed else '>'} {low:g}" + (f" and <= {high:g}" if high < math.inf else "")
            raise ValueError(f"{name} must be finite and {rng}, got {float(bad)!r}")


@_ieee
def alpha_c(t, sigma):
    """Condensation threshold α_c(t) = ½ ln(Γ_t/Δ_t) for a typical point of P_t (= collapse: f(t_C)=0)."""
    _check(t=t, sigma=sigma)
    return theory("rem.alpha_c")(np.asarray(t, dtype=float), np.asarray(sigma, dtype=float))


@_ieee
def alpha_c_r(t, sigma, r):
    """Condensation threshold at a point with |x|²/d = r: ½ ln(Γ/Δ) - s²/(2Γ) + r s²/(2Γ²)."""
    _check(t=t, sigma=sigma, r=r)
    return g.alpha_c_r(t, sigma, r)


@_ieee
def t_C(alpha, sigma):
    """Condensation (= collapse) time, α_c(t_C) = α: ½ ln(1 + σ²/(e^{2α} - 1)) (``rem.t_C_alpha``; the same
    formula in log space where the generated one overflows, α ≳ 355)."""
    _check(alpha=alpha, sigma=sigma)
    alpha, sigma = np.asarray(alpha, dtype=float), np.asarray(sigma, dtype=float)
    with np.errstate(invalid="ignore"):
        v = np.asarray(theory("rem.t_C_alpha")(alpha, sigma), dtype=float)
    bad = ~np.isfinite(v)
    if bad.any():
        a, s_ = np.broadcast_arrays(alpha, sigma)
        v = np.array(np.broadcast_to(v, a.shape), dtype=float)
        v[bad] = [theory_value("rem.t_C_alpha", half_log1p_ratio(log_sq(float(ss)), log_expm1(2 * float(aa))))
                  for aa, ss in zip(a[bad], s_[bad])]
    return v


def _solve_rate(target, t, sigma, r):
    """ρ ∈ (0, 1) with I(ρ) = target (> 0), bisection in ln ρ (I decreases on (0, 1))."""
    target, t, sigma, r = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (target, t, sigma, r)))
    lo = -2.0 * np.maximum(target, 0.0) - 1.0 - 1e-9  # I(ρ) ≥ -½ - ½ ln ρ ≥ target there
    hi = np.zeros_like(lo)
    for _ in range(90):
        mid = 0.5 * (lo + hi)
        above = g.rate_rho(np.exp(mid), t, sigma, r) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.exp(0.5 * (lo + hi))


@_ieee
def lowest_level_rho(alpha, t, sigma, r=None, d=None):
    """ρ_0 of the lowest of e^{αd} levels: I(ρ_0) = α at leading order; with ``d``, the
    Bahadur–Rao refinement n P(y ≤ y_0) = 1, i.e. I(ρ_0) = α - ln(|k| sqrt(2π d Λ''(k)))/d."""
    r = gamma_t(t, sigma) if r is None else r
    rho = _solve_rate(alpha, t, sigma, r)
    if d is not None:
        for _ in range(4):
            kk = np.abs(g.k_rho(rho, t, sigma))
            lam2 = g.cgf2_rho(rho, t, sigma, r)
            shift = np.log(kk * np.sqrt(2 * math.pi * np.asarray(d, float) * lam2)) / d
            rho = _solve_rate(np.maximum(alpha - shift, 1e-300), t, sigma, r)
    return rho


@_ieee
def free_entropy_liquid_branch(alpha, t, sigma, r=None):
    """Liquid branch α + Λ(-1/(2Δ_t)) = α - ½ ln(Γ_t/Δ_t) - r/(2Γ_t) at every t (= (1/d) ln E[Z|x],
    the annealed value; the true free entropy below t_C is the condensed branch)."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r)
    r = gamma_t(t, sigma) if r is None else r
    return theory("rem.free_entropy_liquid")(alpha, t, sigma, r)


@_ieee
def phase(alpha, t, sigma, r=None):
    """"liquid" when α ≥ α_c(t, r), "condensed" otherwise (scalar inputs)."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r)
    r = gamma_t(t, sigma) if r is None else r
    return "liquid" if float(alpha) >= float(g.alpha_c_r(t, sigma, r)) else "condensed"


@_ieee
def freezing_m(alpha, t, sigma, r=None, d=None):
    """Poisson–Dirichlet parameter m = |k(y_0)| 2Δ_t (< 1 condensed); 1 in the liquid phase."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r, d=d)
    r = gamma_t(t, sigma) if r is None else r
    return _by_phase(alpha, t, sigma, r, lambda *a: 1.0,
                     lambda a, tt, s, rr: np.minimum(g.freezing_m_rho(lowest_level_rho(a, tt, s, rr, d), tt, s), 1.0))


def _annealed_terms(alpha, t, sigma, r, d):
    """(1/d) ln E[Z|x] = α + Λ(-β) and ln A, A = E[e^{-2βdy}]/(n E[e^{-βdy}]²) = exp(d(Λ(-2β) - 2Λ(-β) - α)),
    the annealed participation ratio (β = 1/(2Δ_t)); A → 1/n as the level spread vanishes (t → ∞)."""
    b = 1.0 / (2.0 * delta_t(t))
    lam1 = g.cgf(-b, t, sigma, r)
    lam2 = g.cgf(-2 * b, t, sigma, r)
    # α + Λ(-β) = α - α_c(t) - r/(2Γ_t) exactly (Λ(-β) = -½ ln(Γ/Δ) - r/(2Γ)): written with the
    # registered threshold so that the liquid free entropy is a theory value of rem.alpha_c
    ann = alpha - theory("rem.alpha_c")(t, sigma) - r / (2.0 * gamma_t(t, sigma))
    return ann, d * (lam2 - 2 * lam1 - alpha)


_SPREAD_MIN = 1e-4  # below this std of the level log-weights, the second-order (small-spread) forms are used
_GRID_MIN, _GRID_MAX = 3001, 60001


_DEBYE_NU = 30.0  # orders from which the uniform (Debye) expansion replaces scipy's ive
_HANKEL_X = 1e7  # arguments from which the large-x (Hankel) expansion replaces it for small orders


def log_ive(nu: float, x: np.ndarray) -> np.ndarray:
    """ln(I_ν(x) e^{-x}) for ν ≥ 0, x > 0, finite where scipy's ``ive`` under- or overflows or fails
    (``ive`` returns NaN beyond x ≈ 1e9 and 0 for large ν).

    - ν ≥ 30: uniform asymptotic (Debye) expansion, z = x/ν, τ = 1/sqrt(1 + z²):
      ln I_ν(νz) = νη - ½ ln(2πν) - ¼ ln(1 + z²) + ln(1 + u₁(τ)/ν + u₂(τ)/ν² + u₃(τ)/ν³),
      η = sqrt(1 + z²) + ln(z/(1 + sqrt(1 + z²))), relative error O(u₄/ν⁴) < 1e-7 (Abramowitz–Stegun 9.7.7);
    - ν < 30 and x ≥ 1e7 (x ≫ ν²): Hankel expansion ln I_ν(x) = x - ½ ln(2πx) + ln(1 - (μ-1)/(8x)
      + (μ-1)(μ-9)/(2(8x)²)), μ = 4ν² (A–S 9.7.1), error O((ν²/x)³);
    - otherwise ln of scipy's ``ive``.
    tests/models/test_rem.py compares the three routes with mpmath's besseli."""
    x = np.asarray(x, dtype=float)
    if nu >= _DEBYE_NU:
        z = x / nu
        sq = np.sqrt(1.0 + z * z)
        tau = 1.0 / sq
        # νη - x = ν(sqrt(1+z²) - z) + ν ln(z/(1+sqrt(1+z²))), the first difference as 1/(sqrt(1+z²) + z)
        eta_minus_z = 1.0 / (sq + z) - np.log1p(1.0 / z + (sq - z) / z)
        t2 = tau * tau
        u1 = tau * (3.0 - 5.0 * t2) / 24.0
        u2 = t2 * (81.0 - 462.0 * t2 + 385.0 * t2 * t2) / 1152.0
        u3 = tau * t2 * (30375.0 - 369603.0 * t2 + 765765.0 * t2 * t2 - 425425.0 * t2 * t2 * t2) / 414720.0
        series = np.log1p(u1 / nu + u2 / nu**2 + u3 / nu**3)
        return nu * eta_minus_z - 0.5 * math.log(2 * math.pi * nu) - 0.25 * np.log1p(z * z) + series
    from scipy.special import ive

    out = np.empty_like(x)
    big = x >= _HANKEL_X
    if big.any():
        xb = x[big]
        mu = 4.0 * nu * nu
        out[big] = -0.5 * np.log(2 * math.pi * xb) + np.log1p(-(mu - 1) / (8 * xb) + (mu - 1) * (mu - 9) / (2 * (8 * xb) ** 2))
    small = ~big
    if small.any():
        with np.errstate(divide="ignore", under="ignore"):  # ive underflows far in the lower tail: weight 0
            out[small] = np.log(ive(nu, x[small]))
    return out


def _ncx2_logpdf(v: np.ndarray, k: float, lam: float) -> np.ndarray:
    """ln of the non-central χ²_k density with non-centrality λ,
    ½ e^{-(v+λ)/2} (v/λ)^{k/4-1/2} I_{k/2-1}(sqrt(λ v)), written -(√v - √λ)²/2 + ln ive(k/2 - 1, √(λv))
    (:func:`log_ive`): no cancellation between the O(λ) terms at large λ, no Bessel under/overflow."""
    arg = np.sqrt(lam * v)
    log_i = log_ive(abs(k / 2 - 1), arg)  # I_{-ν} = I_ν for the half-integer/integer orders used here (k ≥ 1)
    return -math.log(2.0) - 0.5 * (np.sqrt(v) - math.sqrt(lam)) ** 2 + (k / 4 - 0.5) * np.log(v / lam) + log_i


class _Levels:
    """The Poisson process of the n - 1 other levels seen from a point x (|x|²/d = r), relative to the
    annealed bulk nM_1 (M_1 = E[e^{-βdy}|x], β = 1/(2Δ_t)): each level has relative weight q = e^{ℓ},
    ℓ = -βdy - ln(nM_1), E[n q] = 1. Scalars; everything in log space (n = e^{αd} may be e^{10⁵}).

    ``log_n`` = αd, ``c`` = 1 - 1/n (the mean weight of the other levels, so that n equal weights give
    exactly Σ w² = 1/n), ``log_nm1`` = ln(nM_1), ``A`` = n E q² (annealed participation ratio).
    When the std of ℓ over the levels is below 1e-4 (t → ∞, σ → 0: all levels alike) ``degenerate`` is
    True and the second-order forms in that spread are used; otherwise ``ell``/``logw`` hold a grid of
    ℓ and the log level counts ln(n p(y) dy) (exact law: d y/s² ~ non-central χ²_d with non-centrality
    d r/s²), from below the lowest of the n levels, shifted by the q²-tilt, up to 12 standard deviations
    above the mean, resolved to 1/30 of a standard deviation (3001 … 60001 points)."""

    def __init__(self, alpha: float, t: float, sigma: float, r: float, d: float) -> None:
        self.log_n = alpha * d
        self.c = -math.expm1(-self.log_n)
        self.log_c = math.log(self.c) if self.c > 0 else -math.inf
        ann, log_a = _annealed_terms(alpha, t, sigma, r, d)
        self.log_nm1 = d * float(ann)
        self.A = math.exp(min(float(log_a), 0.0))
        s2 = sigma**2 * math.exp(-2 * t)
        b = 1.0 / (2.0 * float(delta_t(t)))
        spread = b * math.sqrt(2 * d * s2 * s2 + 4 * d * r * s2)
        self.degenerate = not (s2 > 0 and spread >= _SPREAD_MIN)
        if self.degenerate:
            return
        nc = d * r / s2
        mean, sd = d + nc, math.sqrt(2 * (d + 2 * nc))
        tilt = 2 * b * s2 * sd * sd
        lo = max(mean - tilt - (math.sqrt(2 * self.log_n) + 12.0) * sd, 1e-9 * mean)
        hi = mean + 12.0 * sd
        npts = int(min(max(30.0 * (hi - lo) / sd, _GRID_MIN), _GRID_MAX))
        v = np.linspace(lo, hi, npts)
        ell = -b * s2 * v - self.log_nm1
        logw = _ncx2_logpdf(v, d, nc) + self.log_n + math.log(v[1] - v[0])
        keep = logw > np.max(logw) - 80.0
        self.ell, self.logw = ell[keep], logw[keep]

    def participation(self) -> float:
        """E Σ_μ w_μ² at the point: n E[q²/(c + q)²] (one level on the bulk of the others), or A."""
        if self.degenerate:
            return min(self.A, 1.0)
        terms = self.logw + 2 * (self.ell - np.logaddexp(self.log_c, self.ell))
        return float(min(math.exp(min(special_logsumexp(terms), 0.0)), 1.0))

    def log_partition_correction(self) -> float:
        """E ln Z - ln(nM_1) ≈ n E[ln(1 + u) - u], u = q - 1/n (zero for n equal weights), or -(A - 1/n)/2.
        ln(1 + u) - u ≤ 0 is summed in log space: -exp(LSE(ln n p dy + ln|ln(1 + u) - u|))."""
        inv_n = math.exp(-self.log_n)
        if self.degenerate:
            return -0.5 * (self.A - inv_n)
        return -math.exp(special_logsumexp(self.logw + _log_abs_log1p_minus(self.ell, -self.log_n)))


def special_logsumexp(a: np.ndarray) -> float:
    """ln Σ e^{a} (-inf for an empty or all -inf array)."""
    a = np.asarray(a, dtype=float)
    if a.size == 0:
        return -math.inf
    m = float(np.max(a))
    if m == -math.inf:
        return -math.inf
    return m + math.log(float(np.sum(np.exp(a - m))))


def _log_abs_log1p_minus(ell: np.ndarray, log_inv_n: float) -> np.ndarray:
    """ln|ln(1 + u) - u| for u = e^{ℓ} - e^{ln(1/n)} > -1, without cancellation: the series
    u²/2 - u³/3 + u⁴/4 for |u| < 1e-3 (ln|u| from a log-difference), u - ln(1 + u) directly otherwise,
    ℓ for ℓ > 700 (u - ln(1 + u) = e^{ℓ}(1 - O(ℓ e^{-ℓ})))."""
    ell = np.asarray(ell, dtype=float)
    hi = np.maximum(ell, log_inv_n)
    lo = np.minimum(ell, log_inv_n)
    with np.errstate(divide="ignore"):
        log_abs_u = hi + np.log(-np.expm1(lo - hi))  # -inf where u = 0
    sign = np.where(ell >= log_inv_n, 1.0, -1.0)
    u_small = np.exp(np.minimum(log_abs_u, 0.0)) * sign
    out = np.empty_like(ell)
    small = log_abs_u < math.log(1e-3)
    out[small] = 2 * log_abs_u[small] - math.log(2.0) + np.log1p(-2.0 * u_small[small] / 3.0 + u_small[small] ** 2 / 2.0)
    big = ell > 700.0
    mid = ~small & ~big
    um = np.exp(ell[mid]) - math.exp(log_inv_n)
    out[mid] = np.log(um - np.log1p(um))
    out[big] = ell[big]
    return out


def _one_level_terms(alpha, t, sigma, r, d):
    """Liquid-phase finite-d corrections from one atypically low level on top of the bulk of the others
    (:class:`_Levels`): (E Σ w², E ln Z - ln(nM_1)). Scalars."""
    lv = _Levels(alpha, t, sigma, r, d)
    return lv.participation(), lv.log_partition_correction()


def _one_level_vec(alpha, t, sigma, r, d):
    """_one_level_terms over arrays; for many r at scalar (α, t, σ), evaluated on 9 nodes
    spanning the r range and interpolated (log PR and the correction are smooth in r)."""
    alpha, t, sigma, r = np.broadcast_arrays(alpha, t, sigma, r)
    if r.size > 9 and np.ptp(alpha) == 0 and np.ptp(t) == 0 and np.ptp(sigma) == 0:
        a0, t0, s0 = float(alpha.flat[0]), float(t.flat[0]), float(sigma.flat[0])
        nodes = np.linspace(r.min(), r.max(), 9)
        vals = np.array([_one_level_terms(a0, t0, s0, float(rn), d) for rn in nodes])
        pr = np.exp(np.interp(r, nodes, np.log(np.maximum(vals[:, 0], 1e-300))))
        return np.minimum(pr, 1.0), np.interp(r, nodes, vals[:, 1])
    f = np.vectorize(lambda a, tt, ss, rr: _one_level_terms(float(a), float(tt), float(ss), float(rr), d), otypes=[float, float])
    return f(alpha, t, sigma, r)


def _by_phase(alpha, t, sigma, r, liquid_fn, condensed_fn) -> np.ndarray:
    """``liquid_fn(α, t, σ, r)`` where α ≥ α_c(t, r) and ``condensed_fn`` elsewhere, each evaluated only on
    its own points (the condensed forms solve for the lowest level, meaningless, and overflowing, deep
    in the liquid phase). Broadcasts the arguments; returns an array of their shape."""
    alpha, t, sigma, r = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (alpha, t, sigma, r)))
    shape = alpha.shape
    alpha, t, sigma, r = (np.atleast_1d(v).ravel() for v in (alpha, t, sigma, r))
    liquid = alpha >= g.alpha_c_r(t, sigma, r)
    out = np.empty(alpha.shape)
    for mask, fn in ((liquid, liquid_fn), (~liquid, condensed_fn)):
        if mask.any():
            out[mask] = np.broadcast_to(fn(alpha[mask], t[mask], sigma[mask], r[mask]), (int(mask.sum()),))
    return out.reshape(shape)


@_ieee
def free_entropy(alpha, t, sigma, r=None, d=None):
    """(1/d) E ln Z(x), Z = Σ_μ exp(-|x - e^{-t}a_μ|²/(2Δ_t)), n = e^{αd}, |x|²/d = r (default Γ_t).

    Leading order: α + Λ(-β) (liquid, α ≥ α_c) or -y_0/(2Δ_t) (condensed).
    With ``d`` (finite-size, approximate): liquid = (1/d) ln E[Z|x] plus the one-low-level
    correction of :func:`_one_level_terms` (→ α + Λ(-β) exactly as the levels become alike, t → ∞);
    condensed = -y_0^{(d)}/(2Δ_t) + E ln S_PD(m)/d with the Bahadur–Rao lowest level y_0^{(d)} and the
    Poisson–Dirichlet log-partition (``rem.pd_log_partition``). Both are poor within O(d^{-1/2}) of α_c."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r, d=d)
    r = gamma_t(t, sigma) if r is None else np.asarray(r, dtype=float)
    if d is None:
        return _by_phase(alpha, t, sigma, r, g.free_entropy_liquid,
                         lambda a, tt, s, rr: g.free_entropy_condensed_rho(_solve_rate(a, tt, s, rr), tt, s, rr))

    def liquid(a, tt, s, rr):
        return _annealed_terms(a, tt, s, rr, d)[0] + _one_level_vec(a, tt, s, rr, d)[1] / d

    def condensed(a, tt, s, rr):
        rho0 = lowest_level_rho(a, tt, s, rr, d)
        m = np.clip(g.freezing_m_rho(rho0, tt, s), 1e-12, 1 - 1e-12)
        return g.free_entropy_condensed_rho(rho0, tt, s, rr) + g.pd_log_partition(m) / d

    return _by_phase(alpha, t, sigma, r, liquid, condensed)


@_ieee
def participation_ratio(alpha, t, sigma, r=None, d=None):
    """E Σ_μ w_μ² of the posterior weights w_μ(x) ∝ exp(-|x - e^{-t}a_μ|²/(2Δ_t)) at a point of P_t.

    Leading order: 1 - m (condensed, Poisson–Dirichlet), 0 (liquid). With ``d``: condensed
    1 - m at the Bahadur–Rao lowest level; liquid n E[q²/(c + q)²] (one low level on the bulk of the
    others, exact non-central χ² level law; → 1/n = e^{-αd} deep in the liquid phase, where all the
    weights become equal)."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r, d=d)
    r = gamma_t(t, sigma) if r is None else np.asarray(r, dtype=float)

    def condensed(a, tt, s, rr):
        m = g.freezing_m_rho(lowest_level_rho(a, tt, s, rr, d), tt, s)
        return theory("rem.pd_participation")(np.minimum(m, 1.0))

    if d is None:
        return _by_phase(alpha, t, sigma, r, lambda *a: 0.0, condensed)
    return _by_phase(alpha, t, sigma, r, lambda a, tt, s, rr: _one_level_vec(a, tt, s, rr, d)[0], condensed)


_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(80)
_GH_W = _GH_W / _GH_W.sum()


@_ieee
def phi_C(t, alpha, sigma, d=None):
    """Collapse cloning probability φ_C(t) = E_{x~P^e_t} Σ_μ w_μ(x)² (exact identity for clones
    run with the exact empirical score).

    x = e^{-t}a_ν + sqrt(Δ_t) z sits on a planted level (log-weight -|z|²/2) among e^{αd} - 1
    ordinary ones. Leading order in d: φ_C = 1 for α < α_c(t) (t < t_C), 0 for α > α_c(t).
    With ``d`` (finite-d crossover, approximate): the log-ratio planted/rest is
    L = -|z|²/2 - ln Z_rest, r = |x|²/d, (|z|²/d, r) jointly Gaussian (CLT), Z_rest = annealed
    bulk + the Poisson process of low levels to first order (liquid rest) or the finite-d
    condensed free entropy (condensed rest); see :func:`_phi_c_finite`. Deep in the liquid rest (α - α_c ≫ d^{-1/2}) L ≈ N(d(α_c - α), d s²/Γ_t):
    the crossover width in α is sqrt(s²/(Γ_t d))."""
    _check(t=t, alpha=alpha, sigma=sigma, d=d)
    if d is None:
        t, alpha, sigma = (np.asarray(v, dtype=float) for v in (t, alpha, sigma))
        ac = theory("rem.alpha_c")(t, sigma)
        return np.where(alpha < ac, 1.0, np.where(alpha > ac, 0.0, 0.5))
    return np.vectorize(lambda tt, aa, ss: _phi_c_finite(tt, aa, ss, float(d)))(t, alpha, sigma)


_GH2_X, _GH2_W = np.polynomial.hermite_e.hermegauss(24)
_GH2_W = _GH2_W / _GH2_W.sum()


def _phi_c_finite(t: float, alpha: float, sigma: float, d: float) -> float:
    """Finite-d φ_C. (|z|²/d, r = |x|²/d) jointly Gaussian by the CLT (variances 2/d, 2Γ²/d,
    covariance 2Δ/d); planted weight p = e^{-|z|²/2}/(nM_1) relative to the annealed bulk nM_1.

    Liquid rest (:class:`_Levels`: n - 1 other levels of mean total weight c = 1 - 1/n): with
    F(Z) = p²/(p + Z)², first order in the Poisson process of levels q,
    Σ w² = F(c) + (n - 1) E[F(c + q) - F(c) - F'(c) q + q²/(p + c - 1/n + q)²], each bracket term written
    without cancellation (s = p + c, x = q/s: F(c+q) - F(c) - F'(c)q = p²s⁻² x²(3 + 2x)/(1 + x)²) and
    summed in log space; when the levels are all alike (degenerate: t → ∞) the second-order form
    F(c) + 3p²c(A - 1/n)/s⁴ + cA/s², exactly 1/n for n equal weights (p = 1/n, A = 1/n).
    Condensed rest: ln B = d · free_entropy(α, t, σ, r, d), Σ w² ≈ w² + (1-w)²(1-m)."""
    D = float(delta_t(t))
    G = float(gamma_t(t, sigma))
    cc = D / G
    out = 0.0
    for xi1, w1 in zip(_GH2_X, _GH2_W):
        r = max(G * (1 + math.sqrt(2 / d) * xi1), 1e-6 * G)
        # |z|²/d ≥ 0, clipped like r (the CLT nodes of small d reach negative values): at t → ∞, r = Δ|z|²/d
        z2 = np.maximum(1 + math.sqrt(2 / d) * (cc * xi1 + math.sqrt(max(1 - cc * cc, 0.0)) * _GH2_X), 1e-6)
        if alpha >= float(g.alpha_c_r(t, sigma, r)):
            lv = _Levels(alpha, t, sigma, r, d)
            c = lv.c
            log_p = -d * z2 / 2 - lv.log_nm1  # (24,)
            log_s = np.logaddexp(log_p, lv.log_c)
            F = np.exp(2 * (log_p - log_s))
            if lv.degenerate:
                inv_n = math.exp(-lv.log_n)
                vals = F + 3 * c * (lv.A - inv_n) * np.exp(2 * log_p - 4 * log_s) + c * lv.A * np.exp(-2 * log_s)
            else:
                log_x = lv.ell[None, :] - log_s[:, None]  # (24, levels)
                log_1px = np.logaddexp(0.0, log_x)
                log_g = (2 * (log_p - log_s))[:, None] + 2 * log_x + np.logaddexp(math.log(3.0), math.log(2.0) + log_x) \
                    - 2 * log_1px
                # a rest level q sits on the planted p and the other n - 2 levels (mean total c - 1/n)
                others = -math.expm1(math.log(2.0) - lv.log_n) if lv.log_n > math.log(2.0) else 0.0
                log_sh = np.logaddexp(log_p, math.log(others)) if others > 0 else log_p
                log_xh = lv.ell[None, :] - log_sh[:, None]
                log_h = 2 * log_xh - 2 * np.logaddexp(0.0, log_xh)
                lw = lv.logw[None, :]
                vals = F + c * (np.exp(np.minimum(_lse_rows(lw + log_g), 0.0)) + np.exp(np.minimum(_lse_rows(lw + log_h), 0.0)))
        else:
            ln_b = d * float(free_entropy(alpha, t, sigma, r, d))
            pr_rest = float(participation_ratio(alpha, t, sigma, r, d))
            wpl = 0.5 * (1.0 + np.tanh(0.5 * (-d * z2 / 2 - ln_b)))
            vals = wpl**2 + (1 - wpl) ** 2 * pr_rest
        out += w1 * float(np.sum(_GH2_W * np.clip(vals, 0.0, 1.0)))
    return float(min(max(out, 0.0), 1.0))


def _lse_rows(a: np.ndarray) -> np.ndarray:
    """Row-wise ln Σ e^{a} (a 2-D)."""
    m = np.max(a, axis=1)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return m + np.log(np.sum(np.exp(a - m[:, None]), axis=1))


def empirical_log_partition(x: np.ndarray, train: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Direct ln Z(x) and Σ_μ w_μ² for rows x (m×d) against training points (n×d) at time t
    (log-sum-exp; the Boltzmann weights are the exact posterior of the empirical law)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    s = math.exp(-t)
    dlt = float(delta_t(t))
    sq = (x**2).sum(1)[:, None] - 2 * s * x @ train.T + s * s * (train**2).sum(1)[None, :]
    e = -np.maximum(sq, 0.0) / (2 * dlt)
    top = e.max(1, keepdims=True)
    w = np.exp(e - top)
    zsum = w.sum(1)
    lnz = top[:, 0] + np.log(zsum)
    pr = (w**2).sum(1) / zsum**2
    return lnz, pr


def partition_blocks(rng: np.random.Generator, d: int, alpha: float, t: float, sets: int, per_set: int,
                     empirical: bool, sigma: float = 1.0):
    """Monte Carlo over independent training sets of n = e^{αd} points a ~ N(0, σ² I).

    For each of ``sets`` training sets, ``per_set`` query points x = e^{-t} c + sqrt(Δ_t) z with c a
    training point (``empirical``: x ~ P^e_t) or a fresh draw (x ~ P_t). Returns n and, per set,
    ((1/d) ln Z(x), Σ_μ w_μ(x)², r = |x|²/d) arrays over the query points."""
    n = int(round(math.exp(alpha * d)))
    s, D = math.exp(-t), float(delta_t(t))
    rows = []
    for _ in range(sets):
        train = rng.normal(0.0, sigma, (n, d))
        if empirical:
            centres = train[rng.integers(0, n, per_set)]
        else:
            centres = rng.normal(0.0, sigma, (per_set, d))
        x = s * centres + math.sqrt(D) * rng.standard_normal((per_set, d))
        lnz, pr = empirical_log_partition(x, train, t)
        r = (x**2).sum(1) / d
        rows.append((lnz / d, pr, r))
    return n, rows
