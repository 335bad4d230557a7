"""Command-line declarations of the Curie–Weiss model: ``regimes cw``, ``regimes simulate generate``,
``regimes simulate cw-data-law`` and ``--model cw`` of ``regimes simulate``. The code that runs is in
:mod:`numerics.models.cw.commands`."""

from __future__ import annotations

from numerics.cli import args as A

BUILD = "numerics.models.cw.commands:model_from_args"


def add_model_arguments(p, *, required: bool = False) -> None:
    """``--N --beta --H`` (and ``--cw-score`` for simulations)."""
    A.add_once(p, "--N", type=A.positive_int, required=required, help="cw: number of spins N ≥ 1")
    A.add_once(p, "--beta", type=A.positive, required=required, help="cw: inverse temperature β > 0")
    A.add_once(p, "--H", type=A.real, default=0.0, help="cw: total field H (h = H/N; default 0)")


def register(sub) -> None:
    """Declare ``regimes cw``."""
    p = sub.add_parser("cw", help="Curie–Weiss theory: m*, χ, exact p_+, Λ, t_S, φ_CW(t)",
                       description="Theory table for P_0(s) ∝ exp(β M²/2N + (H/N) M), s ∈ {±1}^N (THEORY §4). "
                                   "Times in units of the OU process (spins ±1 as given).")
    add_model_arguments(p, required=True)
    p.add_argument("--t", type=A.time, nargs="+", default=None,
                   help="times t > 0 (default: t_S × 0.25 … 1.5; 0.25 … 1.5 when t_S ≤ 0)")
    A.add_memory_budget(p)
    A.add_json(p)
    p.set_defaults(func="numerics.models.cw.commands:run_cw")


def add_simulation_arguments(p) -> None:
    """Options of ``regimes simulate clone|collapse|entropy`` that only ``--model cw`` reads."""
    add_model_arguments(p)
    A.add_once(p, "--cw-score", default="exact", choices=["exact", "saddle"],
               help="cw: score used by the dynamics (exact μ-quadrature or its large-N saddle point)")


def register_simulations(simsub) -> None:
    """Declare ``regimes simulate generate`` and ``regimes simulate cw-data-law``."""
    g = simsub.add_parser("generate", help="Curie–Weiss: generate samples with the backward SDE, report state weights",
                          description="Backward generation (exponential integrator) with the exact, saddle-point or "
                                      "learned (pseudo-likelihood fields) score; p_+ and <|m|> vs the exact law.")
    g.add_argument("--model", default="cw", choices=["cw"], help="model (cw)")
    add_model_arguments(g, required=True)
    g.add_argument("--samples", type=A.positive_int, default=2000, help="number of generated samples (default 2000)")
    g.add_argument("--seed", type=A.seed, default=0, help="random seed (integer ≥ 0)")
    g.add_argument("--score", default="exact", choices=("exact", "saddle", "learned"),
                   help="exact (μ-quadrature), saddle (large N) or learned (pseudo-likelihood fields of --n-train samples)")
    g.add_argument("--n-train", type=A.positive_int, default=None, help="training samples for --score learned (≥ 2)")
    g.add_argument("--steps", type=A.positive_int, default=240, help="integrator steps (default 240)")
    g.add_argument("--histogram", action="store_true", help="add the magnetization histogram and the exact law")
    A.add_memory_budget(g)
    A.add_progress(g)
    A.add_json(g)
    g.set_defaults(func="numerics.models.cw.commands:run_generate")

    d = simsub.add_parser("cw-data-law", help="Curie–Weiss: learned p_+ error vs n/N (pseudo-likelihood, ML, DSM) with the derived laws",
                          description="Learn the model from n exact samples per training set (pseudo-likelihood fields, the ML "
                                      "global field, or denoising score matching over a range of noise levels), compute the "
                                      "learned model's exact p_+, RMS error over the repeats, beside the derived laws "
                                      "(cw.learned_sum_h_variance, cw.global_weight_stderr, cw.dsm_sum_h_variance). "
                                      "Reproducible from the parameters and --seed.")
    d.add_argument("--N", type=A.positive_int, nargs="+", default=[32, 64, 128], help="system sizes")
    d.add_argument("--ratios", type=A.positive, nargs="+", default=[1, 2, 4, 8, 16, 32, 64], help="values of n/N")
    d.add_argument("--beta", type=A.positive, default=1.5, help="inverse temperature β > 0 (default 1.5)")
    d.add_argument("--H", type=A.real, default=0.5, help="total field H (default 0.5)")
    d.add_argument("--repeats", type=A.positive_int, default=40, help="training sets per (N, n) (≥ 2)")
    d.add_argument("--fit", nargs="+", default=["pl", "ml"], choices=["pl", "ml", "dsm"],
                   help="estimators: pl (pseudo-likelihood fields), ml (ML global field and the fraction of M > 0), "
                        "dsm (denoising score matching; default: pl ml)")
    d.add_argument("--dsm-t-range", type=A.positive, nargs=2, default=[0.01, 4.0], metavar=("T0", "T1"),
                   help="DSM noise levels: times t in [T0, T1] (default 0.01 4)")
    d.add_argument("--dsm-weight", default="delta", choices=["delta", "edm"],
                   help="DSM weighting: delta (w = Δ_t, t uniform) or edm (Karras et al.: λ(σ), log-normal σ)")
    d.add_argument("--dsm-max-epochs", type=A.positive_int, default=256,
                   help="DSM: at most this many averaging epochs (default 256; averaging stops earlier once the optimiser's "
                        "own variance of Σĥ is below 5 %% of its spread over the repeats)")
    d.add_argument("--generate", type=A.nonnegative_int, default=0,
                   help="also generate this many samples with the first pseudo-likelihood score per point (needs --fit pl)")
    d.add_argument("--seed", type=A.seed, default=0, help="random seed (integer ≥ 0; default 0)")
    d.add_argument("--figure", type=A.figure_file, default=None, metavar="FILE",
                   help="write the figure to FILE (.png, .pdf, .svg ...; checked before the run, written atomically)")
    A.add_memory_budget(d)
    A.add_progress(d)
    A.add_json(d)
    d.set_defaults(func="numerics.models.cw.commands:run_data_law")
