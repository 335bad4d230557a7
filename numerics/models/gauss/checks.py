"""Verification checks of Gaussian data (THEORY §1). Theory values are read through
:func:`numerics.results.theory` (mutable by ``regimes verify --mutate``).

- ``gauss.generation``: exact-score backward generation regenerates the eigenvalues of C. Theory: the
  variance of P_{t_min} (``gauss.var_t``) plus the exponential integrator's exact discretisation shift,
  computed by the linear variance recursion on the same grid (a derived correction, not an allowance).
- ``gauss.kl_law``: E KL(N(0,C) ‖ N(0,Ĉ)) over sample covariances (known mean) vs the exact Wishart form
  (``gauss.kl_expected``), and at n ≫ d vs its large-n form d(d+1)/(4n) (``gauss.kl_large_n``; the exact
  form differs from it by 0.26 % at n = 4000, d = 5, below the stderr).
- ``gauss.marchenko_pastur``: the spectral moments (1/d) tr Ĉ^k, k = 1, 2, 3, of sample covariances vs the
  moments ∫ x^k ρ_MP(x) dx of the Marchenko–Pastur density between its edges (``gauss.mp_density``,
  ``gauss.mp_edge_minus``, ``gauss.mp_edge_plus``, integrated numerically), plus the exact finite-n
  Wishart corrections: E (1/d) tr Ĉ² = 1 + γ + 1/n, E (1/d) tr Ĉ³ = 1 + 3γ + γ² + 3(1 + γ)/n + 4/n²
  (E tr W^k of W ~ Wishart_d(I, n)); the k = 1 moment is exactly 1. The edges are tested by the extreme
  eigenvalues: E λ_max and E λ_min of Ĉ against ``gauss.mp_edge_plus``/``gauss.mp_edge_minus`` plus the
  derived finite-(d, n) Tracy–Widom offset (:func:`tw_edge_offset`: Johnstone 2001 with the centring and
  scaling of Ma 2012, accurate to O(d^{-2/3}) of the TW scale: 0.02 TW units at d = 200, 0.1 stderr of the
  quick check; tests/models/test_gauss.py ties it to 300 independent matrices).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from numerics.engine import sde
from numerics.models.gauss import model as g
from numerics.results import theory
from numerics.verify import Measurement, check

UNCHECKED = {
    "gauss.score_coef": "the exact score used by the simulation itself (mutation never reaches the simulation); "
                        "a wrong score shows in gauss.generation's regenerated eigenvalues",
    "gauss.Delta": "the OU noise variance Δ_t = 1 - e^{-2t}: a definition of the forward process (enters gauss.var_t)",
}


def discrete_variance(lam: float, grid: np.ndarray) -> float:
    """Exact variance after the exponential integrator on ``grid`` (linear recursion):
    v' = (e^h + 2(e^h - 1) s_k)² v + (e^{2h} - 1), s_k = -1/(e^{-2t_k} λ + Δ_{t_k}), v_0 = 1."""
    v = 1.0
    for t, tn in zip(grid[:-1], grid[1:]):
        h = t - tn
        s = -1.0 / (math.exp(-2 * t) * lam + -math.expm1(-2 * t))
        a = math.exp(h) + 2 * math.expm1(h) * s
        v = a * a * v + math.expm1(2 * h)
    return v


@check("gauss.generation", tests=("gauss.var_t",),
       description="exact-score backward generation regenerates the eigenvalues of C (exact discretisation shift)")
def generation(rng: np.random.Generator, full: bool):
    lams = np.array([0.2, 1.0, 5.0])
    model = g.GaussianModel(lams)
    size = 500000 if full else 80000
    T, t_min, steps = 10.0, 1e-3, 1000
    y = model.generate(size, rng, T=T, t_min=t_min, steps=steps)
    grid = sde.time_grid(T, t_min, steps)
    exact = g.G.var_t(t_min, lams)  # the simulation's own P_{t_min} variance, for the derived shift
    out = []
    for i, lam in enumerate(lams):
        var = float(y[:, i].var(ddof=1))
        shift = discrete_variance(lam, grid) - float(exact[i])
        theory_v = float(model.var_t(t_min)[i]) + shift
        se = var * math.sqrt(2.0 / (size - 1))
        out.append(Measurement(theory_v, var, se, {"lambda": lam, "samples": size, "steps": steps, "T": T, "t_min": t_min,
                                                   "discretisation_shift": shift}, label=f"lambda={lam:g}"))
    return out


def _kl_samples(rng, n: int, d: int, reps: int) -> np.ndarray:
    lams = np.geomspace(0.3, 3.0, d)
    c = np.diag(lams)
    out = np.empty(reps)
    for r in range(reps):
        out[r] = g.kl_gaussians(c, g.sample_covariance(rng.standard_normal((n, d)) * np.sqrt(lams)))
    return out


@check("gauss.kl_law", tests=("gauss.kl_expected", "gauss.kl_large_n"),
       description="E KL(N(0,C)||N(0,Ĉ)) over sample covariances vs the exact Wishart form, and vs d(d+1)/(4n) at n ≫ d")
def kl_law(rng: np.random.Generator, full: bool):
    out = []
    for n, d in ((40, 5), (200, 20)):
        kls = _kl_samples(rng, n, d, 4000 if full else 600)
        out.append(Measurement(g.expected_kl(n, d), float(kls.mean()), float(kls.std(ddof=1) / math.sqrt(kls.size)),
                               {"n": n, "d": d, "reps": kls.size}, label=f"n={n},d={d}"))
    n, d = 4000, 5
    kls = _kl_samples(rng, n, d, 8000 if full else 2000)
    out.append(Measurement(g.expected_kl_large_n(n, d), float(kls.mean()), float(kls.std(ddof=1) / math.sqrt(kls.size)),
                           {"n": n, "d": d, "reps": kls.size, "exact": g.expected_kl(n, d)}, label=f"large n: n={n},d={d}"))
    return out


def mp_moment(k: int, gamma: float) -> float:
    """∫ x^k ρ_MP(x; γ) dx between the edges (theory side: ``gauss.mp_density``, ``gauss.mp_edge_*``)."""
    lo, hi = float(theory("gauss.mp_edge_minus")(gamma)), float(theory("gauss.mp_edge_plus")(gamma))
    dens = theory("gauss.mp_density")
    with np.errstate(invalid="ignore"):
        val, _ = integrate.quad(lambda x: x**k * float(dens(x, gamma)), lo, hi, limit=200, epsabs=1e-13, epsrel=1e-12)
    return val


#: Mean of the Tracy–Widom law TW₁ (β = 1), e.g. Bornemann, Markov Process. Relat. Fields 16 (2010).
TW1_MEAN = -1.2065335745820


def tw_edge_offset(edge: str, d: int, n: int) -> float:
    """Finite-(d, n) offset of E λ_max (``edge="plus"``) or E λ_min (``"minus"``) of Ĉ = XᵀX/n, X an n × d
    standard Gaussian matrix (d < n), from its Marchenko–Pastur edge (1 ± √γ)², γ = d/n:

    (λ_max − μ₊/n)/(σ₊/n) → TW₁,  μ₊ = (√n' + √d')²,  σ₊ = (√n' + √d')(1/√n' + 1/√d')^{1/3},
    (μ₋/n − λ_min)/(σ₋/n) → TW₁,  μ₋ = (√n' − √d')²,  σ₋ = (√n' − √d')(1/√d' − 1/√n')^{1/3},

    n' = n − ½, d' = d − ½ (Johnstone, Ann. Statist. 29 (2001) 295; Ma, Bernoulli 18 (2012) 322: this
    centring makes the error O(d^{-2/3}) in TW units). Returns E λ − (1 ± √γ)²."""
    a, b = math.sqrt(n - 0.5), math.sqrt(d - 0.5)
    gamma = d / n
    if edge == "plus":
        mu, sigma = (a + b) ** 2, (a + b) * (1 / a + 1 / b) ** (1 / 3)
        return (mu + sigma * TW1_MEAN) / n - (1 + math.sqrt(gamma)) ** 2
    mu, sigma = (a - b) ** 2, (a - b) * (1 / b - 1 / a) ** (1 / 3)
    return (mu - sigma * TW1_MEAN) / n - (1 - math.sqrt(gamma)) ** 2


WISHART_CORRECTION = {1: lambda g, n: 0.0, 2: lambda g, n: 1.0 / n, 3: lambda g, n: 3.0 * (1 + g) / n + 4.0 / n**2}


@check("gauss.marchenko_pastur", tests=("gauss.mp_density", "gauss.mp_edge_plus", "gauss.mp_edge_minus"),
       description="spectral moments (1/d) tr Ĉ^k (k = 1..3) vs ∫ x^k ρ_MP + exact finite-n Wishart corrections; "
                   "E λ_max, E λ_min vs the MP edges + derived Tracy–Widom offset")
def marchenko_pastur(rng: np.random.Generator, full: bool):
    gamma, d = 0.25, 200
    n = int(d / gamma)
    reps = 200 if full else 40
    moments = np.empty((reps, 3))
    extremes = np.empty((reps, 2))
    for r in range(reps):
        ev = np.linalg.eigvalsh(g.sample_covariance(rng.standard_normal((n, d))))
        moments[r] = [np.mean(ev**k) for k in (1, 2, 3)]
        extremes[r] = ev[-1], ev[0]
    out = []
    for j, edge in enumerate(("plus", "minus")):
        offset = tw_edge_offset(edge, d, n)
        th = float(theory(f"gauss.mp_edge_{edge}")(gamma)) + offset
        out.append(Measurement(th, float(extremes[:, j].mean()), float(extremes[:, j].std(ddof=1) / math.sqrt(reps)),
                               {"gamma": gamma, "d": d, "n": n, "reps": reps, "tracy_widom_offset": offset},
                               label=f"lambda_{'max' if edge == 'plus' else 'min'}"))
    for j, k in enumerate((1, 2, 3)):
        th = mp_moment(k, gamma) + WISHART_CORRECTION[k](gamma, n)
        out.append(Measurement(th, float(moments[:, j].mean()), float(moments[:, j].std(ddof=1) / math.sqrt(reps)),
                               {"gamma": gamma, "d": d, "n": n, "reps": reps, "k": k,
                                "wishart_correction": WISHART_CORRECTION[k](gamma, n)}, label=f"k={k}"))
    return out
