"""Command-line declarations of general Gaussian mixtures (``regimes mixture SPEC``; ``--model mixture
--spec SPEC`` of ``regimes simulate``). The code that runs is in :mod:`numerics.models.mixture.commands`."""

from __future__ import annotations

from numerics.cli import args as A

BUILD = "numerics.models.mixture.commands:model_from_args"


def add_model_arguments(p, *, required: bool = False) -> None:
    """``--spec SPEC`` (the mixture's JSON/NPZ file)."""
    A.add_once(p, "--spec", type=A.input_file, default=None, required=required,
               help="mixture: SPEC file (.json or .npz: weights, means, covariances, optional groups)")


def register(sub) -> None:
    """Declare ``regimes mixture SPEC`` on the subparsers ``sub``."""
    p = sub.add_parser("mixture", help="K-class Gaussian mixture theory: κ_ab, t_S per pair and level, φ, t_C",
                       description="Theory table for P_0 = Σ_c p_c N(m_c, Σ_c) read from SPEC (THEORY §6): pairwise "
                                   "signal-to-noise ratios κ_ab(t) = ¼[KL(a‖b) + KL(b‖a)], speciation times (roots of "
                                   "κ = 1), cloning probabilities per level of the group hierarchy, the top eigenvalues "
                                   "of the data covariance and, with --n, the collapse time. Times in OU units of the "
                                   "SPEC's data as given (no rescaling).")
    p.add_argument("spec", type=A.input_file, help="SPEC file: .json or .npz with weights (K), means (K × d), covariances (K entries: "
                                "number, length-d list or d × d matrix), optional groups (levels × K labels)")
    p.add_argument("--n", type=A.positive, default=None, help="number of training points ≥ 1 (adds alpha, t_C, f(t))")
    p.add_argument("--t", type=A.time, nargs="+", default=None,
                   help="times t > 0 (default: the level speciation times × 0.5 … 1.5)")
    p.add_argument("--k", type=A.positive_int, default=10, help="number of top covariance eigenvalues reported (default 10)")
    p.add_argument("--samples", type=A.positive_int, default=20000,
                   help="exact-posterior Monte Carlo draws where φ has no exact quadrature (default 20000)")
    p.add_argument("--seed", type=A.seed, default=0, help="seed of that Monte Carlo (default 0)")
    A.add_json(p)
    p.set_defaults(func="numerics.models.mixture.commands:run")
