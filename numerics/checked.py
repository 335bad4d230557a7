"""Generated functions with validated arguments: ``checked("gm.t_S")(d, mu, sigma, p_plus)``.

The generated kernels (``numerics/generated/<model>.py``) are raw: they evaluate the derived formula on
whatever they get (``numeric("gm.t_S")(-1024, 1, 1, 0.5)`` is NaN, ``sigma**4`` on a Python float raises
``OverflowError``, ``gauss.kl_expected(100.0, 10.0)`` a ``TypeError``). :func:`checked` wraps one of them
for the public API:

- every argument is checked against the domain of its name (:data:`DOMAINS`, the assumptions of
  ``theory/symbols.py`` closed where the formula has a limit: ``sigma = 0``, ``n = 1``), and the
  cross-argument conditions of a result (:data:`CONDITIONS`, e.g. ``n > d + 1`` for ``gauss.kl_expected``);
  a violation is a ``ValueError`` naming the argument;
- the kernel then runs on NumPy float64 values (integers where the domain says so) under
  ``np.errstate(all="ignore")``: overflow and division by zero give ±inf as IEEE arithmetic does
  (``checked("gm.t_C")(1, d, σ)`` is +inf, the collapse time of one training point), never a Python
  exception or a printed warning; 0-d results come back as Python floats.

The raw kernels stay as they are (the simulations call them in their inner loops on validated inputs).
``numerics.results.numeric`` is the raw accessor; this module adds no state and imports neither SymPy
nor Numba.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["checked", "Domain", "DOMAINS", "CONDITIONS", "domain_of"]


@dataclass(frozen=True)
class Domain:
    """Allowed values of one argument: ``low``/``high`` bounds (open unless ``*_closed``), ``integer``,
    and ``infinite`` (whether ±inf within the bounds is a meaningful limit)."""

    low: float = -math.inf
    high: float = math.inf
    low_closed: bool = False
    high_closed: bool = False
    integer: bool = False
    infinite: bool = False

    def describe(self) -> str:
        """The domain in words ("a finite number > 0")."""
        parts = []
        if self.low > -math.inf:
            parts.append((">= " if self.low_closed else "> ") + f"{self.low:g}")
        if self.high < math.inf:
            parts.append(("<= " if self.high_closed else "< ") + f"{self.high:g}")
        kind = "an integer" if self.integer else ("a number" if self.infinite else "a finite number")
        return kind + (" " + " and ".join(parts) if parts else "")

    def contains(self, v: np.ndarray) -> np.ndarray:
        """Element-wise: whether the values of ``v`` lie in the domain."""
        ok = ~np.isnan(v)
        if not self.infinite:
            ok &= np.isfinite(v)
        ok &= (v >= self.low) if self.low_closed else (v > self.low)
        ok &= (v <= self.high) if self.high_closed else (v < self.high)
        if self.integer:
            ok &= np.isfinite(v) & (np.floor(v) == v)
        return ok


REAL = Domain()
POSITIVE = Domain(low=0.0)
NONNEGATIVE = Domain(low=0.0, low_closed=True)
PROBABILITY = Domain(low=0.0, high=1.0)

# Domains by argument name (theory/symbols.py); unknown names are finite reals.
DOMAINS: dict[str, Domain] = {
    "t": POSITIVE,  # diffusion time
    "d": POSITIVE,  # dimension (a real in the closed forms; integer where a result says so)
    "N": POSITIVE,  # number of spins
    "n": Domain(low=1.0, low_closed=True),  # training points (n = 1: α = 0, t_C = +inf)
    "alpha": NONNEGATIVE,  # ln n / d
    "sigma": NONNEGATIVE,  # σ = 0: point classes
    "mu": NONNEGATIVE,  # μ̃ of |m|² = d μ̃²
    "p_plus": PROBABILITY,
    "lam": POSITIVE,  # covariance eigenvalue
    "gamma": POSITIVE,  # d/n
    "kappa": Domain(low=0.0, low_closed=True, infinite=True),
    "eps": POSITIVE,
    "Delta": POSITIVE, "Gamma": POSITIVE, "Lambda": POSITIVE, "m_norm": NONNEGATIVE,
    "r": POSITIVE,  # |x|²/d
    "y": POSITIVE,  # level energy
    "rho": POSITIVE,
    "m_pd": Domain(low=0.0, high=1.0),  # Poisson-Dirichlet parameter
    "beta": POSITIVE,  # inverse temperature (CW, REM)
    "chi": Domain(low=0.0, low_closed=True, infinite=True),  # +inf at the critical point
    "m": Domain(low=-1.0, high=1.0, low_closed=True, high_closed=True),  # magnetization per spin
    "z": REAL, "q": REAL, "x": REAL, "u": REAL, "k": REAL, "H": REAL, "h": REAL, "M": REAL,
    "mu_hs": REAL, "lam_i": REAL,
}

# Per-result domains overriding the name's, and conditions between arguments (message, predicate).
RESULT_DOMAINS: dict[str, dict[str, Domain]] = {
    "gauss.kl_expected": {"n": Domain(low=1.0, low_closed=True, integer=True),
                          "d": Domain(low=1.0, low_closed=True, integer=True)},
    "cw.Lambda_exact": {"z": NONNEGATIVE},
}
CONDITIONS: dict[str, list[tuple[str, str, Callable[..., bool]]]] = {
    "gauss.kl_expected": [("n", "n must exceed d + 1 for a finite expected KL", lambda n, d: np.all(n > d + 1))],
    "gauss.mp_density": [("gamma", "gamma must be < 1 (no atom at zero)", lambda x, gamma: np.all(gamma < 1))],
}


def domain_of(name: str, arg: str) -> Domain:
    """The domain of argument ``arg`` of result ``name``."""
    return RESULT_DOMAINS.get(name, {}).get(arg, DOMAINS.get(arg, REAL))


def _value(name: str, arg: str, value, dom: Domain):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{arg} of {name} must be {dom.describe()}, got {value!r}") from None
    bad = ~dom.contains(arr)
    if bad.any():
        shown = arr if arr.ndim == 0 else arr[bad].ravel()[0]
        raise ValueError(f"{arg} of {name} must be {dom.describe()}, got {float(shown)!r}")
    if dom.integer:
        return int(arr) if arr.ndim == 0 else arr.astype(np.int64)
    return np.float64(arr) if arr.ndim == 0 else arr


@functools.lru_cache(maxsize=None)
def checked(name: str) -> Callable:
    """The generated function of result ``name`` with its arguments validated (module docstring).

    ``ValueError`` for an unknown name, and at call time for an argument outside its domain (the
    message names the argument and the result).

    >>> checked("gm.t_S")(1024, 1.0, 1.0, 0.5)  # ½ ln(σ² + 4 p_+ p_- d μ̃²) = ½ ln 1025
    3.46622394578...
    """
    from numerics.results import numeric

    fn = numeric(name)
    sig = inspect.signature(fn)
    params = list(sig.parameters)
    conditions = CONDITIONS.get(name, [])

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise ValueError(f"{name} takes ({', '.join(params)}): {exc}") from None
        vals = {a: _value(name, a, v, domain_of(name, a)) for a, v in bound.arguments.items()}
        for arg, message, pred in conditions:
            names = inspect.signature(pred).parameters
            if not pred(*(vals[p] for p in names)):
                raise ValueError(f"{arg} of {name}: {message}, got " + ", ".join(f"{p}={vals[p]!r}" for p in names))
        with np.errstate(all="ignore"):
            out = fn(**vals)
        if isinstance(out, np.ndarray) and out.ndim == 0:
            return float(out)
        if isinstance(out, (np.floating, np.integer)):
            return float(out)
        return out

    wrapped.__doc__ = (fn.__doc__ or "") + "\n\n    Arguments validated by numerics.checked (ValueError naming the argument)."
    return wrapped
