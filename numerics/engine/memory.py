"""The memory budget: a run that would need more memory than the budget is refused *before* it
allocates, with one line naming the parameters that set the size and the size it would need.

Budget (bytes), the smallest of:

- the value set for the current call (:func:`budget_override`, what ``--memory-budget SIZE`` does),
  else the environment variable ``REGIMES_MEMORY_BUDGET`` (``"8G"``, ``"512M"``, ``"2.5e9"``, ``"16GiB"``),
  else half of the machine's physical memory;
- the address space left under ``ulimit -v`` (``RLIMIT_AS`` minus what the process already maps), when a
  limit is set: the budget never promises memory the process cannot map.

Estimates are upper bounds of the peak working set (every simultaneously live array counted) computed
from the sizes alone: :func:`require` compares one estimate with the budget. The experiments of the
engine call it with their own estimates (:mod:`numerics.engine.cloning`, :mod:`~numerics.engine.collapse`,
:mod:`~numerics.engine.entropy`, :mod:`~numerics.engine.sde`); a model may refine the cost of its score
and sampler with the optional protocol hooks ``score_bytes(batch)`` and ``sample_bytes(size)``
(:func:`score_bytes`, :func:`sample_bytes` give the generic estimates otherwise).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import re
from typing import Iterator

__all__ = ["ENV", "MemoryBudgetError", "parse_size", "format_size", "budget", "default_budget",
           "budget_override", "require", "score_bytes", "sample_bytes", "FLOAT"]

ENV = "REGIMES_MEMORY_BUDGET"
FLOAT = 8  # bytes of a float64 / int64
_OVERRIDE: contextvars.ContextVar[int | None] = contextvars.ContextVar("regimes_memory_budget", default=None)
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


class MemoryBudgetError(ValueError):
    """A run refused because its estimated memory exceeds the budget (a ``ValueError``: exit 2 in the CLI)."""


def parse_size(text, name: str = "memory-budget") -> int:
    """Bytes from ``"4G"``, ``"512M"``, ``"16GiB"``, ``"2.5e9"``, ``"1000000"`` (decimal k/M/G/T, binary
    KiB/MiB/GiB/TiB); ``ValueError`` naming ``name`` unless it is a positive finite size of at least 1 byte."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"{name} must be a size like 8G, 512M or 16GiB, got {text!r}")
    value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if not math.isfinite(value) or value < 1:
        raise ValueError(f"{name} must be at least 1 byte, got {text!r}")
    return int(value)


def format_size(nbytes: float) -> str:
    """``1.5 GiB``-style size (binary units)."""
    n = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if abs(n) < 1024 or unit == "EiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} EiB"  # pragma: no cover


def default_budget() -> int:
    """Half the physical memory (4 GiB when it cannot be read)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")) // 2
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 4 * 2**30


def _address_space_left() -> int | None:
    """Bytes the process may still map under ``ulimit -v`` (None when unlimited or unknown)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, ValueError, OSError):  # pragma: no cover
        return None
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return None
    used = 0
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
                    break
    except OSError:  # pragma: no cover - no procfs
        pass
    return max(int(0.9 * (soft - used)), 0)


def _configured() -> tuple[int, str]:
    over = _OVERRIDE.get()
    if over is not None:
        return over, "--memory-budget"
    env = os.environ.get(ENV)
    if env:
        return parse_size(env, ENV), ENV
    return default_budget(), "default: half the physical memory"


def budget() -> int:
    """The memory budget in bytes now (see the module docstring)."""
    value, _ = _configured()
    left = _address_space_left()
    return value if left is None else min(value, left)


@contextlib.contextmanager
def budget_override(nbytes: int | str | None) -> Iterator[None]:
    """Within the block the budget is ``nbytes`` (a size string is parsed; None keeps the current one)."""
    if nbytes is None:
        yield
        return
    value = parse_size(nbytes) if isinstance(nbytes, str) else int(nbytes)
    if value < 1:
        raise ValueError(f"memory-budget must be at least 1 byte, got {nbytes!r}")
    token = _OVERRIDE.set(value)
    try:
        yield
    finally:
        _OVERRIDE.reset(token)


def require(nbytes: float, what: str, **sizes) -> None:
    """Refuse (:class:`MemoryBudgetError`) when ``nbytes`` exceeds the budget.

    ``what`` says what needs the memory ("the trajectories"), ``sizes`` the parameters that set it
    (``samples=10**12, d=16``): the one-line message names them, the size needed and the budget.
    """
    b = budget()
    if not nbytes > b:
        return
    value, source = _configured()
    left = _address_space_left()
    why = "the address space left under ulimit -v" if (left is not None and left < value) else source
    params = ", ".join(f"{k}={_num(v)}" for k, v in sizes.items())
    raise MemoryBudgetError(
        f"{params}: {what} would need about {format_size(nbytes)}, over the memory budget of {format_size(b)} "
        f"({why}); lower {' or '.join(sizes) or 'the sizes'}, or raise the budget with --memory-budget SIZE "
        f"or {ENV}=SIZE")


def _num(v) -> str:
    if isinstance(v, float) and v == int(v) and abs(v) < 1e18:
        v = int(v)
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def score_bytes(model, batch: float) -> float:
    """Peak bytes of one score evaluation on ``batch`` points: the model's ``score_bytes`` hook, else
    3 arrays of the batch's size (the result and two temporaries)."""
    hook = getattr(model, "score_bytes", None)
    if hook is not None:
        return float(hook(batch))
    return 3.0 * batch * float(model.dim) * FLOAT


def sample_bytes(model, size: float) -> float:
    """Peak bytes of drawing ``size`` points: the model's ``sample_bytes`` hook, else 4 arrays of
    ``size × dim`` float64 (the draw, its noise and two temporaries)."""
    hook = getattr(model, "sample_bytes", None)
    if hook is not None:
        return float(hook(size))
    return 4.0 * size * float(model.dim) * FLOAT
