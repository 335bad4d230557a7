"""Command-line declaration of ``regimes rem`` (the code that runs: :mod:`numerics.models.rem.commands`)."""

from __future__ import annotations

from numerics.cli import args as A


def register(sub) -> None:
    """Declare ``regimes rem``."""
    p = sub.add_parser("rem", help="REM view of collapse: alpha_c(t), free entropy, phase, participation ratio",
                       description="Gaussian data a ~ N(0, σ² I), n = e^{αd} training points: ln P^e_t(x) is the "
                       "free energy of a random energy model that condenses (collapse) for α < alpha_c(t) "
                       "(THEORY §3). Times in units of the OU process (data variance σ² as given).")
    p.add_argument("--sigma", type=A.positive, required=True, help="data standard deviation σ > 0")
    p.add_argument("--t", type=A.time, required=True, help="diffusion time t > 0")
    p.add_argument("--alpha", type=A.positive, default=None, help="entropy rate α = ln n / d > 0 (adds free_entropy, "
                   "phase, participation_ratio, freezing_m, phi_C)")
    p.add_argument("--d", type=A.positive_int, default=None,
                   help="dimension, an integer ≥ 2 (needs --alpha): adds log_n and the finite-d free entropy / "
                        "participation ratio / phi_C")
    A.add_json(p)
    p.set_defaults(func="numerics.models.rem.commands:run")
