"""One-pass cloned backward dynamics: the integration loop shared by the experiments.

``run_cloned`` integrates B "original" trajectories from the first grid time down to the last.
When the grid reaches a branch time it appends a copy of the B originals' current state (the
clones); from there every row gets independent noise. All branch times are served by ONE pass:
the originals are the common partners of every set of clones, so the cost is at most
(1 + K) trajectories for K branch times (less, since clones start at their branch time), not
K re-simulations from T. Pairs (original_b, clone_{k,b}) are independent across b, so the
binomial standard error per branch time is exact; pairs at different k share the original
(estimates at different branch times are correlated, which the per-time errors do not need).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from tqdm.auto import tqdm

from numerics.engine import sde

__all__ = ["run_cloned", "ClonedRun"]


@dataclass
class ClonedRun:
    """Final states (rows: B originals, then B clones per branch in ``branch_index`` order),
    the grid, and, when tracking, ``track[k]`` = tracked value of the originals at grid[k]
    (k = 0..len(grid)-1) and ``final_info`` for all rows at grid[-1]. ``branch_states[j]`` is the
    state of the B originals at the j-th branch time (where the clones start)."""

    y: np.ndarray
    grid: np.ndarray
    samples: int
    branch_index: np.ndarray
    branch_states: list
    track: np.ndarray | None = None
    final_info: np.ndarray | None = None

    def rows(self, j: int) -> slice:
        """Rows of the clones made at the j-th branch time."""
        return slice(self.samples * (1 + j), self.samples * (2 + j))


def run_cloned(
    score_eval: Callable,
    y0: np.ndarray,
    grid: np.ndarray,
    branch_index,
    rng: np.random.Generator,
    *,
    method: str = "exponential",
    tracking: bool = False,
    progress: bool = False,
    desc: str = "backward SDE",
) -> ClonedRun:
    """Integrate with cloning at ``grid[branch_index[j]]``.

    ``score_eval(y, t)`` returns the score, or ``(score, info)`` with a per-row array ``info``
    (e.g. the nearest training point) when ``tracking``; with tracking the info of the
    originals is recorded at every grid time and the last call (score unused) gives
    ``final_info`` for every row at ``grid[-1]``.
    """
    if method not in sde.METHODS:
        raise ValueError(f"method must be one of {sde.METHODS}, got {method!r}")
    grid = np.asarray(grid, dtype=float)
    bidx = np.asarray(branch_index, dtype=np.int64)
    B = y0.shape[0]
    order = np.argsort(bidx, kind="stable")
    y = np.array(y0, copy=True)
    n_steps = len(grid) - 1
    track = [] if tracking else None
    clones: dict[int, int] = {}
    starts: dict[int, np.ndarray] = {}
    ptr = 0
    with tqdm(total=n_steps, desc=desc, disable=not progress, leave=False) as bar:
        for k in range(n_steps + 1):
            while ptr < len(order) and bidx[order[ptr]] == k:
                clones[int(order[ptr])] = y.shape[0]
                starts[int(order[ptr])] = np.array(y[:B], copy=True)
                y = np.concatenate([y, y[:B]], axis=0)
                ptr += 1
            t = float(grid[k])
            if k == n_steps:
                break
            out = score_eval(y, t)
            if tracking:
                s, info = out
                track.append(np.array(info[:B], copy=True))
            else:
                s = out
            a, b, c = sde.step_coefficients(t - float(grid[k + 1]), method)
            noise = rng.standard_normal(y.shape, dtype=y.dtype if y.dtype == np.float32 else np.float64)
            y *= a  # in place: y' = a y + b S + c ξ
            s = np.asarray(s, dtype=y.dtype)
            s *= b
            y += s
            noise *= c
            y += noise
            bar.update(1)
    final_info = None
    if tracking:
        _, final_info = score_eval(y, float(grid[-1]))
        track.append(np.array(final_info[:B], copy=True))
    # reorder clone blocks to the caller's branch order
    blocks = [y[:B]] + [y[clones[j]:clones[j] + B] for j in range(len(bidx))]
    y_out = np.concatenate(blocks, axis=0)
    if final_info is not None:
        fi = [final_info[:B]] + [final_info[clones[j]:clones[j] + B] for j in range(len(bidx))]
        final_info = np.concatenate(fi, axis=0)
    states = [starts[j] for j in range(len(bidx))]
    return ClonedRun(y_out, grid, B, bidx, states, None if track is None else np.stack(track), final_info)
