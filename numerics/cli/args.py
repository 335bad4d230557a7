"""Shared argument types and helpers for every ``regimes`` command (standard library only).

Each type parses one command-line string and raises :class:`argparse.ArgumentTypeError` with a
message that argparse prefixes with the option's name, so bad input is one line naming the
parameter (exit 2). Integers are parsed as integers (``--d 10.5`` is rejected, ``--d 1e3`` accepted
as 1000), so JSON outputs print ints as ints.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["integer", "positive_int", "nonnegative_int", "seed", "real", "positive", "nonnegative", "probability", "time",
           "add_once", "add_json"]


def _float(text: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return v


def _int(text: str, low: int) -> int:
    v = _float(text)
    if v != math.floor(v):
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}")
    if v < low:
        raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}")
    return int(v)


def integer(text: str) -> int:
    """Any integer (negative allowed, e.g. a column index counted from the end)."""
    v = _float(text)
    if v != math.floor(v):
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}")
    return int(v)


def positive_int(text: str) -> int:
    """An integer ≥ 1."""
    return _int(text, 1)


def nonnegative_int(text: str) -> int:
    """An integer ≥ 0."""
    return _int(text, 0)


def seed(text: str) -> int:
    """A random seed: an integer ≥ 0 (never truncated)."""
    return _int(text, 0)


def real(text: str) -> float:
    """Any finite number."""
    return _float(text)


def positive(text: str) -> float:
    """A finite number > 0."""
    v = _float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return v


def nonnegative(text: str) -> float:
    """A finite number ≥ 0."""
    v = _float(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return v


def probability(text: str) -> float:
    """A number strictly between 0 and 1."""
    v = _float(text)
    if not 0.0 < v < 1.0:
        raise argparse.ArgumentTypeError(f"must lie strictly between 0 and 1, got {text!r}")
    return v


def time(text: str) -> float:
    """A diffusion time t > 0 (finite)."""
    return positive(text)


def add_once(parser: argparse.ArgumentParser, *flags: str, **kwargs) -> None:
    """Add an option unless one of ``flags`` is already defined (models sharing ``--d``, ``--sigma``)."""
    if any(f in parser._option_string_actions for f in flags):  # noqa: SLF001 - argparse has no public query
        return
    parser.add_argument(*flags, **kwargs)


def add_json(parser: argparse.ArgumentParser) -> None:
    """The ``--json`` flag every command that prints numbers has."""
    parser.add_argument("--json", action="store_true", help="print one JSON object")
