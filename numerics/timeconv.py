"""Time conventions: OU time t ↔ DDPM step k ↔ EDM noise level σ (THEORY §0).

The workbench's forward process is Ornstein–Uhlenbeck, ``x_t = e^{-t} a + sqrt(Δ_t) z`` with
``Δ_t = 1 - e^{-2t}``. A DDPM marginal ``x_k = sqrt(ᾱ_k) a + sqrt(1 - ᾱ_k) z`` is the same law
when ``ᾱ_k = e^{-2t}``, i.e. ``t = -½ ln ᾱ_k``. The variance-exploding (EDM, Karras et al. 2022)
rescaling ``x/e^{-t} = a + σ z`` gives ``σ_EDM = sqrt(Δ_t)/e^{-t} = sqrt(e^{2t} - 1)``;
inverse ``t = ½ ln(1 + σ²) = ½ log1p(σ²)``.

Schedules (k = 1..K, ᾱ_k = Π_{j≤k} (1 - β_j)):
- ``linear`` (Ho et al. 2020): β_j linear from ``beta_start=1e-4`` to ``beta_end=0.02``, K = 1000.
- ``cosine`` (Nichol & Dhariwal 2021): ᾱ_k = f(k)/f(0), f(k) = cos²((k/K + s)/(1 + s) · π/2),
  s = 0.008, with β_k clipped at 0.999 as in the reference implementation.
A time between grid steps maps to a fractional step by linear interpolation of t(k) (which is
increasing in k); ``step_from_time(..., integer=True)`` gives the nearest integer step.
"""

from __future__ import annotations

import math

import numpy as np

from numerics import validate

__all__ = ["SCHEDULES", "alpha_bar", "time_from_alpha_bar", "alpha_bar_from_time", "time_from_step",
           "step_from_time", "edm_sigma_from_time", "time_from_edm_sigma", "convert_times"]

SCHEDULES = ("linear", "cosine")


def alpha_bar(schedule: str = "linear", steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02,
              s: float = 0.008) -> np.ndarray:
    """ᾱ_k for k = 0..K (ᾱ_0 = 1)."""
    steps = validate.positive_int("steps", steps)
    if schedule == "linear":
        beta_start = validate.probability("beta_start", beta_start)
        beta_end = validate.probability("beta_end", beta_end)
        betas = np.linspace(beta_start, beta_end, steps)
        return np.concatenate([[1.0], np.exp(np.cumsum(np.log1p(-betas)))])
    if schedule == "cosine":
        s = validate.nonnegative("s", s)
        k = np.arange(steps + 1)
        f = np.cos((k / steps + s) / (1 + s) * math.pi / 2) ** 2
        betas = np.minimum(1.0 - f[1:] / f[:-1], 0.999)
        return np.concatenate([[1.0], np.exp(np.cumsum(np.log1p(-betas)))])
    raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")


def time_from_alpha_bar(ab):
    """t = -½ ln ᾱ."""
    ab = np.asarray(ab, dtype=float)
    if np.any(~(ab > 0)) or np.any(ab > 1):
        raise ValueError("alpha_bar must lie in (0, 1]")
    return -0.5 * np.log(ab)


def alpha_bar_from_time(t):
    """ᾱ = e^{-2t}."""
    t = np.asarray(t, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("t must be finite and >= 0")
    return np.exp(-2.0 * t)


def _t_grid(schedule: str, **kw) -> np.ndarray:
    return time_from_alpha_bar(alpha_bar(schedule, **kw))


def time_from_step(k, schedule: str = "linear", **kw):
    """OU time of DDPM step k (k in [0, K], fractional k interpolates linearly)."""
    tg = _t_grid(schedule, **kw)
    k = np.asarray(k, dtype=float)
    if np.any(~np.isfinite(k)) or np.any(k < 0) or np.any(k > tg.size - 1):
        raise ValueError(f"step k must lie in [0, {tg.size - 1}]")
    out = np.interp(k, np.arange(tg.size), tg)
    return out if out.ndim else float(out)


def step_from_time(t, schedule: str = "linear", integer: bool = False, **kw):
    """DDPM step of OU time t (inverse of :func:`time_from_step`); t beyond the schedule's last
    time raises ``ValueError`` (the schedule never reaches that noise level)."""
    tg = _t_grid(schedule, **kw)
    t = np.asarray(t, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t < 0) or np.any(t > tg[-1]):
        raise ValueError(f"t must lie in [0, {tg[-1]:.6g}] for this schedule")
    out = np.interp(t, tg, np.arange(tg.size))
    if integer:
        out = np.rint(out).astype(int)
    return out if out.ndim else out.item()


def edm_sigma_from_time(t):
    """σ_EDM = sqrt(Δ_t)/e^{-t} = sqrt(e^{2t} - 1) = sqrt(expm1(2t))."""
    t = np.asarray(t, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("t must be finite and >= 0")
    out = np.sqrt(np.expm1(2.0 * t))
    return out if out.ndim else float(out)


def time_from_edm_sigma(sigma):
    """t = ½ ln(1 + σ²)."""
    sigma = np.asarray(sigma, dtype=float)
    if np.any(~np.isfinite(sigma)) or np.any(sigma < 0):
        raise ValueError("sigma must be finite and >= 0")
    out = 0.5 * np.log1p(sigma * sigma)
    return out if out.ndim else float(out)


def convert_times(t) -> dict:
    """A time in every convention: OU t, ᾱ, linear/cosine DDPM step (None beyond the schedule), σ_EDM."""
    t = validate.nonnegative("t", t)
    out = {"t": t, "alpha_bar": float(math.exp(-2 * t)), "edm_sigma": edm_sigma_from_time(t)}
    for sch in SCHEDULES:
        try:
            out[f"ddpm_{sch}_step"] = float(step_from_time(t, sch))
        except ValueError:
            out[f"ddpm_{sch}_step"] = None
    return out
