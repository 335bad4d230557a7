"""Command-line declaration of ``regimes simulate``: the model-free experiments ``clone``, ``collapse``
and ``entropy`` (any model with ``--model NAME``: the models whose folder declares ``BUILD`` in its
``cli.py``), and the simulations a model declares itself (``register_simulations``). The code that runs
is in :mod:`numerics.cli.simulations` and the models' ``commands`` modules."""

from __future__ import annotations

from numerics import models
from numerics.cli import Parser
from numerics.cli import args as A


def _buildable() -> list:
    return [m for m in models.parts("cli") if getattr(m, "BUILD", None)]


def _model_options(p) -> None:
    mods = _buildable()
    names = [m.__name__.split(".")[-2] for m in mods]
    p.add_argument("--model", default="gm", choices=names,
                   help="model the trajectories (or the training set) come from; its options follow "
                        "(default gm, the two-class mixture, as before models were pluggable)")
    for m in mods:
        (getattr(m, "add_simulation_arguments", None) or m.add_model_arguments)(p)


def _dynamics(p) -> None:
    p.add_argument("--steps", type=A.positive_int, default=200, help="integration steps from T to t_min (default 200)")
    p.add_argument("--t-min", type=A.time, default=None, help="stop time t_min > 0 (default: the model's, else 1e-3)")
    p.add_argument("--T", type=A.time, default=None, help="start time (default: largest branch time + 1; exact start law)")
    p.add_argument("--grid", default="mixed", choices=["mixed", "uniform", "geometric"], help="time grid (default mixed)")
    p.add_argument("--method", default="exponential", choices=["exponential", "euler"], help="integrator")
    p.add_argument("--start", default="exact", choices=["exact", "normal"], help="start law at T: exact P_T or N(0,I)")


def _common(p, *, samples_help: str) -> None:
    _model_options(p)
    p.add_argument("--samples", type=A.positive_int, required=True, help=samples_help)
    p.add_argument("--seed", type=A.seed, default=0, help="random seed (integer ≥ 0; default 0)")
    p.add_argument("--dtype", default=None, choices=["float32", "float64"],
                   help="float32 or float64 (default: float64 exact score, float32 empirical score)")
    A.add_memory_budget(p)
    A.add_progress(p)
    A.add_json(p)


def register(sub) -> None:
    """Declare ``regimes simulate`` and its kinds (the model-free ones and those models declare)."""
    p = sub.add_parser("simulate", help="Monte Carlo backward-dynamics experiments",
                       description="Monte Carlo experiments on the backward dynamics of any model "
                                   "(clone, collapse, entropy) and model-specific simulations.")
    simsub = p.add_subparsers(dest="simulation", metavar="KIND", parser_class=Parser)

    c = simsub.add_parser("clone", help="cloning probability φ(t) (speciation) at many branch times in one pass",
                          description="Clone backward trajectories at the branch times, run both copies to t_min with "
                                      "independent noise, count the pairs that end in the same class (every class "
                                      "level of the model). JSON: t, phi, stderr, phi_theory, levels, seconds, ...")
    _common(c, samples_help="clone pairs per branch time")
    c.add_argument("--t-branch", type=A.time, nargs="+", required=True, help="branch times t > t_min")
    c.add_argument("--score", default="exact", choices=["exact", "empirical"],
                   help="exact model score, or the empirical score of --n training points drawn from the model")
    c.add_argument("--n", type=A.positive_int, default=None, help="training points for --score empirical")
    c.add_argument("--fast-path", action="store_true", help="simulate the model's exact low-dimensional projection")
    _dynamics(c)
    c.set_defaults(func="numerics.cli.simulations:run_clone")

    k = simsub.add_parser("collapse", help="empirical-score dynamics: collapse onto training points (φ_C, collapse times)",
                          description="Backward dynamics with the empirical score of --n training points drawn from "
                                      "the model, cloned at the branch times, tracking the nearest training point.")
    _common(k, samples_help="trajectories / clone pairs per branch time")
    k.add_argument("--n", type=A.positive_int, required=True, help="number of training points drawn from the model (≥ 2)")
    k.add_argument("--t-branch", type=A.time, nargs="+", default=None,
                   help="branch times (default: t_C × 0.5, 1, 2 and t_S where the model has them)")
    _dynamics(k)
    k.set_defaults(func="numerics.cli.simulations:run_collapse")

    e = simsub.add_parser("entropy", help="excess entropy f^e(t) on the training set and the collapse time t_C",
                          description="Monte Carlo f^e(t) = α - [s^e(t) - s_Δ(t)] on --n training points drawn from "
                                      "the model, and the t_C estimate.")
    _common(e, samples_help="Monte Carlo points per time (≥ 2)")
    e.add_argument("--n", type=A.positive_int, required=True, help="number of training points drawn from the model (≥ 2)")
    e.add_argument("--t", type=A.time, nargs="+", default=None, help="times (default: 30 points from 0.2 t_C to 3 t_C)")
    e.set_defaults(func="numerics.cli.simulations:run_entropy")

    for m in models.parts("cli"):
        hook = getattr(m, "register_simulations", None)
        if hook is not None:
            hook(simsub)
    p.set_defaults(func="numerics.cli.simulations:run_help")
