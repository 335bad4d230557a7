"""Command-line declarations of the two-class Gaussian mixture (``regimes gm``; ``--model gm`` of
``regimes simulate``). The code that runs is in :mod:`numerics.models.gm.commands`."""

from __future__ import annotations

from numerics.cli import args as A

BUILD = "numerics.models.gm.commands:model_from_args"


def add_model_arguments(p, *, required: bool = False) -> None:
    """``--d --mu --sigma --p-plus`` (shared with other models where the meaning is the same)."""
    A.add_once(p, "--d", type=A.positive_int, required=required, help="dimension d")
    A.add_once(p, "--mu", type=A.nonnegative, required=required, help="gm: μ̃ ≥ 0 with |m|² = d μ̃²")
    A.add_once(p, "--sigma", type=A.nonnegative, required=required, help="within-class standard deviation σ ≥ 0")
    A.add_once(p, "--p-plus", type=A.probability, default=0.5, help="gm: weight of the + class, in (0,1) (default 0.5)")


def register(sub) -> None:
    """Declare ``regimes gm``."""
    p = sub.add_parser("gm", help="two-class Gaussian mixture theory: Λ, t_S, t_C, κ(t), φ(t)",
                       description="Theory table for P_0 = p_+ N(+m, σ² I) + p_- N(-m, σ² I), |m|² = d μ̃² "
                                   "(THEORY §2). Times in units of the OU process (data variance as given).")
    add_model_arguments(p, required=True)
    p.add_argument("--n", type=A.positive_int, default=None,
                   help="number of training points, an integer ≥ 1 (adds alpha, t_C, f(t); n = 1: t_C = Infinity)")
    p.add_argument("--t", type=A.time, nargs="+", default=None, help="times t > 0 (default: t_S × 0.25 … 1.5)")
    p.add_argument("--eps", type=A.positive, default=None, help="report ln n needed for t_C ≤ eps (eps > 0)")
    A.add_json(p)
    p.set_defaults(func="numerics.models.gm.commands:run")
