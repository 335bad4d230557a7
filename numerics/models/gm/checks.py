"""Verification checks of the two-class Gaussian mixture (THEORY §2).

Every check reads its theory through :func:`numerics.results.theory` (mutable by
``regimes verify --mutate``) and names the results it tests; the sizes are chosen so that a few-percent
error in any of them fails (``regimes verify --power`` measures the detection limits).

- ``gm.t_S``: the speciation *time*, measured. Cloning at a fine grid of branch times in one pass (exact
  1-D fast path), the time t_× where the simulated φ crosses its large-d value at t_S,
  L = φ_∞(κ = 1/(4p₊p₋), p₊) (0.7752 for p₊ = ½), bootstrap error over pairs. Theory:
  t_× = t_S + [t_κ − ½ ln Λ] + b, where t_κ solves κ(t) = 1/(4p₊p₋) (derived finite-d offset: exactly
  t_κ = ½ ln(Λ + 1 − 2σ²), O(1/d) from t_S) and b the straight-line estimator's bias on the exact theory
  curve φ(κ(t)) on the same grid (derived, ≈ 1e-3). Integrator bias: measured ≈ −3.2/steps in t at
  d = 256 (−0.011 at 300 steps, −0.006 at 600, −0.0005 at 1200): 1200 steps keep it below 0.3 stderr.
- ``gm.phi.*``: φ(t) at times relative to t_S against φ(κ(t)) (fast path at three d; full d).
- ``gm.t_C``: the collapse law, measured. f^e(t) (Monte Carlo over 8 independent training sets) crosses
  the level cα at t_C(n^{1−c}) — f_lead(t) = cα ⇔ ½ ln(Γ_t/Δ_t) = (1 − c)α, the collapse time of n^{1−c}
  points (derived) — plus the derived −δ(κ(t))/d finite-d shift of the mixture and the estimator's bias on
  the theory curve. c = 0.7: the REM rounding of f^e near collapse decays like e^{−d f} and d·cα = c ln n ≥ 5
  there (measured: no shift at c = 0.7, a shift of 7 stderr at c = 0.4, d = 512, n = 3000).
- ``gm.excess_entropy``: f^e(t) against the finite-d f(t) deep in the liquid phase.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from numerics.engine.cloning import clone_phi
from numerics.engine.crossing import bootstrap_crossing, linear_crossing
from numerics.engine.entropy import excess_entropy_mc
from numerics.models.gm.model import GaussianMixture
from numerics.results import theory
from numerics.verify import Measurement, check, seed_from

UNCHECKED = {
    "gm.Gamma": "simulation-side: the within-class variance of P_t drives the exact score and the sampler; a wrong Γ_t "
                "shows in every gm.phi row and in gm.entropy_gap (mutation never reaches the simulation)",
    "gm.score_q": "simulation-side: the 1-D score of the fast path, never mutated (a mutation cannot reach the simulation); "
                  "tests/models/test_gm.py ties it to finite differences of the full d-dimensional log-density and "
                  "tests/engine/test_experiments.py compares fast-path and full cloning; every gm.phi row runs on it",
    "gm.log_density_q": "simulation-side: its q-derivative is gm.score_q; the entropy of the law it defines is "
                        "gm.entropy_gap (tested)",
    "gm.alpha": "a definition, α = ln n / d",
    "gm.log_n_required": "the inverse function of the collapse law (t_C(n_min(ε)) = ε exactly, tests/models/test_gm.py): "
                         "its Monte Carlo content is gm.t_C's, tested there",
    "gm.phi_defect_integrand": "the integrand of gm.phi (1 − φ = ∫ du ...), no Monte Carlo meaning of its own; tied to "
                               "gm.phi by tests/theory/test_numeric_ties.py",
    "gm.t_curv_logp": "a property of the exact density at q = 0 (∂²_q ln P_t(0) = 0), no Monte Carlo observable of its own "
                      "(the speciation observable φ(t) is tested by gm.t_S); tests/theory checks its large-d limit",
    "gm.t_curv_V": "a property of the backward potential at q = 0, no Monte Carlo observable of its own (see gm.t_S); "
                   "tests/theory checks its large-d limit",
}


def _phi_rows(res, tag: str, model: GaussianMixture) -> list[Measurement]:
    rows = []
    for t, ph, se, th in zip(res.t, res.phi, res.stderr, res.phi_theory):
        rows.append(Measurement(float(th), float(ph), float(se),
                                {**{k: res.params[k] for k in ("d", "mu", "sigma", "p_plus", "samples", "steps", "fast_path")},
                                 "t": float(t), "t_over_t_S": float(t / model.t_S)},
                                label=f"{tag},t/t_S={t / model.t_S:.2f}"))
    return rows


def speciation_level(model: GaussianMixture) -> tuple[float, float]:
    """(κ_S, L): the large-d signal-to-noise ratio at t_S, κ_S = 1/(4 p₊p₋), and φ there (the level whose
    crossing time is t_S at d → ∞)."""
    p = model.p_plus
    kappa_s = 1.0 / (4.0 * p * (1.0 - p))
    return kappa_s, float(model.phi_kappa(kappa_s))


def speciation_crossing_theory(model: GaussianMixture, grid: np.ndarray) -> tuple[float, dict]:
    """Predicted crossing time of φ(t) through its large-d value at t_S, on ``grid``:
    t_S + [t_κ − ½ ln Λ] + b (see the module docstring); returns (prediction, its parts)."""
    kappa_s, level = speciation_level(model)
    t_kappa = brentq(lambda t: float(model.kappa(t)) - kappa_s, 1e-6, 50.0, xtol=1e-13)
    offset = t_kappa - 0.5 * math.log(model.Lambda)
    t_exact = model.t_S + offset
    bias = linear_crossing(grid, model.phi(grid), level) - t_kappa
    return t_exact + bias, {"t_S": model.t_S, "offset": offset, "estimator_bias": bias, "level": level,
                            "kappa_S": kappa_s}


@check("gm.t_S", tests=("gm.t_S", "gm.phi", "gm.kappa", "gm.Lambda"),
       description="speciation time measured: crossing of the simulated φ(t) through its large-d value at t_S "
                   "(0.7752 for p₊ = ½) vs t_S + derived finite-d offset; d = 256, 4096 (p₊ = ½), 1024 (p₊ = 0.3)")
def speciation_time(rng, full):
    out = []
    pairs, steps = (40000, 1200) if not full else (200000, 4000)
    for d, p in ((256, 0.5), (4096, 0.5), (1024, 0.3)):
        m = GaussianMixture(d, 1.0, 1.0, p)
        kappa_s, level = speciation_level(m)
        centre = 0.5 * math.log(m.Lambda + 1.0 - 2.0 * m.sigma**2) + (m.t_S - 0.5 * math.log(m.Lambda))
        grid = centre + np.linspace(-0.12, 0.12, 9)
        res = clone_phi(m, grid, pairs, seed_from(rng), fast_path=True, steps=steps, t_min=0.1, keep_pairs=True,
                        theory=False)
        est, se = bootstrap_crossing(grid, res.pair_agreement["class"], level, n_boot=300, rng=rng)
        theory, parts = speciation_crossing_theory(m, grid)
        out.append(Measurement(theory, est, se, {"d": d, "p_plus": p, "pairs": pairs, "steps": steps, **parts},
                               label=f"d={d},p+={p}"))
    return out


@check("gm.phi.full", tests=("gm.phi",), description="full d-dimensional cloning φ(t) (exact score) vs exact theory, two p_+")
def phi_full(rng, full):
    out = []
    for d, p, samples in ((64, 0.5, 1500), (128, 0.3, 1500)) if not full else ((256, 0.5, 5000), (1024, 0.3, 5000)):
        m = GaussianMixture(d, 1.0, 1.0, p)
        res = clone_phi(m, m.t_S * np.array([0.7, 1.0, 1.3]), samples, seed_from(rng), steps=400)
        out += _phi_rows(res, f"d={d},p+={p}", m)
    return out


@check("gm.phi.fast_path", tests=("gm.phi",), description="1-D projected cloning φ(t) at several d vs exact theory")
def phi_fast(rng, full):
    out = []
    dims = (256, 4096, 16384) if not full else (256, 1024, 4096, 16384)
    for d in dims:
        m = GaussianMixture(d, 1.0, 1.0)
        # 1000 steps: the exponential integrator's O(h) bias on φ is ~2e-3 at 200 steps (measured),
        # ~5e-4 at 1000, below the statistical error (full: 5x the samples, 4000 steps)
        res = clone_phi(m, m.t_S * np.array([0.8, 1.0, 1.2]), 20000 if not full else 100000, seed_from(rng),
                        fast_path=True, steps=1000 if not full else 4000)
        out += _phi_rows(res, f"d={d}", m)
    return out


def collapse_level_theory(model: GaussianMixture, n: int, c: float, grid: np.ndarray, route: str = "t_C") -> tuple[float, dict]:
    """Predicted time where f^e(t) crosses cα on ``grid``: t_C(n^{1−c}) + [finite-d shift] + [estimator bias].

    ``route`` = the registered result the leading term is read from: ``"t_C"`` (t_C(n^{1−c}), ``gm.t_C``) or
    ``"t_C_alpha"`` (t_C at α' = (1 − c)α, ``gm.t_C_alpha``): two readings of one law."""
    alpha = math.log(n) / model.d
    if route == "t_C":
        t_lead = model.t_C(n ** (1.0 - c))
    else:
        t_lead = float(theory("gm.t_C_alpha")((1.0 - c) * alpha, model.sigma))
    t_fd = brentq(lambda t: float(model.excess_entropy(t, n, finite_d=True)) - c * alpha, 1e-4, 50.0, xtol=1e-13)
    t_ld = brentq(lambda t: float(model.excess_entropy(t, n, finite_d=False)) - c * alpha, 1e-4, 50.0, xtol=1e-13)
    bias = linear_crossing(grid, model.excess_entropy(grid, n, finite_d=True), c * alpha) - t_fd
    return t_lead + (t_fd - t_ld) + bias, {"t_C_n_pow": t_lead, "finite_d_shift": t_fd - t_ld,
                                          "estimator_bias": bias, "level": c * alpha}


COLLAPSE_LEVEL = 0.7


@check("gm.t_C", tests=("gm.t_C", "gm.t_C_alpha"),
       description="collapse law measured: f^e(t) over 8 training sets crosses cα (c = 0.7) at t_C(n^{1−c}) "
                   "+ derived −δ/d shift; isotropic data (μ̃ = 0) and the mixture (μ̃ = 1), d = 512, n = 3000")
def collapse_time(rng, full):
    d, n, sets, samples = (512, 3000, 8, 500) if not full else (1024, 20000, 12, 1000)
    c = COLLAPSE_LEVEL
    out = []
    for mu in (0.0, 1.0):
        m = GaussianMixture(d, mu, 1.0)
        t_guess = brentq(lambda t: float(m.excess_entropy(t, n, finite_d=True)) - c * math.log(n) / d, 1e-4, 50.0)
        grid = t_guess * np.linspace(0.96, 1.04, 9)
        crossings = []
        for _ in range(sets):
            train = m.sample(n, rng)
            res = excess_entropy_mc(train, grid, samples, seed_from(rng), dtype=np.float32)
            crossings.append(linear_crossing(grid, res.f, c * res.alpha))
        crossings = np.array(crossings)
        value, se = float(crossings.mean()), float(crossings.std(ddof=1) / math.sqrt(sets))
        routes = ("t_C", "t_C_alpha") if mu == 0.0 else ("t_C",)
        for route in routes:  # the same measurement against each registered reading of the law
            theory_t, parts = collapse_level_theory(m, n, c, grid, route)
            out.append(Measurement(theory_t, value, se, {"d": d, "n": n, "mu": mu, "c": c, "training_sets": sets,
                                                         "samples": samples, "t_C": m.t_C(n), **parts},
                                   label=f"mu={mu:g}" + ("" if route == "t_C" else f",via {route}")))
    return out


@check("gm.entropy_gap", tests=("gm.entropy_gap",),
       description="entropy of the law of q = m̂·x under P_t, estimated from exact draws by a histogram, vs "
                   "½ ln(2πeΓ_t) + δ(κ(t)) (d = 64; κ = ½, 1, 2; p₊ = ½ and 0.3)")
def entropy_gap(rng, full):
    """Plug-in histogram entropy of 2·10⁶ draws (bin h = 0.02 √Γ_t, Miller–Madow correction (m − 1)/(2N)).
    Binning bias (h²/24)·E[(∂_q ln p)²] ≤ (h²/24)(1 + κ)/Γ_t < 1e-4 (derived bound, below the stderr);
    stderr = sd(−ln p̂(q))/√N."""
    draws = 2_000_000 if not full else 8_000_000
    out = []
    for p in (0.5, 0.3):
        m = GaussianMixture(64, 1.0, 1.0, p)
        for kappa in (0.5, 1.0, 2.0):
            t = brentq(lambda tt: float(m.kappa(tt)) - kappa, 1e-6, 50.0, xtol=1e-13)
            q = m.fast_path().sample_t(draws, t, rng)[:, 0]
            gam = float(m.Gamma(t))
            h = 0.02 * math.sqrt(gam)
            counts = np.bincount(np.floor((q - q.min()) / h).astype(np.int64))
            nz = counts[counts > 0]
            prob = nz / draws
            ent = float(-np.sum(prob * np.log(prob / h)) + (nz.size - 1) / (2 * draws))
            logp = np.log(counts[np.floor((q - q.min()) / h).astype(np.int64)] / (draws * h))
            se = float(np.std(logp) / math.sqrt(draws))
            value = ent - 0.5 * math.log(2 * math.pi * math.e * gam)
            out.append(Measurement(float(m.entropy_gap(t)), value, se, {"d": 64, "p_plus": p, "kappa": kappa, "t": t,
                                                                        "draws": draws, "bin": h},
                                   label=f"p+={p},kappa={kappa:g}"))
    return out


def _entropy_run(rng, d, n, samples, ts_over_tc):
    m = GaussianMixture(d, 1.0, 1.0)
    train = m.sample(n, rng)
    tc = m.t_C(n)
    res = excess_entropy_mc(train, tc * np.asarray(ts_over_tc), samples, seed_from(rng), model=m, dtype=np.float32)
    return m, tc, res


@check("gm.excess_entropy", tests=("gm.f_leading",),
       description="Monte Carlo f^e(t) vs the finite-d theory f(t) in the liquid phase (t ≥ 1.5 t_C)")
def excess_entropy(rng, full):
    d, n = (512, 3000) if not full else (2048, 20000)
    m, tc, res = _entropy_run(rng, d, n, 300 if not full else 1000, [1.5, 2.0, 3.0])
    return [Measurement(float(th), float(f), float(se), {"d": d, "n": n, "t": float(t), "t_over_t_C": float(t / tc)},
                        label=f"d={d},t/t_C={t / tc:.1f}")
            for t, f, se, th in zip(res.t, res.f, res.stderr, res.f_theory)]
