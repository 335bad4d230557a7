r"""Exact-posterior Monte Carlo of the cloning probability, without an SDE, for any model (THEORY §2, §6).

Along the exact backward dynamics the class of an endpoint, given the state :math:`x_t`, has law
:math:`P(c|x_t)`, and two clones made at t are independent given :math:`x_t`; hence the cloning probability is

    φ_ℓ(t) = E_{x ~ P_t} Σ_G P(G | x)²    (per level ℓ, groups G),

which needs only exact draws of :math:`P_t` and the model's ``posterior``. Draws are
:math:`x_t = e^{-t}a + \sqrt{\Delta_t}z` with :math:`a \sim P_0` (``sample_labelled``) and z ~ N(0, I), the
*same* (a, z) at every time of the grid (common random numbers: a smooth curve whose crossing times have
small errors; rows are independent units for a bootstrap over samples). Also returned: the conditional
entropy :math:`-\sum_c\pi_c\ln\pi_c` at the finest level, whose mean gives the mutual information
:math:`I(c; x_t) = H(p) - \mathbb E[-\sum_c\pi_c\ln\pi_c]`.

Memory: draws are made in chunks of at most 2^22 numbers (the result does not depend on the chunk
size only through the generator's stream: reproducible from (model, grid, samples, seed)).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from numerics import validate
from numerics.engine.protocol import LEVEL_CLASS, require

__all__ = ["PosteriorMC", "posterior_mc"]


@dataclass
class PosteriorMC:
    """Per level, the (samples × times) matrix of Σ_G P(G|x_t)²; ``entropy``: (samples × times)
    −Σ_c π_c ln π_c at the finest class level; ``t`` the times; ``seconds``."""

    t: np.ndarray
    values: dict
    entropy: np.ndarray
    samples: int
    seed: int
    seconds: float

    def mean(self, level: str) -> np.ndarray:
        """Monte Carlo estimate of φ at ``level`` (mean over the draws, per time)."""
        return self.values[level].mean(axis=0)

    def stderr(self, level: str) -> np.ndarray:
        """Standard error of :meth:`mean` (sample standard deviation / √draws)."""
        v = self.values[level]
        return v.std(axis=0, ddof=1) / math.sqrt(v.shape[0])


def posterior_mc(model, t_grid, samples: int, seed: int, *, chunk_numbers: int = 1 << 22) -> PosteriorMC:
    """Exact-posterior Monte Carlo φ_ℓ(t) on a grid of times (see the module docstring).

    Parameters
    ----------
    model : DiffusionModel
        With ``sample_labelled`` (exact draws of P_0) and ``posterior`` (class posteriors per level).
    t_grid : array_like
        Times t > 0.
    samples : int
        Number of independent draws (≥ 2). ``seed``: the generator's seed.
    """
    t0 = time.perf_counter()
    require(model, "sample_labelled", "draw exact states for the exact-posterior Monte Carlo")
    require(model, "posterior", "compute class posteriors")
    ts = validate.times("t_grid", t_grid).ravel()
    samples = validate.positive_int("samples", samples)
    if samples < 2:
        raise ValueError("samples must be >= 2 for a standard error")
    seed = validate.seed("seed", seed)
    rng = np.random.default_rng(seed)
    d = int(model.dim)
    step = max(1, chunk_numbers // max(d, 1))
    values: dict = {}
    ent = np.empty((samples, ts.size))
    for lo in range(0, samples, step):
        m = min(step, samples - lo)
        a, _ = model.sample_labelled(m, rng)
        z = rng.standard_normal(a.shape)
        for j, t in enumerate(ts):
            x = math.exp(-t) * a + math.sqrt(-math.expm1(-2.0 * t)) * z
            post = model.posterior(x, float(t))
            for lv, P in post.items():
                P = np.asarray(P, dtype=float)
                values.setdefault(lv, np.empty((samples, ts.size)))[lo:lo + m, j] = np.sum(P * P, axis=1)
            P = np.asarray(post.get(LEVEL_CLASS, next(reversed(post.values()))), dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                ent[lo:lo + m, j] = -np.sum(np.where(P > 0, P * np.log(P), 0.0), axis=1)
    return PosteriorMC(ts, values, ent, samples, seed, time.perf_counter() - t0)
