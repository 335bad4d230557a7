"""The Gaussian model built from ``regimes simulate ... --model gauss`` options."""

from __future__ import annotations

import numpy as np

from numerics.engine import memory
from numerics.models.gauss.model import GaussianModel


def model_from_args(ns) -> GaussianModel:
    """``--lambdas L1 L2 ...`` or ``--d D --sigma S`` (isotropic N(0, σ² I))."""
    if getattr(ns, "lambdas", None):
        return GaussianModel(np.asarray(ns.lambdas, dtype=float))
    if getattr(ns, "d", None) is None or getattr(ns, "sigma", None) is None:
        raise ValueError("--model gauss needs --lambdas or --d and --sigma")
    if ns.sigma <= 0:
        raise ValueError(f"--sigma must be > 0 for --model gauss, got {ns.sigma!r}")
    # the d eigenvalues and the model's validation temporaries, refused before they are allocated
    memory.require(3.0 * memory.FLOAT * ns.d, "the covariance eigenvalues", d=ns.d)
    return GaussianModel(np.full(ns.d, ns.sigma**2))
