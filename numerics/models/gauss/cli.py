"""Command-line declarations of the Gaussian model (``--model gauss`` of ``regimes simulate``):
``P_0 = N(0, σ² I)`` or ``N(0, diag(λ))``. No class notion: usable by ``collapse`` and ``entropy``."""

from __future__ import annotations

from numerics.cli import args as A

BUILD = "numerics.models.gauss.commands:model_from_args"


def add_model_arguments(p, *, required: bool = False) -> None:
    """``--d --sigma`` (isotropic) or ``--lambdas`` (covariance eigenvalues)."""
    A.add_once(p, "--d", type=A.positive_int, required=required, help="dimension d")
    A.add_once(p, "--sigma", type=A.nonnegative, required=required, help="within-class standard deviation σ ≥ 0")
    A.add_once(p, "--lambdas", type=A.positive, nargs="+", default=None,
               help="gauss: covariance eigenvalues λ_i > 0 (instead of --d/--sigma)")
