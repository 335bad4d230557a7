"""Checks for the two-class Gaussian mixture (THEORY §2): cloning φ(t), the large-d value at
t_S, the projected fast path against the full simulation, the excess entropy f^e(t) and t_C,
and the collapse probability φ_C around t_C."""

from __future__ import annotations

import math

import numpy as np

from numerics.verify import Measurement, check
from numerics.engine.cloning import clone_phi
from numerics.engine.collapse import collapse_experiment
from numerics.engine.entropy import excess_entropy_mc, finite_size_width
from numerics.models.gm.model import GaussianMixture
from numerics.universal import phi as phi_kappa

PHI_LARGE_D = float(phi_kappa(1.0))  # φ at κ = 1, p_± = ½: 0.7752002454


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def _phi_rows(res, tag: str, model: GaussianMixture) -> list[Measurement]:
    rows = []
    for t, ph, se, th in zip(res.t, res.phi, res.stderr, res.phi_theory):
        rows.append(Measurement(float(th), float(ph), float(se),
                                {**{k: res.params[k] for k in ("d", "mu", "sigma", "p_plus", "samples", "steps", "fast_path")},
                                 "t": float(t), "t_over_t_S": float(t / model.t_S)},
                                label=f"{tag},t/t_S={t / model.t_S:.2f}"))
    return rows


@check("gm.phi.full", tests=("gm.phi", "gm.kappa"), description="full d-dimensional cloning φ(t) (exact score) vs exact theory, two p_+")
def phi_full(rng, full):
    out = []
    for d, p, samples in ((64, 0.5, 1500), (128, 0.3, 1500)) if not full else ((256, 0.5, 5000), (1024, 0.3, 5000)):
        m = GaussianMixture(d, 1.0, 1.0, p)
        res = clone_phi(m, m.t_S * np.array([0.7, 1.0, 1.3]), samples, _seed(rng), steps=400)
        out += _phi_rows(res, f"d={d},p+={p}", m)
    return out


@check("gm.phi.fast_path", tests=("gm.phi", "gm.kappa", "gm.score_q"), description="1-D projected cloning φ(t) at several d vs exact theory")
def phi_fast(rng, full):
    out = []
    dims = (256, 4096, 16384) if not full else (256, 1024, 4096, 16384)
    for d in dims:
        m = GaussianMixture(d, 1.0, 1.0)
        # 1000 steps: the exponential integrator's O(h) bias on φ is ~2e-3 at 200 steps (measured),
        # ~5e-4 at 1000, below the statistical error
        # (full: 5x the samples resolve that residual bias, so 4000 steps)
        res = clone_phi(m, m.t_S * np.array([0.8, 1.0, 1.2]), 20000 if not full else 100000, _seed(rng),
                        fast_path=True, steps=1000 if not full else 4000)
        out += _phi_rows(res, f"d={d}", m)
    return out


@check("gm.phi.t_S_large_d", tests=("gm.t_S", "gm.phi"), description="φ(t_S) at d = 16384 vs the d -> ∞ value 0.7752 (allowance: exact finite-d offset)")
def phi_ts_large_d(rng, full):
    m = GaussianMixture(16384, 1.0, 1.0)
    res = clone_phi(m, [m.t_S], 40000 if not full else 200000, _seed(rng), fast_path=True,
                    steps=1000 if not full else 4000)
    offset = abs(float(res.phi_theory[0]) - PHI_LARGE_D)  # finite-d: κ(t_S) = d/(d+1)·(...) ≠ 1
    return Measurement(PHI_LARGE_D, float(res.phi[0]), float(res.stderr[0]),
                       {"d": 16384, "samples": res.samples, "phi_finite_d": float(res.phi_theory[0])},
                       bias_allowance=offset)


@check("gm.fast_path_vs_full", tests=("gm.score_q",), description="projected 1-D fast path and full simulation agree (difference vs 0)")
def fast_vs_full(rng, full):
    m = GaussianMixture(96, 1.0, 1.0, 0.5)
    ts = [m.t_S]
    n_full = 2000 if not full else 8000
    a = clone_phi(m, ts, n_full, _seed(rng), steps=150, theory=False)
    b = clone_phi(m, ts, 4 * n_full, _seed(rng), steps=150, fast_path=True, theory=False)  # same grid: same bias
    se = math.sqrt(a.stderr[0] ** 2 + b.stderr[0] ** 2)
    return Measurement(0.0, float(a.phi[0] - b.phi[0]), se, {"d": 96, "t": float(m.t_S), "samples_full": n_full,
                                                              "samples_fast": 4 * n_full})


def _entropy_run(rng, d, n, samples, ts_over_tc):
    m = GaussianMixture(d, 1.0, 1.0)
    train = m.sample(n, rng)
    tc = m.t_C(n)
    res = excess_entropy_mc(train, tc * np.asarray(ts_over_tc), samples, _seed(rng), model=m, dtype=np.float32)
    return m, tc, res


@check("gm.excess_entropy", tests=("gm.f_leading", "gm.entropy_gap"), description="Monte Carlo f^e(t) vs the finite-d theory f(t) in the liquid phase (t ≥ 1.5 t_C)")
def excess_entropy(rng, full):
    d, n = (512, 3000) if not full else (2048, 20000)
    m, tc, res = _entropy_run(rng, d, n, 300 if not full else 1000, [1.5, 2.0, 3.0])
    return [Measurement(float(th), float(f), float(se), {"d": d, "n": n, "t": float(t), "t_over_t_C": float(t / tc)},
                        label=f"d={d},t/t_C={t / tc:.1f}")
            for t, f, se, th in zip(res.t, res.f, res.stderr, res.f_theory)]


@check("gm.t_C", tests=("gm.t_C",), description="t_C from the zero crossing of f^e(t) vs ½ ln(1 + σ²/(n^{2/d} - 1)) (allowance 4/(d|f'(t_C)|))")
def collapse_time(rng, full):
    d, n = (512, 3000) if not full else (4096, 20000)
    m, tc, res = _entropy_run(rng, d, n, 300 if not full else 600, np.linspace(0.5, 2.0, 16))
    w = finite_size_width(tc, d, m.sigma**2)
    return Measurement(tc, float(res.t_C), float(res.t_C_stderr), {"d": d, "n": n, "alpha": res.alpha, "width": w},
                       bias_allowance=4 * w)


@check("gm.phi_C", tests=("gm.t_C", "gm.f_leading"), description="collapse probability φ_C(t): ≈1 well below t_C, ≈0 well above (empirical score)")
def phi_c(rng, full):
    d, n = (64, 400) if not full else (256, 2000)
    m = GaussianMixture(d, 1.0, 1.0)
    tc = m.t_C(n)
    res = collapse_experiment(m, [0.3 * tc, 3.0 * tc], 600 if not full else 3000, _seed(rng), n=n, steps=150)
    # Theory (REM): φ_C -> 1 deep in the condensed phase and -> 1/e^{d f} ≈ 0 deep in the liquid phase.
    # Finite-d allowance: the leading correction e^{-d f(t)} of the number of contributing points.
    out = []
    for t, pc, se, target in zip(res.t, res.phi_C, res.stderr_C, (1.0, 0.0)):
        f = float(m.excess_entropy(t, n))
        allowance = min(1.0, math.exp(-d * abs(f)))
        out.append(Measurement(target, float(pc), float(se), {"d": d, "n": n, "t": float(t), "t_over_t_C": float(t / tc)},
                               label=f"t/t_C={t / tc:.1f}", bias_allowance=allowance))
    return out
