"""Shared argument types and helpers for every ``regimes`` command (standard library only).

Each type parses one command-line string and raises :class:`argparse.ArgumentTypeError` with a
message that argparse prefixes with the option's name, so bad input is one line naming the
parameter (exit 2). Integers are parsed as integers (``--d 10.5`` is rejected, ``--d 1e3`` accepted
as 1000), so JSON outputs print ints as ints. Output paths are checked when the command line is parsed,
before any work (:func:`output_file`, :func:`output_dir`); ``--memory-budget`` and ``--progress`` are
declared once here (:func:`add_memory_budget`, :func:`add_progress`).

Imports: the standard library and the stdlib-only :mod:`numerics.io` and :mod:`numerics.engine.memory`.
"""

from __future__ import annotations

import argparse
import math

from numerics import io as _io
from numerics.engine import memory as _memory

__all__ = ["integer", "positive_int", "nonnegative_int", "seed", "real", "positive", "nonnegative", "probability",
           "time", "input_file", "input_path", "output_file", "figure_file", "output_dir", "output_json", "memory_budget", "add_once", "add_json",
           "add_memory_budget", "add_progress", "FIGURE_SUFFIXES"]

FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".eps", ".jpg", ".jpeg")


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


def input_file(text: str) -> str:
    """A file to read: non-empty, an existing regular file (checked now, before any work)."""
    import os

    if not text:
        raise argparse.ArgumentTypeError("an empty path")
    if not os.path.exists(text):
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"not a regular file: {text!r}")
    return text


def input_path(text: str) -> str:
    """A file or folder to read: non-empty and existing (checked now, before any work)."""
    import os

    if not text:
        raise argparse.ArgumentTypeError("an empty path")
    if not os.path.exists(text):
        raise argparse.ArgumentTypeError(f"no such file or directory: {text!r}")
    return text


def output_file(text: str) -> str:
    """A file to write: non-empty, in an existing writable directory, not a directory (checked now,
    before any work; written atomically later by :mod:`numerics.io`)."""
    why = _io.file_problem(text)
    if why:
        raise argparse.ArgumentTypeError(why)
    return text


def figure_file(text: str) -> str:
    """An output file whose extension names a figure format matplotlib writes (``FIGURE_SUFFIXES``)."""
    why = _io.file_problem(text, suffixes=FIGURE_SUFFIXES)
    if why:
        raise argparse.ArgumentTypeError(why)
    return text


def output_json(text: str) -> str:
    """``-`` (standard output) or a JSON file to write (:func:`output_file`)."""
    return text if text == "-" else output_file(text)


def output_dir(text: str) -> str:
    """An output directory: existing and writable, or new with an existing writable parent."""
    why = _io.dir_problem(text)
    if why:
        raise argparse.ArgumentTypeError(why)
    return text


def memory_budget(text: str) -> int:
    """A memory size in bytes: ``8G``, ``512M``, ``16GiB``, ``2.5e9``."""
    try:
        return _memory.parse_size(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a size like 8G, 512M or 16GiB (at least 1 byte), got {text!r}") from None


def add_once(parser: argparse.ArgumentParser, *flags: str, **kwargs) -> None:
    """Add an option unless one of ``flags`` is already defined (models sharing ``--d``, ``--sigma``)."""
    if any(f in parser._option_string_actions for f in flags):  # noqa: SLF001 - argparse has no public query
        return
    parser.add_argument(*flags, **kwargs)


def add_json(parser: argparse.ArgumentParser) -> None:
    """The ``--json`` flag every command that prints numbers has."""
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_memory_budget(parser: argparse.ArgumentParser) -> None:
    """``--memory-budget SIZE``: runs estimated to need more are refused before allocating (default:
    $REGIMES_MEMORY_BUDGET, else half the physical memory; never more than ``ulimit -v`` leaves)."""
    add_once(parser, "--memory-budget", type=memory_budget, default=None, metavar="SIZE",
             help="refuse runs estimated to need more memory than SIZE (8G, 512M, 16GiB; default "
                  f"${_memory.ENV}, else half the physical memory)")


def add_progress(parser: argparse.ArgumentParser) -> None:
    """``--progress/--no-progress``: progress bars on stderr (default: only when stderr is a terminal
    and the output is not --json)."""
    add_once(parser, "--progress", action=argparse.BooleanOptionalAction, default=None,
             help="progress bars on stderr (default: only on a terminal, never with --json)")
