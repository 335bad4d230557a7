"""The universal two-class functions of the signal-to-noise ratio κ (THEORY §2, §6): the cloning
probability φ(κ, p_+) (``gm.phi``) and the mixing entropy δ(κ, p_+) (``gm.entropy_gap``).

Two Gaussian classes whose log-likelihood ratio is N(±2κ, 4κ)-distributed (exactly for the two-class
mixture along m̂; at large d for any pair of classes, κ_ab = ¼[KL(a‖b) + KL(b‖a)]; for the Curie–Weiss
two-state reduction) have these φ and δ, so every model uses this one module.

Fast route (NumPy, vectorised over κ): Gauss–Legendre on windows where the integrand is
non-negligible, using the *generated* integrand ``gm.phi_defect_integrand``:

    1 - φ(κ) = ∫ du ½ Σ_c p_c N(u; s_c κ, κ) sech²(u + h0),      h0 = ½ ln(p_+/p_-)

The sech² factor is below 4e^{-40} outside |u + h0| ≤ 20 and the Gaussians below e^{-40}
beyond 9 standard deviations, so windows are the intersections of these ranges; every
window has length ≤ 40 where the integrand is analytic in a strip of half-width π/2,
so 256 Gauss–Legendre nodes converge to machine precision (128 leave 2e-10 at κ ≈ 3).

Reference route (mpmath, any precision): ``phi_mpmath``/``entropy_gap_mpmath`` integrate
the defining z-integrals, split at the tanh transition.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from numerics.generated import gm as _gm

__all__ = ["phi", "entropy_gap", "phi_mpmath", "entropy_gap_mpmath"]



@functools.lru_cache(maxsize=None)
def gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights on [-1, 1] by Newton's method on P_n (three-term recurrence),
    from Tricomi's initial guesses: O(n²), a few ms for n = 256 (NumPy's companion-matrix eigenvalues
    cost ~100× more and would dominate the start-up of ``regimes gm``).

    >>> x, w = gauss_legendre(5)
    >>> bool(abs(w.sum() - 2.0) < 1e-14 and abs(np.sum(w * x**8) - 2 / 9) < 1e-14)
    True
    """
    k = np.arange(1, n + 1)
    x = np.cos(np.pi * (k - 0.25) / (n + 0.5))
    for _ in range(100):
        p0, p1 = np.ones_like(x), x.copy()
        for j in range(2, n + 1):
            p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
        dp = n * (x * p1 - p0) / (x * x - 1.0)
        dx = p1 / dp
        x -= dx
        if np.max(np.abs(dx)) < 1e-16:
            break
    p0, p1 = np.ones_like(x), x.copy()
    for j in range(2, n + 1):
        p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
    dp = n * (x * p1 - p0) / (x * x - 1.0)
    w = 2.0 / ((1.0 - x * x) * dp * dp)
    return x[::-1].copy(), w[::-1].copy()

# libm's erfc, vectorised (full relative precision in the tail; keeps SciPy out of the start-up path)
_erfc = np.vectorize(math.erfc, otypes=[float])
_CUT_SECH = 20.0
_CUT_SIGMAS = 9.0


def _gl(f, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Σ over windows: ∫_lo^hi f(u) du, vectorised (lo, hi of any equal shape; empty when hi <= lo)."""
    width = np.maximum(hi - lo, 0.0)
    mid = 0.5 * (hi + lo)
    nodes, weights = gauss_legendre(256)
    u = mid[..., None] + 0.5 * width[..., None] * nodes
    vals = f(u)
    return 0.5 * width * np.sum(vals * weights, axis=-1)


def _class_windows(kappa: np.ndarray, h0: float, cut: float):
    """Windows in u: |u + h0| ≤ cut intersected with each class's Gaussian bulk (merged when
    they overlap). Returns lo, hi of shape (..., 2)."""
    s = np.sqrt(kappa)
    lo_p, hi_p = kappa - _CUT_SIGMAS * s, kappa + _CUT_SIGMAS * s
    lo_m, hi_m = -kappa - _CUT_SIGMAS * s, -kappa + _CUT_SIGMAS * s
    overlap = lo_p <= hi_m
    lo0 = np.where(overlap, lo_m, lo_p)
    hi0 = np.where(overlap, hi_p, hi_p)
    lo1 = np.where(overlap, 0.0, lo_m)
    hi1 = np.where(overlap, 0.0, hi_m)
    lo = np.stack([lo0, lo1], axis=-1)
    hi = np.stack([hi0, hi1], axis=-1)
    lo = np.maximum(lo, -h0 - cut)
    hi = np.minimum(hi, -h0 + cut)
    return lo, hi


def _kappa(kappa) -> np.ndarray:
    """κ as a float array: every entry ≥ 0 and not NaN (+inf allowed: the separated limit)."""
    try:
        k = np.asarray(kappa, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"kappa must be a number or an array of numbers, got {kappa!r}") from None
    if np.isnan(k).any() or (k < 0).any():
        raise ValueError(f"kappa must be >= 0 (and not NaN), got {kappa!r}")
    return k


def _p_plus(p_plus) -> float:
    """p_+ strictly inside (0, 1) (a single class has no cloning question)."""
    try:
        p = float(p_plus)
    except (TypeError, ValueError):
        raise ValueError(f"p_plus must be a number, got {p_plus!r}") from None
    if not 0.0 < p < 1.0:
        raise ValueError(f"p_plus must lie strictly between 0 and 1, got {p_plus!r}")
    return p


def _sech2(h: float) -> float:
    """sech² h = 4 e^{-2|h|}/(1 + e^{-2|h|})², without overflow."""
    e = math.exp(-2.0 * abs(h))
    return 4.0 * e / (1.0 + e) ** 2


# From κ = 1e4 the classes are separated to double precision for every representable p_+ (|h0| ≤ 373):
# 1 - φ and H(p_+) - δ are O(sech²(κ - |h0|)) < e^{-19000}; φ = 1 and δ = H(p_+) exactly there.
_KAPPA_SEPARATED = 1e4


def phi(kappa, p_plus: float = 0.5) -> np.ndarray:
    """Cloning probability φ(κ) = E Σ_c P(c|x)² (THEORY §2; Biroli et al. 2024), vectorised over κ.

    Limits: κ → 0 gives p_+² + p_-² (no information on the class), κ ≥ 1e4 (and +inf) gives 1 (separated
    classes to double precision). ``ValueError`` for κ < 0, κ NaN, or p_+ outside (0, 1).
    """
    kappa = _kappa(kappa)
    p_plus = _p_plus(p_plus)
    h0 = 0.5 * (math.log(p_plus) - math.log1p(-p_plus))
    tiny = kappa < 1e-300
    huge = kappa >= _KAPPA_SEPARATED
    k = np.where(tiny | huge, 1.0, kappa)
    lo, hi = _class_windows(k, h0, _CUT_SECH)
    kk = k[..., None, None]
    with np.errstate(under="ignore"):
        defect = _gl(lambda u: _gm.phi_defect_integrand(u, kk, p_plus), lo, hi).sum(axis=-1)
    limit0 = 1.0 - 0.5 * _sech2(h0)  # κ -> 0: φ = p_+² + p_-²
    return np.where(tiny, limit0, np.where(huge, 1.0, 1.0 - defect))


def _mean_abs_excess(m: np.ndarray, s: np.ndarray) -> np.ndarray:
    """E|v| - |m| for v ~ N(m, s²), free of cancellation when |m| >> s."""
    am = np.abs(m)
    return s * math.sqrt(2.0 / math.pi) * np.exp(-0.5 * (am / s) ** 2) - am * _erfc(am / (s * math.sqrt(2.0)))


def _mean_logcosh_excess(m: np.ndarray, s: np.ndarray) -> np.ndarray:
    """E ln cosh v - |m| = (E|v| - |m|) - ln 2 + E log1p(e^{-2|v|}), v ~ N(m, s²); the last
    term by Gauss–Legendre on |v| ≤ 20 ∩ bulk, split at the kink v = 0."""

    def g(v):
        mm, ss = m[..., None, None], s[..., None, None]
        return np.exp(-0.5 * ((v - mm) / ss) ** 2) / (ss * math.sqrt(2 * math.pi)) * np.log1p(np.exp(-2 * np.abs(v)))

    lo = np.maximum(m - _CUT_SIGMAS * s, -_CUT_SECH)
    hi = np.minimum(m + _CUT_SIGMAS * s, _CUT_SECH)
    los = np.stack([lo, np.maximum(lo, 0.0)], axis=-1)
    his = np.stack([np.minimum(hi, 0.0), hi], axis=-1)
    corr = _gl(g, los, his).sum(axis=-1)
    return _mean_abs_excess(m, s) - math.log(2.0) + corr


def entropy_gap(kappa, p_plus: float = 0.5) -> np.ndarray:
    """δ(κ) = κ - ½ ln(4 p_+ p_-) - Σ_c p_c E ln cosh(s_c κ + √κ z + h0)  (result ``gm.entropy_gap``).

    Excess entropy of the 1-D mixture along m̂ over one Gaussian of variance Γ_t;
    0 ≤ δ ≤ H(p_+); δ = 0 at κ = 0 and δ = H(p_+) at κ = +inf. ``ValueError`` as for :func:`phi`."""
    kappa = _kappa(kappa)
    p_plus = _p_plus(p_plus)
    pm = 1.0 - p_plus
    h0 = 0.5 * (math.log(p_plus) - math.log1p(-p_plus))
    tiny = kappa < 1e-300
    huge = kappa >= _KAPPA_SEPARATED
    k = np.where(tiny | huge, 1.0, kappa)
    s = np.sqrt(k)
    # κ - Σ_c p_c |m_c| with m_± = ±κ + h0, exact when κ > |h0|
    base = np.where(k > abs(h0), -(p_plus - pm) * h0, k - p_plus * np.abs(k + h0) - pm * np.abs(k - h0))
    el = p_plus * _mean_logcosh_excess(k + h0, s) + pm * _mean_logcosh_excess(-k + h0, s)
    out = base - 0.5 * math.log(4 * p_plus * pm) - el
    mixing = -(p_plus * math.log(p_plus) + pm * math.log1p(-p_plus))  # H(p_+), the κ -> ∞ limit
    return np.where(tiny, 0.0, np.where(huge, mixing, np.clip(out, 0.0, mixing)))


# ---------------------------------------------------------------------------------------
# mpmath references
# ---------------------------------------------------------------------------------------
def _z_integral(fn, kappa, p_plus, dps):
    import mpmath as mp

    with mp.workdps(dps):
        k = mp.mpf(kappa)
        p = mp.mpf(p_plus)
        h0 = mp.log(p / (1 - p)) / 2
        sk = mp.sqrt(k)
        total = mp.mpf(0)
        for sgn, w in ((1, p), (-1, 1 - p)):
            z0 = (-h0 - sgn * k) / sk  # transition of tanh(s κ + √κ z + h0)
            pts = sorted({mp.mpf(-60), z0 - 1 / sk, z0, z0 + 1 / sk, mp.mpf(60)})
            pts = [x for x in pts if -60 <= x <= 60]
            f = lambda z: mp.npdf(z) * fn(sgn * k + sk * z + h0)  # noqa: E731
            total += w * mp.quad(f, pts, maxdegree=10)
        return total, k, p


def phi_mpmath(kappa: float, p_plus: float = 0.5, dps: int = 30):
    """High-precision φ(κ) = ½ + ½ Σ_c p_c E tanh²(s_c κ + √κ z + h0)."""
    import mpmath as mp

    total, _, _ = _z_integral(lambda v: mp.tanh(v) ** 2, kappa, p_plus, dps)
    with mp.workdps(dps):
        return mp.mpf(1) / 2 + total / 2


def entropy_gap_mpmath(kappa: float, p_plus: float = 0.5, dps: int = 30):
    """High-precision δ(κ) from its defining integral."""
    import mpmath as mp

    total, k, p = _z_integral(lambda v: mp.log(mp.cosh(v)), kappa, p_plus, dps)
    with mp.workdps(dps):
        return k - mp.log(4 * p * (1 - p)) / 2 - total
