"""Random-energy-model theory of collapse, numeric side (THEORY §3; derivations in ``theory/rem.py``).

For Gaussian data ``a ~ N(0, σ² I)``, ``n = e^{αd}`` training points and a point ``x`` with
``|x|²/d = r``, ``(1/d) ln Z(x)``, ``Z = Σ_μ exp(-|x - e^{-t}a_μ|²/(2Δ_t))`` is the free entropy
of a REM. Closed forms come from the generated module ``numerics.generated.rem``; the only
numeric step is the root ``ρ_0`` of ``I(ρ) = α`` (the lowest level), found by bisection.

Public functions (all broadcast over NumPy arrays):

- :func:`alpha_c` ``(t, σ)``: condensation threshold ``½ ln(Γ_t/Δ_t)`` (typical point ``r = Γ_t``).
- :func:`free_entropy` ``(α, t, σ, r=Γ_t, d=None)``: ``(1/d) E ln Z``; leading order, or the exact
  finite-(d, n) value when ``d`` is given (:mod:`numerics.models.rem.finite_size`).
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
    "check_inputs", "T_MIN", "SIGMA_MAX",
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
    """``ValueError`` naming the first given argument outside the REM domain: α > 0, t ≥ 1e-8,
    0 < σ ≤ 1e75, r > 0, d ≥ 1, all finite (arrays element-wise)."""
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


_check = check_inputs


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


def _annealed_terms(alpha, t, sigma, r, d):
    """(1/d) ln E[Z|x] = α + Λ(-β) and ln of the annealed participation ratio
    E[e^{-2βE}]/(n E[e^{-βE}]²) = exp(d(Λ(-2β) - 2Λ(-β) - α)), β = 1/(2Δ_t)."""
    b = 1.0 / (2.0 * delta_t(t))
    lam1 = g.cgf(-b, t, sigma, r)
    lam2 = g.cgf(-2 * b, t, sigma, r)
    # α + Λ(-β) = α - α_c(t) - r/(2Γ_t) exactly (Λ(-β) = -½ ln(Γ/Δ) - r/(2Γ)): written with the
    # registered threshold so that the liquid free entropy is a theory value of rem.alpha_c
    ann = alpha - theory("rem.alpha_c")(t, sigma) - r / (2.0 * gamma_t(t, sigma))
    return ann, d * (lam2 - 2 * lam1 - alpha)


def _ncx2_logpdf(v: np.ndarray, k: float, lam: float) -> np.ndarray:
    """ln of the non-central χ²_k density with non-centrality λ:
    ½ e^{-(v+λ)/2} (v/λ)^{k/4-1/2} I_{k/2-1}(sqrt(λ v)), Bessel I in the scaled form ive."""
    from scipy.special import ive

    arg = np.sqrt(lam * v)
    with np.errstate(divide="ignore"):  # ive underflows to 0 far in the lower tail: ln -> -inf (weight 0)
        log_i = np.log(ive(k / 2 - 1, arg))
    return (-math.log(2.0) - (v + lam) / 2 + (k / 4 - 0.5) * np.log(v / lam)
            + log_i + arg)


def _low_levels(alpha, t, sigma, r, d):
    """Level law for the one-low-level corrections: grid of ℓ = -βdy - ln(nM_1) and the
    log-weights ln(n p(y) dy) (exact law: d y/s² ~ non-central χ²_d, non-centrality d r/s²),
    and ln(nM_1) = d(α + Λ(-β)). Scalars."""
    s2 = sigma**2 * math.exp(-2 * t)
    b = 1.0 / (2.0 * float(delta_t(t)))
    log_nm1 = d * (alpha + float(g.cgf(-b, t, sigma, r)))
    nc = d * r / s2
    mean = d + nc
    v = np.linspace(1e-9, mean + 12 * math.sqrt(2 * (d + 2 * nc)), 3001)
    ell = -b * s2 * v - log_nm1
    logw = _ncx2_logpdf(v, d, nc) + d * alpha + math.log(v[1] - v[0])
    return ell, logw, log_nm1


def _one_level_terms(alpha, t, sigma, r, d):
    """Liquid-phase finite-d corrections from one atypically low level on top of the annealed
    bulk nM_1 (M_1 = E[e^{-βdy}|x]), first order in the Poisson process of levels:
    with q = e^{ℓ}, ℓ(y) = -βdy - ln(nM_1), E Σ w² ≈ n E[q²/(1+q)²] and
    E ln Z - ln(nM_1) ≈ n E[ln(1 + q) - q] (the mean of q is already in the bulk). Scalars."""
    ell, logw, _ = _low_levels(alpha, t, sigma, r, d)
    pr = np.sum(np.exp(logw + 2 * (-np.logaddexp(0.0, -ell))))
    corr = np.sum(np.exp(logw) * (np.logaddexp(0.0, ell) - np.exp(np.minimum(ell, 700.0))))
    return float(min(pr, 1.0)), float(corr)


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


@_ieee
def free_entropy(alpha, t, sigma, r=None, d=None):
    """(1/d) E ln Z(x), Z = Σ_μ exp(-|x - e^{-t}a_μ|²/(2Δ_t)), n = e^{αd}, |x|²/d = r (default Γ_t).

    Leading order: α + Λ(-β) (liquid, α ≥ α_c) or -y_0/(2Δ_t) (condensed).
    With ``d``: the exact finite-(d, n) value, n = round(e^{αd}) (Laplace transforms,
    :func:`numerics.models.rem.finite_size.free_entropy`), given r, or averaged over x ~ P_t when r is None."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r, d=d)
    if d is not None:  # exact finite-(d, n) theory (Laplace transforms), n = round(e^{αd}); r=None: E over x ~ P_t
        return _exact("free_entropy", alpha, t, sigma, r, d)
    r = gamma_t(t, sigma) if r is None else np.asarray(r, dtype=float)
    return _by_phase(alpha, t, sigma, r, g.free_entropy_liquid,
                     lambda a, tt, s, rr: g.free_entropy_condensed_rho(_solve_rate(a, tt, s, rr), tt, s, rr))


@_ieee
def participation_ratio(alpha, t, sigma, r=None, d=None):
    """E Σ_μ w_μ² of the posterior weights w_μ(x) ∝ exp(-|x - e^{-t}a_μ|²/(2Δ_t)) at a point of P_t.

    Leading order: 1 - m (condensed, Poisson–Dirichlet), 0 (liquid). With ``d``: the exact finite-(d, n)
    value, n = round(e^{αd}) (:func:`numerics.models.rem.finite_size.participation_ratio`; → 1/n deep in
    the liquid phase), given r, or averaged over x ~ P_t when r is None."""
    _check(alpha=alpha, t=t, sigma=sigma, r=r, d=d)
    if d is not None:  # exact finite-(d, n) theory (Laplace transforms), n = round(e^{αd}); r=None: E over x ~ P_t
        return _exact("participation_ratio", alpha, t, sigma, r, d)
    r = gamma_t(t, sigma) if r is None else np.asarray(r, dtype=float)

    def condensed(a, tt, s, rr):
        m = g.freezing_m_rho(lowest_level_rho(a, tt, s, rr, d), tt, s)
        return theory("rem.pd_participation")(np.minimum(m, 1.0))

    return _by_phase(alpha, t, sigma, r, lambda *a: 0.0, condensed)


LOG_N_MAX = 100.0  # αd bound of the exact finite-(d, n) evaluation (n = round(e^{αd}) ≤ e^100)
S2_MIN = 1e-290  # below this s² = σ² e^{-2t} every level is the same to double precision
ENERGY_SCALE_MAX = 1e5  # s²/(2Δ_t) bound of the exact evaluation (its cell kernels overflow near 1e6)


def _exact(kind, alpha, t, sigma, r, d):
    """The exact finite-(d, n) value (:func:`numerics.models.rem.finite_size.from_alpha`), n = round(e^{αd}).

    ``ValueError`` for αd > 100 (n > e^100: the Laplace-transform evaluation's tails are not verified
    there; it departs from the leading order by O(1) around αd ≈ 150-230) and for a level-energy scale
    s²/(2Δ_t) > 1e5 (its cell kernels overflow near 1e6). Where s² = σ² e^{-2t} < 1e-290
    (t → ∞ or σ → 0) every training point gives the same level to double precision, and the exact limits
    are returned: E Σ w² = φ_C = 1/n, (1/d) E ln Z = ln(n)/d - r/(2Δ_t) (r → Γ_t on average), Gibbs mean
    level energy r (Γ_t)."""
    from numerics.models.rem.finite_size import from_alpha, n_points

    args = [np.asarray(v, dtype=float) for v in (alpha, t, sigma)] + ([] if r is None else [np.asarray(r, dtype=float)])
    b = np.broadcast_arrays(*args)
    log_n = b[0] * float(d)
    if np.any(log_n > LOG_N_MAX):
        raise ValueError(f"alpha·d = {float(np.max(log_n)):.6g} exceeds {LOG_N_MAX:g}: the exact finite-d values are "
                         f"evaluated for n = round(e^(alpha·d)) <= e^{LOG_N_MAX:g} training points; lower alpha or d, "
                         f"or use the leading order (no --d)")
    s2 = b[2] ** 2 * np.exp(-2.0 * b[1])
    scale = s2 / (2.0 * delta_t(b[1]))
    if np.any(scale > ENERGY_SCALE_MAX):
        raise ValueError(f"sigma, t: the level-energy scale σ² e^(-2t)/(2Δ_t) = {float(np.max(scale)):.3g} exceeds "
                         f"{ENERGY_SCALE_MAX:g}, beyond the range of the exact finite-d evaluation; use a smaller sigma "
                         f"or a larger t, or the leading order (no --d)")
    flat = s2 < S2_MIN
    if not flat.any():
        return from_alpha(kind, alpha, t, sigma, r, d)
    out = np.empty(b[0].shape)
    for idx in np.ndindex(out.shape):
        a, tt, ss = (float(v[idx]) for v in b[:3])
        rr = None if r is None else float(b[3][idx])
        if not flat[idx]:
            out[idx] = from_alpha(kind, a, tt, ss, rr, d)
            continue
        n = n_points(a, int(d))
        D = float(delta_t(tt))
        rv = float(gamma_t(tt, ss)) if rr is None else rr
        out[idx] = {"participation_ratio": 1.0 / n, "phi_C": 1.0 / n, "mean_energy": rv,
                    "free_entropy": math.log(n) / d - rv / (2.0 * D)}[kind]
    return float(out) if out.ndim == 0 else out


_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(80)
_GH_W = _GH_W / _GH_W.sum()


@_ieee
def phi_C(t, alpha, sigma, d=None):
    """Collapse cloning probability φ_C(t) = E_{x~P^e_t} Σ_μ w_μ(x)² (exact identity for clones
    run with the exact empirical score).

    x = e^{-t}a_ν + sqrt(Δ_t) z sits on a planted level (log-weight -|z|²/2) among e^{αd} - 1
    ordinary ones. Leading order in d: φ_C = 1 for α < α_c(t) (t < t_C), 0 for α > α_c(t).
    With ``d``: the exact finite-(d, n) crossover, n = round(e^{αd}) (planted level + n - 1 ordinary
    ones, Laplace transforms: :func:`numerics.models.rem.finite_size.phi_C`; → 1/n deep in the liquid
    phase). Crossover width in α ~ sqrt(s²/(Γ_t d))."""
    _check(t=t, alpha=alpha, sigma=sigma, d=d)
    if d is None:
        t, alpha, sigma = (np.asarray(v, dtype=float) for v in (t, alpha, sigma))
        ac = theory("rem.alpha_c")(t, sigma)
        return np.where(alpha < ac, 1.0, np.where(alpha > ac, 0.0, 0.5))
    return _exact("phi_C", alpha, t, sigma, None, d)  # exact finite-(d, n) theory, n = round(e^{αd})


_GH2_X, _GH2_W = np.polynomial.hermite_e.hermegauss(24)
_GH2_W = _GH2_W / _GH2_W.sum()


def _phi_c_finite(t: float, alpha: float, sigma: float, d: float) -> float:
    """Finite-d φ_C. (|z|²/d, r = |x|²/d) jointly Gaussian by the CLT (variances 2/d, 2Γ²/d,
    covariance 2Δ/d); planted weight p = e^{-|z|²/2}/B relative to the bulk of the other levels.

    Liquid rest: B = nM_1 (annealed) and, first order in the Poisson process of low levels
    q = e^{ℓ}: Σ w² = F(1) + n E[F(1+q) - F(1) - F'(1) q + q²/(p+1+q)²], F(Z) = p²/(p+Z)².
    Condensed rest: ln B = d · free_entropy(α, t, σ, r, d), Σ w² ≈ w² + (1-w)²(1-m)."""
    D = float(delta_t(t))
    G = float(gamma_t(t, sigma))
    c = D / G
    out = 0.0
    for xi1, w1 in zip(_GH2_X, _GH2_W):
        r = max(G * (1 + math.sqrt(2 / d) * xi1), 1e-6 * G)
        z2 = 1 + math.sqrt(2 / d) * (c * xi1 + math.sqrt(1 - c * c) * _GH2_X)
        if alpha >= float(g.alpha_c_r(t, sigma, r)):
            ell, logw, log_nm1 = _low_levels(alpha, t, sigma, r, d)
            keep = logw > np.max(logw) - 60.0
            ell, wts = ell[keep], np.exp(logw[keep])
            p = np.exp(np.clip(-d * z2 / 2 - log_nm1, -700, 700))[:, None]
            q = np.exp(np.minimum(ell, 700.0))[None, :]
            F = lambda Z: p**2 / (p + Z) ** 2  # noqa: E731
            dF1 = -2 * p**2 / (p + 1) ** 3
            corr = F(1 + q) - F(1.0) - dF1 * q + q**2 / (p + 1 + q) ** 2
            vals = F(1.0)[:, 0] + np.sum(wts * corr, axis=1)
        else:
            ln_b = d * float(free_entropy(alpha, t, sigma, r, d))
            pr_rest = float(participation_ratio(alpha, t, sigma, r, d))
            wpl = 0.5 * (1.0 + np.tanh(0.5 * (-d * z2 / 2 - ln_b)))
            vals = wpl**2 + (1 - wpl) ** 2 * pr_rest
        out += w1 * float(np.sum(_GH2_W * np.clip(vals, 0.0, 1.0)))
    return out


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
