"""Shared CLI plumbing for ``regimes simulate clone|collapse|entropy``."""

from __future__ import annotations

import numpy as np

from numerics import validate


def add_model_args(p, *, need_samples: bool = True) -> None:
    p.add_argument("--model", default="gm", choices=["gm"], help="data model (gm: two-class Gaussian mixture)")
    p.add_argument("--d", required=True, help="dimension d (integer)")
    p.add_argument("--mu", required=True, help="μ̃ ≥ 0 with |m|² = d μ̃²")
    p.add_argument("--sigma", required=True, help="within-class standard deviation σ ≥ 0")
    p.add_argument("--p-plus", default="0.5", help="weight of the + class in (0,1) (default 0.5)")
    if need_samples:
        p.add_argument("--samples", required=True, help="number of trajectories / clone pairs per branch time")
    p.add_argument("--seed", default="0", help="random seed (non-negative integer; default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object (no progress bar)")


def add_dynamics_args(p) -> None:
    p.add_argument("--steps", default="200", help="integration steps from T to t_min (default 200)")
    p.add_argument("--t-min", default="1e-3", help="stop time t_min > 0 (default 1e-3)")
    p.add_argument("--T", default=None, help="start time (default: largest branch time + 1; exact start law)")
    p.add_argument("--grid", default="mixed", choices=["mixed", "uniform", "geometric"], help="time grid (default mixed)")
    p.add_argument("--method", default="exponential", choices=["exponential", "euler"], help="integrator")
    p.add_argument("--start", default="exact", choices=["exact", "normal"], help="start law at T: exact P_T or N(0,I)")


def model_from(ns):
    from numerics.mixture import GaussianMixture

    d = validate.positive_int("d", ns.d)
    return GaussianMixture(d, validate.nonnegative("mu", ns.mu), validate.nonnegative("sigma", ns.sigma),
                           validate.probability("p-plus", ns.p_plus))


def seed_from(ns) -> int:
    v = validate.nonnegative("seed", ns.seed)
    if v != int(v):
        raise ValueError(f"seed must be a non-negative integer, got {ns.seed!r}")
    return int(v)


def times_from(name: str, values) -> np.ndarray:
    if not values:
        raise ValueError(f"{name} must contain at least one time")
    return validate.times(name, values).ravel()


def dtype_from(s: str | None, default):
    if s is None:
        return default
    if s not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, got {s!r}")
    return np.dtype(s)
