"""Curie–Weiss backward generation with an exact, saddle-point or learned score (THEORY §4):
generated state weights p_+ and ⟨|m|⟩, the magnetization histogram against the exact law."""

from __future__ import annotations

import math

import numpy as np

from numerics import validate
from numerics.engine import sde
from numerics.models.cw import kernels as K
from numerics.models.cw.model import CurieWeiss, state_of

__all__ = ["backward_grid", "generate", "magnetization_histogram", "require_memory"]


def backward_grid(T: float, t_min: float, steps: int) -> np.ndarray:
    """Decreasing times with step ε·min(t, 1): uniform above t = 1 (the weights are decided near
    t_S ~ ½ ln N), geometric below; the exponential integrator's bias is O(ε)."""
    steps = validate.positive_int("steps", steps)
    T = validate.positive("T", T)
    t_min = validate.positive("t_min", t_min)
    if T <= 1.0 or t_min >= 1.0:
        return sde.time_grid(T, t_min, steps, "geometric")
    eps = (math.log(1.0 / t_min) + (T - 1.0)) / steps
    n_lo = min(steps - 1, max(1, int(round(math.log(1.0 / t_min) / eps))))
    hi = np.linspace(T, 1.0, steps - n_lo + 1)
    lo = sde.time_grid(1.0, t_min, n_lo, "geometric")
    return np.concatenate([hi, lo[1:]])


def require_memory(model: CurieWeiss, samples: int, steps: int, n_train: int = 0) -> None:
    """Refuse (before allocating) a generation whose working set exceeds the memory budget: the state,
    its noise and one score evaluation on ``samples`` points (the model's ``score_bytes``), the grid, and
    ``n_train`` exact training samples with the pseudo-likelihood fit's six (n_train, N) arrays."""
    from numerics.engine import memory

    if n_train:
        memory.require(model.sample_bytes(n_train) + 6.0 * memory.FLOAT * n_train * model.N, "the training samples",
                       **{"n-train": n_train, "N": model.N})
    need = 2.0 * memory.FLOAT * samples * model.N + model.score_bytes(samples) + model.sample_bytes(0)
    memory.require(need, "the generated samples", samples=samples, N=model.N)
    memory.require(4.0 * memory.FLOAT * (steps + 1), "the time grid", steps=steps)


def _score_fn(kind: str, beta: float, fields, N: int):
    if kind == "exact":
        grid = K.mu_grid(N, beta)
        return lambda y, t: K.score_exact(y, t, beta, fields, grid)
    if kind == "saddle":
        grid = K.mu_grid(N, beta, spacing=2.0)
        return lambda y, t: K.score_saddle(y, t, beta, fields, grid)
    raise ValueError(f"score must be 'exact', 'saddle' or 'learned', got {kind!r}")


def generate(model: CurieWeiss, samples: int, rng: np.random.Generator, *, score: str = "exact",
             fields=None, J: float | None = None, steps: int = 240, t_min: float = 0.05,
             T: float | None = None, method: str = "exponential", progress: bool = False) -> dict:
    """Backward generation from N(0, I) at T (default t_S + 5) to t_min with the exact or saddle
    score of the model (or of the learned fields/J if given), then the exact draw s ~ P(s | y_{t_min})
    (``posterior_spins``; with the model's own score this maps P_{t_min} to P_0 exactly). Returns
    states, M, p_+ and ⟨|m|⟩ with standard errors."""
    samples = validate.positive_int("samples", samples)
    steps = validate.positive_int("steps", steps)
    N = model.N
    fields = K.fields_array(model.fields if fields is None else fields, N)
    J = model.beta if J is None else validate.positive("J", J)
    T = max(model.t_S, 0.0) + 5.0 if T is None else validate.positive("T", T)
    require_memory(model, samples, steps)
    grid = backward_grid(T, t_min, steps)
    fn = _score_fn(score, J, fields, N)
    y0 = rng.standard_normal((samples, N))
    y = sde.integrate_backward(fn, y0, grid, rng, method, progress=progress, desc="generation (cw)")
    st, M = state_of(K.posterior_spins(y, t_min, J, fields, rng), rng)
    plus = (st > 0).astype(float)
    p = float(plus.mean())
    return {"states": st, "M": M, "p_plus": p,
            "p_plus_stderr": float(plus.std(ddof=1) / math.sqrt(samples)) if samples > 1 else float("nan"),
            "mean_abs_m": float(np.mean(np.abs(M)) / N),
            "mean_abs_m_stderr": float(np.std(np.abs(M) / N, ddof=1) / math.sqrt(samples)) if samples > 1 else float("nan")}


def magnetization_histogram(M: np.ndarray, model: CurieWeiss) -> dict:
    """Counts of the generated M on the support of the exact law, with the exact probabilities."""
    Mv, P = model.magnetization_law()
    counts = np.array([(M == v).sum() for v in Mv])
    return {"M": Mv, "counts": counts, "exact": P}
