r"""Exact finite-(d, n) REM theory of collapse by Laplace transforms (THEORY §3).

Setting (THEORY §0, §3): ``n`` training points ``a_μ ~ N(0, σ² I_d)``, a query point ``x``, Boltzmann
weights ``u_μ = exp(-E_μ)``, ``E_μ = |x - c a_μ|²/(2Δ_t)`` (``c = e^{-t}``, ``Δ_t = 1 - e^{-2t}``),
``Z = Σ_μ u_μ``, posterior weights ``w_μ = u_μ/Z``. With ``s² = σ² c²``, ``Γ_t = Δ_t + s²``:

*Level law.* Given ``x``, the energies of training points independent of ``x`` are i.i.d. with
``E = (s²/2Δ_t) V``, ``V ~ χ'²_d(λ)`` (non-central, non-centrality ``λ = |x|²/s²``): ``|x - c a|²/s²``
is the squared norm of ``N(x/s, I)``. They depend on ``x`` only through ``λ``.

*Planted level* (``x ~ P^e_t``: ``x = c a_ν + √Δ_t z``). The point's own level has ``E_p = |z|²/2``;
``(x, z)`` is jointly Gaussian with ``z | x ~ N(√Δ_t x/Γ_t, (s²/Γ_t) I)``, so
``E_p = (s²/2Γ_t) W``, ``W ~ χ'²_d(Δ_t λ/Γ_t)`` given ``x``; the other ``n - 1`` levels have the law above.

*Law of λ.* For ``x ~ P_t`` and for ``x ~ P^e_t`` alike ``x ~ N(0, Γ_t I)``: ``λ = (Γ_t/s²) χ²_d``.

*Laplace transforms* (``q = e^v > 0``; exact identities, each a one-dimensional integral over ``v``):

- ``ln Z = -v_0 + ∫ dv [exp(-e^{v - v_0}) - exp(-e^v Z)]`` for any ``v_0`` (Frullani, shifted), so
  ``E[ln Z | λ] = -v_0 + ∫ dv [exp(-e^{v-v_0}) - L(v)^n]``, ``L(v) = E e^{-q u} = 1 - T_0(v)``;
- ``1/Z² = ∫ q e^{-qZ} dq`` gives ``E[Σ_μ w_μ² | λ] = ∫ dv n T_2(v) L(v)^{n-1}``, ``T_2 = E[(qu)² e^{-qu}]``;
- ``1/Z = ∫ e^{-qZ} dq`` gives the Gibbs mean energy ``E[Σ_μ w_μ E_μ | λ] = ∫ dv n T_{1E}(v) L^{n-1}``,
  ``T_{1E} = E[E (qu) e^{-qu}]``;
- planted (``Z = p + R``, ``p = e^{-E_p}``, ``Σ w² = (p² + Σ_{μ≠ν} u_μ²)/(p + R)²``):
  ``φ_C(λ) = ∫ dv [T_2^p(v) L^{n-1} + (1 - T_0^p(v)) (n - 1) T_2(v) L^{n-2}]``, ``T^p`` the same
  functionals of the planted law.

Since ``q u = e^{v - E}``, each functional is a convolution of the energy density with a fixed kernel
of ``v - E``: ``T_0 ← -expm1(-e^x)``, ``T_2 ← e^{2x - e^x}``, ``T_{1E} ← E e^{x - e^x}``. Everything is
in log scale (weights ``e^{-O(d)}`` never appear), ``L^n`` is ``exp(n log1p(-T_0))``.

*Quadrature and its error.* Energies and ``v`` on uniform grids of spacing ``h ≤ 0.2`` (``≤ std(E)/4``
for narrow laws); the integrands are analytic and bounded in the strip ``|Im| < 1.2`` (the kernels
``exp(-e^{x+iy})`` are bounded for ``|y| < π/2``), so the trapezoid error is
``O(e^{-2π·1.2/h}) ≈ 4e-17``. Tails: the energy grid drops mass ``≤ e^{-40}/n`` on each side, the
``v`` grid starts where ``n T_0 ≤ e^{-40}`` and ends where ``L^n ≤ e^{-49}``: neglected terms ``≲ e^{-40}``
relative. The outer average over ``λ`` uses Gauss quadrature for the ``χ²_d`` law (Golub–Welsch,
``LAMBDA_NODES`` nodes; the conditional values are smooth, entire functions of ``λ``): the tests
compare 12 against 24 nodes and h = 0.2 against 0.1 (agreement ≤ 1e-10; measured ≤ 1e-14). Very broad
laws (t → 0: the grid would exceed ``N_MAX`` points) use a coarser lattice with the kernels replaced by
their exact cell averages (error O((h/std E)²) ≲ 1e-8); laws narrower than ``STD_MIN`` (t → ∞) are point
masses (neglected variance ≤ 1e-14). At small d the density ∝ V^{d/2-1} at the hard edge V = 0 limits
the trapezoid to O(h^{d/2+1}) there (1e-9 relative at d = 6; negligible for d ≳ 32).

Limits: ``d → ∞`` at fixed α gives the REM forms of ``numerics.models.rem.model`` (liquid: (1/d) E ln Z
→ α - α_c(t) - r/(2Γ_t); condensed: Poisson–Dirichlet ``1 - m``; φ_C → step at ``t_C``); deep in the
liquid phase (``t → ∞``) the level law narrows (``std E ≈ s sqrt(d r)/Δ_t → 0``), all weights tend to
``1/n``: ``E Σ w² → 1/n`` and ``φ_C → 1/n`` (up to ``O(std E²)/n``).

References: Biroli, Mézard, J. Stat. Mech. (2023) 093402; Biroli, Bonnaire, de Bortoli, Mézard,
Nature Comm. 15, 9957 (2024); Derrida, Phys. Rev. B 24, 2613 (1981) (the REM).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "LevelLaw", "ncx2_logpdf", "level_law", "gaussian_level_law", "functionals", "chi2_nodes",
    "conditional", "law_moments", "phi_C_conditional", "free_entropy", "participation_ratio", "mean_energy", "phi_C",
    "n_points", "from_alpha", "TAIL", "H_MAX", "N_MAX", "STD_MIN", "LAMBDA_NODES",
]

TAIL = 40.0  # neglected probability mass e^{-TAIL} (relative to 1/n)
H_MAX = 0.2  # grid spacing in units of ln(weight)
N_MAX = 200_000  # largest energy grid; broader laws get a coarser lattice with cell-averaged kernels
STD_MIN = 1e-7  # narrower level laws are point masses
LAMBDA_NODES = 12  # Gauss nodes of the χ²_d law of λ
_CONV_DIRECT_MAX = 4_000_000  # direct (exact-summation) convolution below this many multiply-adds
_COARSE = 4096  # log-density evaluations of a broad law (spline to the fine grid, verified)


# ---------------------------------------------------------------------------------------------
# level laws on a grid
# ---------------------------------------------------------------------------------------------
def _log_ive(nu: float, x: np.ndarray) -> np.ndarray:
    """ln[I_ν(x) e^{-x}] for x ≥ 0, ν ≥ 0, without overflow or underflow at any x.

    SciPy's ``ive`` where it is finite and positive (it returns NaN from x ≈ 1e10 and underflows for
    x ≪ ν); there instead: for ν ≥ 30 Debye's expansion, uniform in x/ν (Abramowitz–Stegun 9.7.7, four
    terms: relative error ≲ u_5/ν^5 < 1e-10); for ν < 30 the power series
    ln Σ_k (x²/4)^k/(k! Γ(ν+k+1)) + ν ln(x/2) - x (x < ν + 1) or Hankel's expansion
    e^{x}/sqrt(2πx) Σ_k (-1)^k a_k(ν)/x^k (x ≥ 1e9 ≫ ν²)."""
    from scipy.special import gammaln, ive

    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(ive(nu, x))
    bad = ~np.isfinite(out)
    if not np.any(bad):
        return out
    xb = np.maximum(x[bad], 1e-300)
    res = np.empty(xb.shape)
    small = (xb < nu + 1.0) & (nu < 30)
    if np.any(small):
        xs = xb[small]
        k = np.arange(80)[:, None]
        terms = 2 * k * np.log(xs / 2)[None, :] - gammaln(k + 1) - gammaln(nu + k + 1)
        top = terms.max(axis=0)
        res[small] = nu * np.log(xs / 2) + top + np.log(np.exp(terms - top).sum(axis=0)) - xs
    big = ~small
    if np.any(big):
        xg = xb[big]
        if nu >= 30:
            z = xg / nu
            sq = np.sqrt(1 + z * z)
            p = 1 / sq
            eta_minus_z = 1 / (sq + z) + np.log(z / (1 + sq))  # η - z, no cancellation
            u1 = (3 * p - 5 * p**3) / 24
            u2 = (81 * p**2 - 462 * p**4 + 385 * p**6) / 1152
            u3 = (30375 * p**3 - 369603 * p**5 + 765765 * p**7 - 425425 * p**9) / 414720
            u4 = (4465125 * p**4 - 94121676 * p**6 + 349922430 * p**8 - 446185740 * p**10
                  + 185910725 * p**12) / 39813120
            corr = np.log1p(u1 / nu + u2 / nu**2 + u3 / nu**3 + u4 / nu**4)
            res[big] = nu * eta_minus_z - 0.5 * np.log(2 * np.pi * nu) - 0.5 * np.log(sq) + corr
        else:
            mu = 4 * nu * nu
            term = np.ones_like(xg)
            acc = np.ones_like(xg)
            for k in range(1, 12):
                term = term * -(mu - (2 * k - 1) ** 2) / (k * 8 * xg)
                acc = acc + term
            res[big] = -0.5 * np.log(2 * np.pi * xg) + np.log(acc)
    out[bad] = res
    return out


def ncx2_logpdf(v: np.ndarray, df: float, nc: float) -> np.ndarray:
    r"""ln density of the non-central χ² law with ``df`` degrees of freedom and non-centrality ``nc``.

    :math:`\ln f(v) = -\ln 2 - \tfrac12(\sqrt v - \sqrt{nc})^2 + (\tfrac{df}4 - \tfrac12)\ln(v/nc)
    + \ln[I_{df/2-1}(\sqrt{nc\,v})\,e^{-\sqrt{nc\,v}}]` — the exponent written as a square so that no
    cancellation occurs for ``nc`` ≫ 1; central form ``(df/2 - 1) ln v - v/2 - (df/2) ln 2 - ln Γ(df/2)``
    when ``nc = 0``.

    Parameters
    ----------
    v : array_like
        Points (> 0).
    df, nc : float
        Degrees of freedom (> 0) and non-centrality (≥ 0).

    Returns
    -------
    numpy.ndarray
        The log-density (−inf nowhere for ``v > 0``).
    """
    from scipy.special import gammaln

    v = np.asarray(v, dtype=float)
    if nc == 0.0:
        return (df / 2 - 1) * np.log(v) - v / 2 - (df / 2) * math.log(2.0) - gammaln(df / 2)
    sv, sl = np.sqrt(v), math.sqrt(nc)
    nu = abs(df / 2 - 1)  # I_{-ν} = I_ν for the integer orders of df = 1
    return -math.log(2.0) - 0.5 * (sv - sl) ** 2 + (df / 4 - 0.5) * np.log(v / nc) + _log_ive(nu, sl * sv)


@dataclass(frozen=True)
class LevelLaw:
    """Law of a level energy ``E = -ln u`` on a uniform grid ``E_j = origin + j h``.

    ``w``: quadrature weights (density × h, the trapezoid rule; ``mass`` = their sum before the
    normalisation to 1, a diagnostic of the grid: 1 to ~1e-14 when resolved)."""

    origin: float
    h: float
    w: np.ndarray
    mass: float

    @property
    def E(self) -> np.ndarray:
        return self.origin + self.h * np.arange(self.w.size)

    def quantile(self, p: float) -> float:
        """Smallest grid energy with cumulative weight ≥ p."""
        c = np.cumsum(self.w)
        return float(self.E[min(int(np.searchsorted(c, p)), self.w.size - 1)])


def _law_from_logpdf(logpdf, centre: float, std: float, n: int, lower: float | None, h_max: float,
                     tail: float, h: float | None = None) -> LevelLaw:
    """Grid a log-density (function of E) around ``centre``.

    Spacing h = std/4 for narrow laws (std < 4 h_max, off any lattice), else h_max on the lattice
    {j h_max} (grids of different laws then align with the v grid) — or, when that grid would exceed
    ``N_MAX`` points (very broad laws, t → 0), the coarser lattice h = range/N_MAX (cell-averaged kernels,
    see :func:`functionals`); ``h`` forces the spacing. Trimmed where the density is below
    e^{-(tail + ln n + 5)} of its peak (dropped mass ≲ e^{-tail - 5}/n), extended until both ends are below
    that cut. A law narrower than ``STD_MIN`` is a point mass at ``centre`` (neglected variance ≤ 1e-14)."""
    if std < STD_MIN:
        return LevelLaw(float(centre), 0.0, np.ones(1), 1.0)
    cut = tail + math.log(max(n, 1)) + 5.0
    k = math.sqrt(2 * cut) + 3.0
    if h is None:
        h = std / 4 if std < 4 * h_max else max(h_max, 2 * k * std / N_MAX)
    on_lattice = h >= h_max
    lo, hi = centre - k * std, centre + k * std
    if lower is not None:
        lo = max(lo, lower + 0.5 * h)

    def grid(a, b):
        if on_lattice:
            return h * np.arange(math.ceil(a / h), math.ceil(b / h) + 1)
        return np.arange(a, b + 0.5 * h, h)

    def logpdf_safe(E):
        lp = logpdf(E)
        return np.where(np.isfinite(lp), lp, -np.inf)

    for _ in range(40):  # bounds, on at most _COARSE + 1 points
        Ec = np.linspace(lo, hi, min(_COARSE + 1, max(2, int((hi - lo) / h) + 1)))
        lpc = logpdf_safe(Ec)
        top = float(np.max(lpc))
        grow_lo = lpc[0] > top - cut and (lower is None or Ec[0] - k * std > lower)
        grow_hi = lpc[-1] > top - cut
        if not (grow_lo or grow_hi):
            break
        if grow_lo:
            lo = lo - k * std if lower is None else max(lo - k * std, lower + 0.5 * h)
        if grow_hi:
            hi = hi + k * std
    E = grid(lo, hi)
    lp = None
    if E.size > 2 * _COARSE and np.all(np.isfinite(lpc)):
        # broad law: the log-density (smooth on the scale std ≫ coarse spacing ≈ std/150) by a cubic
        # spline through the coarse values, verified at 64 fine points (else exact evaluation)
        from scipy.interpolate import CubicSpline

        spline = CubicSpline(Ec, lpc)
        probe = E[np.linspace(0, E.size - 1, 64).astype(int)]
        if np.max(np.abs(spline(probe) - logpdf_safe(probe))) < 1e-10:
            lp = spline(E)
    if lp is None:
        lp = logpdf_safe(E)
    top = float(np.max(lp))
    keep = np.flatnonzero(lp > top - cut)
    E, lp = E[keep[0]: keep[-1] + 1], lp[keep[0]: keep[-1] + 1]
    w = np.exp(lp - top)
    mass = float(w.sum() * h * math.exp(top))
    return LevelLaw(float(E[0]), h, w / w.sum(), mass)


def level_law(scale: float, df: float, nc: float, n: int = 1, *, centre_shift: float | None = None,
              h_max: float = H_MAX, tail: float = TAIL, h: float | None = None) -> LevelLaw:
    r"""Law of ``E = scale · V``, ``V ~ χ'²_df(nc)``, on a grid (see :class:`LevelLaw`).

    ``centre_shift``: the value ``scale · nc`` computed without rounding (e.g. ``d r/(2Δ_t)`` for the
    ordinary levels, where ``scale → 0`` and ``nc → ∞`` at large t): ``V - nc = (E - scale·nc)/scale``
    keeps ``(√V - √nc)²`` exact. ``n`` sets the neglected tail, ``e^{-tail}/n``; ``h`` forces the spacing.
    """
    sd_v = math.sqrt(2 * (df + 2 * nc))
    std = scale * sd_v
    cs = scale * nc if centre_shift is None else centre_shift
    centre = cs + scale * df

    def logpdf(E):
        dv = (E - cs) / scale  # V - nc
        v = np.maximum(nc + dv, 1e-300)
        sv, sl = np.sqrt(v), math.sqrt(nc)
        if nc == 0.0:
            return ncx2_logpdf(v, df, 0.0) - math.log(scale)
        diff = dv / (sv + sl)  # √V - √nc without cancellation
        rel = dv / nc
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.where(rel > -0.5, np.log1p(np.maximum(rel, -0.5)), np.log(np.maximum(E, 1e-300) / scale / nc))
        return (-math.log(2.0) - 0.5 * diff**2 + (df / 4 - 0.5) * log_ratio
                + _log_ive(abs(df / 2 - 1), sl * sv) - math.log(scale))

    return _law_from_logpdf(logpdf, centre, std, n, 0.0, h_max, tail, h)


def gaussian_level_law(mean: float, std: float, n: int = 1, *, h_max: float = H_MAX, tail: float = TAIL) -> LevelLaw:
    """Law of a Gaussian level energy ``E ~ N(mean, std²)`` (Derrida's REM) on a grid."""
    norm = math.log(std * math.sqrt(2 * math.pi))
    return _law_from_logpdf(lambda E: -0.5 * ((E - mean) / std) ** 2 - norm, mean, std, n, None, h_max, tail)


# ---------------------------------------------------------------------------------------------
# Laplace functionals
# ---------------------------------------------------------------------------------------------
def _kernels(x: np.ndarray, which: tuple[str, ...], h: float = 0.0) -> dict:
    """Kernels of x = v - E = ln(q u): k0 = 1 - e^{-qu}, k1 = qu e^{-qu}, k2 = (qu)² e^{-qu}.

    ``h > 0``: their averages over the cell [x - h/2, x + h/2] instead, from the antiderivatives
    ∫k0 = x + E1(e^x), ∫k1 = -e^{-e^x}, ∫k2 = -(1 + e^x) e^{-e^x}, each written without cancellation
    (series below x = 0): the exact integrals of a density taken constant on each cell, used on coarse
    lattices (h > H_MAX), where the kernels (width O(1)) are not resolved by point values."""
    if h > 0.0:
        return _cell_kernels(np.asarray(x, dtype=float), which, h)
    x = np.clip(x, -745.0, 50.0)
    ex = np.exp(x)
    out = {}
    if "k0" in which:
        out["k0"] = -np.expm1(-ex)
    if "k1" in which:
        out["k1"] = np.exp(x - ex)
    if "k2" in which:
        out["k2"] = np.exp(2 * x - ex)
    return out


def _int_k0(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """∫_a^b (1 - exp(-e^x)) dx, a < b: series Σ_k (-1)^{k+1} (e^{kb} - e^{ka})/(k k!) on x < 0,
    (b - a) + E1(e^b) - E1(e^a) on x > 0 (d/dx E1(e^x) = -e^{-e^x})."""
    from scipy.special import exp1

    out = np.zeros(np.broadcast(a, b).shape)
    a, b = np.broadcast_arrays(a, b)
    an, bn = np.minimum(a, 0.0), np.minimum(b, 0.0)  # negative part [a, min(b, 0)]
    fac = 1.0
    for k in range(1, 30):
        fac *= k
        out += (-1.0) ** (k + 1) * np.exp(k * np.maximum(bn, -745.0 / k)) * -np.expm1(k * (an - bn)) / (k * fac)
    ap, bp = np.maximum(a, 0.0), np.maximum(b, 0.0)  # positive part [max(a, 0), b]
    with np.errstate(over="ignore"):
        out += (bp - ap) + exp1(np.exp(np.minimum(bp, 700.0))) - exp1(np.exp(np.minimum(ap, 700.0)))
    return out


def _one_minus_g2(y: np.ndarray) -> np.ndarray:
    """1 - (1 + y) e^{-y} ≥ 0: series Σ_{k≥2} (-1)^k (k - 1) y^k/k! below y = 0.5."""
    y = np.asarray(y, dtype=float)
    small = y < 0.5
    ys = np.where(small, y, 0.0)
    ser = np.zeros_like(y)
    fac = 1.0
    for k in range(2, 22):
        fac *= k
        ser += (-1.0) ** k * (k - 1) * ys**k / fac
    return np.where(small, ser, 1.0 - (1.0 + y) * np.exp(-np.minimum(y, 745.0)))


def _cell_kernels(x: np.ndarray, which: tuple[str, ...], h: float) -> dict:
    """Cell averages of the kernels (see :func:`_kernels`). Outside the window where a cell meets
    |x| < 44: k0, k1 → e^x sinh(h/2)/(h/2), k2 → e^{2x} sinh(h)/h below (next terms ≤ e^{-88} relative),
    k0 = 1, k1 = k2 = 0 above (corrections ≤ exp(-e^{44}))."""
    x = np.asarray(x, dtype=float)
    a, b = x - h / 2, x + h / 2
    low, high = b < -44.0, a > 44.0
    mid = ~(low | high)
    xl = np.maximum(x[low], -745.0)
    out = {}
    for k in which:
        v = np.empty(x.shape)
        if k == "k2":
            v[low] = np.exp(np.maximum(2 * xl, -745.0)) * (math.sinh(h) / h)
        else:
            v[low] = np.exp(xl) * (math.sinh(h / 2) / (h / 2))
        v[high] = 1.0 if k == "k0" else 0.0
        out[k] = v
    if np.any(mid):
        am, bm = a[mid], b[mid]
        if "k0" in which:
            out["k0"][mid] = _int_k0(am, bm) / h
        ea, eb = np.exp(am), np.exp(bm)
        if "k1" in which:  # e^{-e^a} - e^{-e^b}, as a difference of expm1 below 0
            out["k1"][mid] = np.where(bm < 0, -np.expm1(-eb) + np.expm1(-ea), np.exp(-ea) - np.exp(-eb)) / h
        if "k2" in which:
            out["k2"][mid] = (_one_minus_g2(eb) - _one_minus_g2(ea)) / h
    return out


def _convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full linear convolution: exact summation (np.convolve) for small sizes, real FFT otherwise (absolute
    error ~1e-16 Σ|a| max|b|; the functionals are O(1), needed to ~1e-12 absolute)."""
    if a.size * b.size <= _CONV_DIRECT_MAX:
        return np.convolve(a, b)
    m = a.size + b.size - 1
    nfft = 1 << (m - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(a, nfft) * np.fft.rfft(b, nfft), nfft)[:m]


def functionals(law: LevelLaw, v0: float, hv: float, nv: int, *, energy: bool = False, h_max: float = H_MAX) -> dict:
    r"""Laplace functionals of a level law on the grid ``v_i = v0 + i hv`` (``q = e^{v}``):

    ``T0 = E[1 - e^{-qu}]``, ``T2 = E[(qu)² e^{-qu}]`` and, with ``energy``, ``T1E = E[E qu e^{-qu}]``.
    When the law's grid lies on the lattice of ``hv`` they are discrete convolutions of the weights
    with the kernels sampled once per lattice offset (exact summation, FFT for very large grids);
    otherwise a direct (v × E) sum (narrow laws: few energy nodes). On a coarse lattice (hv > h_max)
    the kernels are averaged over the cells (:func:`_kernels`): exact for a density constant on each
    energy cell (aligned), or the v-cell average of a narrow law's functionals (direct)."""
    which = ("k0", "k2") + (("k1",) if energy else ())
    cell = _cell(hv, h_max)
    E = law.E
    off = (v0 - law.origin) / hv
    aligned = abs(law.h - hv) < 1e-15 * hv and abs(off - round(off)) < 1e-6
    out = {}
    if aligned:
        ne = law.w.size
        off = int(round(off))
        m = np.arange(-(ne - 1), nv)  # i - j
        ker = _kernels((off + m) * hv, which, cell)
        sl = slice(ne - 1, ne - 1 + nv)
        out["T0"] = np.clip(_convolve(law.w, ker["k0"])[sl], 0.0, 1.0)
        out["T2"] = np.maximum(_convolve(law.w, ker["k2"])[sl], 0.0)
        if energy:
            out["T1E"] = _convolve(law.w * E, ker["k1"])[sl]
        return out
    v = v0 + hv * np.arange(nv)
    t0, t2, t1 = np.zeros(nv), np.zeros(nv), np.zeros(nv)
    step = max(1, 2_000_000 // max(E.size, 1))
    for i in range(0, nv, step):
        ker = _kernels(v[i: i + step, None] - E[None, :], which, cell)
        t0[i: i + step] = ker["k0"] @ law.w
        t2[i: i + step] = ker["k2"] @ law.w
        if energy:
            t1[i: i + step] = ker["k1"] @ (law.w * E)
    out["T0"], out["T2"] = np.clip(t0, 0.0, 1.0), t2
    if energy:
        out["T1E"] = t1
    return out


def _truncate(law: LevelLaw, e_max: float) -> LevelLaw:
    """The law restricted to E ≤ e_max, weights NOT renormalised: levels above e_max contribute
    n E[min(1, e^{v - E})] ≤ n e^{v - e_max} to every functional at v, negligible for e_max ≥ v_max + ln n + 40."""
    if law.h == 0.0 or law.E[-1] <= e_max:
        return law
    m = max(int(math.floor((e_max - law.origin) / law.h)) + 1, 1)
    return LevelLaw(law.origin, law.h, law.w[:m], law.mass)


def _cell(hv: float, h_max: float = H_MAX) -> float:
    """Cell width for cell-averaged kernels: hv on coarse lattices (hv > h_max), 0 (point values) otherwise."""
    return hv if hv > h_max * (1 + 1e-9) else 0.0


def _v_grid(law: LevelLaw, n: int, planted: LevelLaw | None, hv: float = H_MAX, tail: float = TAIL):
    """(v0, nv): the v grid on the lattice of hv covering every non-negligible part of the integrands.

    Lower end: n T0 ≤ n e^{v - E_min} ≤ e^{-tail} at v ≤ E_min - ln n - tail (planted: T2^p ≤ e^{2(v-E_p)}
    at v ≤ E_p,min - tail/2). Upper end: with E_q the energy below which the expected number of levels is
    50, T0 ≥ (50/n)(1 - exp(-e^{10})) at v ≥ E_q + 10, so L^{n-2} ≤ e^{-49} (n ≥ 100); for fewer levels
    every level has qu ≥ e^{10} at v ≥ E_max + 10. The planted kernels vanish above E_p,max + 4."""
    lo = law.E[0] - math.log(max(n, 1)) - tail
    if n >= 100:
        hi = law.quantile(50.0 / n) + 10.0
    else:
        hi = law.E[-1] + 10.0
    if planted is not None:
        lo = min(lo, planted.E[0] - tail / 2)
        if n < 100:
            hi = max(hi, planted.E[-1] + 10.0)
    hi = max(hi, lo + tail + 10.0)
    j0, j1 = math.floor(lo / hv), math.ceil(hi / hv)
    return j0 * hv, j1 - j0 + 1


# ---------------------------------------------------------------------------------------------
# conditional quantities (given λ = |x|²/s²)
# ---------------------------------------------------------------------------------------------
def _times(t: float, sigma: float) -> tuple[float, float, float]:
    """(s², Δ_t, Γ_t) with s² = σ² e^{-2t}."""
    s2 = sigma * sigma * math.exp(-2.0 * t)
    D = -math.expm1(-2.0 * t)
    return s2, D, D + s2


def _ordinary_law(n: int, d: int, t: float, sigma: float, r: float, h_max: float = H_MAX,
                  h: float | None = None) -> LevelLaw:
    """E = |x - c a|²/(2Δ_t) = (s²/2Δ_t) χ'²_d(d r/s²), centre_shift = d r/(2Δ_t)."""
    s2, D, _ = _times(t, sigma)
    return level_law(s2 / (2 * D), float(d), d * r / s2, n, centre_shift=d * r / (2 * D), h_max=h_max, h=h)


def _planted_law(n: int, d: int, t: float, sigma: float, r: float, h_max: float = H_MAX,
                 h: float | None = None) -> LevelLaw:
    """E_p = |z|²/2 = (s²/2Γ_t) χ'²_d(Δ_t d r/(Γ_t s²)), centre_shift = Δ_t d r/(2Γ_t²). With ``h`` (a
    coarse lattice) the law is put on that lattice only if it is broad enough (std ≥ 4h); narrower ones
    keep their own fine grid (direct sums with v-cell-averaged kernels)."""
    s2, D, G = _times(t, sigma)
    scale, nc = s2 / (2 * G), D * d * r / (G * s2)
    if h is not None and scale * math.sqrt(2 * (d + 2 * nc)) < 4 * h:
        h = None
    return level_law(scale, float(d), nc, n, centre_shift=D * d * r / (2 * G * G), h_max=h_max, h=h)


def _log_pow(T0: np.ndarray, k: int) -> np.ndarray:
    """ln (1 - T0)^k = k log1p(-T0) (-inf where T0 = 1 and k > 0; 0 for k = 0)."""
    if k == 0:
        return np.zeros_like(T0)
    with np.errstate(divide="ignore"):
        return k * np.log1p(-T0)


def conditional(n: int, d: int, t: float, sigma: float, r: float, *, h_max: float = H_MAX) -> dict:
    r"""Exact ``E[· | |x|²/d = r]`` for a point x independent of the ``n`` training points (x ~ P_t):

    - ``log_Z``: ``E ln Z = -v_0 + ∫ dv [exp(-e^{v-v_0}) - L^n]`` (Frullani);
    - ``participation``: ``E Σ_μ w_μ² = ∫ dv n T_2 L^{n-1}`` (from ``1/Z² = ∫ q e^{-qZ} dq``);
    - ``energy``: Gibbs mean ``E Σ_μ w_μ E_μ = ∫ dv n T_{1E} L^{n-1}`` (E_μ = |x - c a_μ|²/(2Δ_t)).

    Parameters
    ----------
    n, d : int
        Number of training points (≥ 1) and dimension (≥ 2).
    t, sigma, r : float
        Time, data standard deviation, |x|²/d (all > 0).

    Returns
    -------
    dict
        ``log_Z``, ``participation``, ``energy`` (floats).
    """
    return dict(zip(("log_Z", "participation", "energy"), _conditional(int(n), int(d), float(t), float(sigma), float(r),
                                                                       float(h_max))))


@lru_cache(maxsize=8192)
def _conditional(n: int, d: int, t: float, sigma: float, r: float, h_max: float) -> tuple[float, float, float]:
    return law_moments(_ordinary_law(n, d, t, sigma, r, h_max), n, h_max)


def law_moments(law: LevelLaw, n: int, h_max: float = H_MAX) -> tuple[float, float, float]:
    r"""``(E ln Z, E Σ_μ w_μ², E Σ_μ w_μ E_μ)`` for ``n`` i.i.d. levels of energy law ``law``
    (``Z = Σ_μ e^{-E_μ}``, ``w_μ = e^{-E_μ}/Z``): the Laplace-transform integrals of :func:`conditional`
    on the v grid of :func:`_v_grid`. Any level law: the REM of THEORY §3, Derrida's Gaussian REM."""
    hv = max(h_max, law.h)
    v0, nv = _v_grid(law, n, None, hv)
    f = functionals(_truncate(law, v0 + hv * nv + math.log(max(n, 1)) + TAIL), v0, hv, nv, energy=True, h_max=h_max)
    v = v0 + hv * np.arange(nv)
    ref = v0 + TAIL + 2.0  # Frullani shift: exp(-e^{v - ref}) is 1 at the lower end, 0 at the upper end
    frullani = (1.0 - _kernels(v - ref, ("k0",), _cell(hv, h_max))["k0"]) - np.exp(_log_pow(f["T0"], n))
    log_z = -ref + hv * float(frullani.sum())
    pw = np.exp(_log_pow(f["T0"], n - 1))
    pr = hv * float(np.sum(n * f["T2"] * pw))
    en = hv * float(np.sum(n * f["T1E"] * pw))
    return log_z, min(max(pr, 0.0), 1.0), en


def phi_C_conditional(n: int, d: int, t: float, sigma: float, r: float, *, h_max: float = H_MAX) -> float:
    r"""Exact ``E[Σ_μ w_μ² | |x|²/d = r]`` for ``x ~ P^e_t`` (a point planted on its own training point):

    ``∫ dv [T_2^p L^{n-1} + (1 - T_0^p)(n - 1) T_2 L^{n-2}]`` (see the module docstring), ``T^p`` the
    functionals of the planted level ``E_p = |z|²/2`` given x. Parameters as :func:`conditional`."""
    return _phi_c_conditional(int(n), int(d), float(t), float(sigma), float(r), float(h_max))


@lru_cache(maxsize=8192)
def _phi_c_conditional(n: int, d: int, t: float, sigma: float, r: float, h_max: float) -> float:
    law = _ordinary_law(n, d, t, sigma, r, h_max)
    hv = max(h_max, law.h)
    pl = _planted_law(n, d, t, sigma, r, h_max, hv if hv > h_max else None)
    if pl.h > hv * (1 + 1e-12):  # a planted law broader than the ordinary one: regrid both on its lattice
        hv = pl.h
        law = _ordinary_law(n, d, t, sigma, r, h_max, hv)
    v0, nv = _v_grid(law, n, pl, hv)
    f = functionals(_truncate(law, v0 + hv * nv + math.log(max(n, 1)) + TAIL), v0, hv, nv, h_max=h_max)
    fp = functionals(pl, v0, hv, nv, h_max=h_max)
    val = fp["T2"] * np.exp(_log_pow(f["T0"], n - 1))
    if n > 1:
        val = val + (1.0 - fp["T0"]) * (n - 1) * f["T2"] * np.exp(_log_pow(f["T0"], n - 2))
    return float(min(max(hv * val.sum(), 0.0), 1.0))


# ---------------------------------------------------------------------------------------------
# averages over x
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def chi2_nodes(d: int, k: int = LAMBDA_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Gauss nodes and weights (sum 1) of the χ²_d law: Golub–Welsch on the Jacobi matrix of the
    generalised Laguerre weight y^{d/2-1} e^{-y} (χ² = 2y); exact for polynomials of degree < 2k."""
    a = d / 2 - 1
    j = np.arange(k)
    diag = 2 * j + a + 1
    off = np.sqrt(j[1:] * (j[1:] + a))
    J = np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)
    y, vec = np.linalg.eigh(J)
    w = vec[0] ** 2
    return 2 * y, w / w.sum()


def _check(n, d, t, sigma, r=None) -> tuple[int, int, float, float]:
    from numerics import validate

    n = validate.positive_int("n", n)
    d = validate.positive_int("d", d)
    if d < 2:
        raise ValueError(f"d must be >= 2, got {d!r}")
    t = validate.positive("t", t)
    sigma = validate.positive("sigma", sigma)
    if r is not None:
        for rv in np.atleast_1d(np.asarray(r, dtype=float)).ravel():
            validate.positive("r", rv)
    return n, d, t, sigma


def _average(fn, n: int, d: int, t: float, sigma: float, nodes: int) -> float:
    """E over x ~ N(0, Γ_t I) of fn(r), r = |x|²/d = Γ_t χ²_d/d (Gauss nodes)."""
    _, _, G = _times(t, sigma)
    chi, w = chi2_nodes(d, nodes)
    return float(sum(wi * fn(G * c / d) for c, wi in zip(chi, w)))


def _over_r(fn, r):
    r_arr = np.asarray(r, dtype=float)
    out = np.array([fn(float(rv)) for rv in r_arr.ravel()])
    return out.reshape(r_arr.shape) if r_arr.ndim else float(out[0])


def free_entropy(n: int, d: int, t: float, sigma: float, r=None, *, nodes: int = LAMBDA_NODES):
    r"""Exact ``(1/d) E ln Z(x)``, ``Z = Σ_{μ≤n} exp(-|x - e^{-t} a_μ|²/(2Δ_t))``, ``a_μ ~ N(0, σ² I_d)``.

    ``E ln Z = -v_0 + ∫ dv [exp(-e^{v-v_0}) - L(v)^n]`` given ``|x|²/d = r`` (:func:`conditional`);
    ``r=None``: averaged over ``x ~ P_t`` (``r = Γ_t χ²_d/d``). Leading order in d: the REM free entropy
    (liquid ``α - ½ ln(Γ_t/Δ_t) - r/(2Γ_t)``, α = ln n/d). THEORY §3; Derrida (1981).

    Parameters
    ----------
    n, d : int
        Training points and dimension.
    t, sigma : float
        Time and data standard deviation.
    r : float or array_like, optional
        |x|²/d (conditional values, one per entry), or None (average over x ~ P_t).

    Returns
    -------
    float or numpy.ndarray
    """
    n, d, t, sigma = _check(n, d, t, sigma, r)
    fn = lambda rv: conditional(n, d, t, sigma, rv)["log_Z"] / d  # noqa: E731
    return _average(fn, n, d, t, sigma, nodes) if r is None else _over_r(fn, r)


def participation_ratio(n: int, d: int, t: float, sigma: float, r=None, *, nodes: int = LAMBDA_NODES):
    r"""Exact ``E Σ_μ w_μ(x)²`` at a point x independent of the training set (x ~ P_t):
    ``∫ dv n T_2 L^{n-1}`` given ``r`` (:func:`conditional`); ``r=None``: averaged over x ~ P_t.
    Leading order: ``1 - m`` (Poisson–Dirichlet, condensed), ``→ 1/n`` deep in the liquid phase.
    Parameters as :func:`free_entropy`."""
    n, d, t, sigma = _check(n, d, t, sigma, r)
    fn = lambda rv: conditional(n, d, t, sigma, rv)["participation"]  # noqa: E731
    return _average(fn, n, d, t, sigma, nodes) if r is None else _over_r(fn, r)


def mean_energy(n: int, d: int, t: float, sigma: float, r=None, *, nodes: int = LAMBDA_NODES):
    r"""Exact Gibbs mean level energy ``E Σ_μ w_μ y_μ``, ``y_μ = |x - e^{-t}a_μ|²/d = 2Δ_t E_μ/d``,
    at x ~ P_t (given ``r``, or averaged when ``r=None``). Leading order: ``y* = Λ'(-1/(2Δ_t))``
    (liquid), the lowest level ``y_0`` (condensed). Parameters as :func:`free_entropy`."""
    n, d, t, sigma = _check(n, d, t, sigma, r)
    _, D, _ = _times(t, sigma)
    fn = lambda rv: conditional(n, d, t, sigma, rv)["energy"] * 2 * D / d  # noqa: E731
    return _average(fn, n, d, t, sigma, nodes) if r is None else _over_r(fn, r)


def phi_C(n: int, d: int, t: float, sigma: float, r=None, *, nodes: int = LAMBDA_NODES):
    r"""Exact collapse cloning probability ``φ_C(t) = E_{x~P^e_t} Σ_μ w_μ(x)²`` at finite (d, n)
    (the probability that two clones of the empirical-score dynamics branched at t end on the same
    training point): :func:`phi_C_conditional` averaged over ``r = Γ_t χ²_d/d`` (or given ``r``).
    Leading order in d: 1 for t < t_C, 0 for t > t_C (THEORY §3; Biroli, Bonnaire, de Bortoli, Mézard
    2024); deep in the liquid phase → 1/n. Parameters as :func:`free_entropy`."""
    n, d, t, sigma = _check(n, d, t, sigma, r)
    fn = lambda rv: phi_C_conditional(n, d, t, sigma, rv)  # noqa: E731
    return _average(fn, n, d, t, sigma, nodes) if r is None else _over_r(fn, r)


def n_points(alpha: float, d: int) -> int:
    """n = round(e^{αd}) (at least 1): the training-set size of α = ln n/d used by the Monte Carlo."""
    return max(1, int(round(math.exp(alpha * d))))


_KINDS = {"free_entropy": free_entropy, "participation_ratio": participation_ratio, "mean_energy": mean_energy,
          "phi_C": phi_C}


def from_alpha(kind: str, alpha, t, sigma, r, d):
    r"""The exact finite-(d, n) quantity ``kind`` at ``n = round(e^{αd})`` (α = ln n/d as in THEORY §0),
    broadcast over array arguments: the ``d=`` path of :mod:`numerics.models.rem.model`.

    Parameters
    ----------
    kind : {"free_entropy", "participation_ratio", "mean_energy", "phi_C"}
        :func:`free_entropy`, :func:`participation_ratio`, :func:`mean_energy` (x ~ P_t) or :func:`phi_C`
        (x ~ P^e_t).
    alpha, t, sigma : array_like
        α > 0, t > 0, σ > 0.
    r : array_like or None
        |x|²/d (conditional value) or None (average over x).
    d : int
        Dimension (an integer ≥ 2).

    Returns
    -------
    float or numpy.ndarray
    """
    from numerics import validate

    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {sorted(_KINDS)}, got {kind!r}")
    dv = validate.as_float("d", d)
    if dv != round(dv) or dv < 2:
        raise ValueError(f"d must be an integer >= 2, got {d!r}")
    d = int(round(dv))
    fn = _KINDS[kind]
    args = [np.asarray(v, dtype=float) for v in (alpha, t, sigma)] + ([] if r is None else [np.asarray(r, dtype=float)])
    b = np.broadcast_arrays(*args)
    out = np.empty(b[0].shape)
    for idx in np.ndindex(out.shape):
        a, tt, ss = (float(v[idx]) for v in b[:3])
        validate.positive("alpha", a)
        out[idx] = fn(n_points(a, d), d, tt, ss, None if r is None else float(b[3][idx]))
    return float(out) if out.ndim == 0 else out
