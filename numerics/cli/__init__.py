"""``regimes``: one command-line tool for the workbench.

Commands are declared where they belong: ``numerics/cli/*.py`` (model-free: ``results``, ``latex``,
``simulate``, ``bench``), ``numerics/verify/cli.py``, ``numerics/data/cli.py`` and every
``numerics/models/<model>/cli.py``. A ``cli`` module defines ``register(subparsers)`` and imports
only the standard library and :mod:`numerics.cli.args`; the code that runs is named by a string
``"module:function"`` (``set_defaults(func=...)``) and imported only when that command runs, so
``regimes gm`` never loads SymPy, SciPy or Numba.

Every command that prints numbers has ``--json``. Bad input exits 2 with one line on stderr and
no traceback; so does a run refused by the memory budget (``--memory-budget``, :mod:`numerics.engine.memory`).
JSON output: NaN is ``null`` (each nullable key is documented in docs/inputs.md), ±∞ is the string
``"Infinity"`` / ``"-Infinity"`` (a documented limit, e.g. ``t_C`` for one training point). A closed
pipe (``regimes results | head -1``) ends the command quietly with exit 0.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import os
import re
import sys
from typing import Any, Callable, Sequence

__all__ = ["main", "emit", "jsonable", "Parser", "CLIError", "build_parser", "command_modules", "resolve",
           "progress_wanted", "INFINITY"]

_NEGATIVE_NUMBER = re.compile(r"^-(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^-(?:inf|infinity|nan)$", re.IGNORECASE)
INFINITY = "Infinity"  # JSON-safe +inf (float("Infinity") == inf in Python; Number("Infinity") in JavaScript)


class CLIError(Exception):
    """An error reported to the user as one line."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line on stderr (exit 2), and which reads ``-1e300``,
    ``-2.5e-3``, ``-inf`` as negative numbers (argparse alone takes them for options: ``--H -1e300``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CLIError(f"{self.prog}: error: {message}")


def jsonable(obj: Any) -> Any:
    """JSON-safe copy: NumPy scalars/arrays to Python, NaN to null, ±inf to ``"Infinity"``/``"-Infinity"``."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):  # NumPy array or scalar
        return jsonable(obj.tolist())
    if isinstance(obj, float):
        if math.isnan(obj):
            return None
        if math.isinf(obj):
            return INFINITY if obj > 0 else "-" + INFINITY
        return obj
    return obj


def progress_wanted(ns) -> bool:
    """Progress bars for this command: ``--progress``/``--no-progress`` when given, else only when stderr
    is a terminal and the output is not ``--json`` (no bar frames in a piped log)."""
    p = getattr(ns, "progress", None)
    if p is not None:
        return bool(p)
    return bool(sys.stderr.isatty()) and not getattr(ns, "json", False)


def emit(payload: dict, as_json: bool, table: str | None = None) -> None:
    """Print ``payload`` as one JSON object, or the readable ``table``."""
    if as_json:
        print(json.dumps(jsonable(payload), indent=2))
    else:
        print(table if table is not None else "\n".join(f"{k:>24}  {v}" for k, v in payload.items()))


# declaration modules of the model-free commands (their code: registry.py, simulations.py, benchmarks.py)
MODEL_FREE_COMMANDS = ("results", "simulate", "bench", "notebooks")


def command_modules() -> list[str]:
    """Modules that declare commands: ``numerics.cli.*``, ``numerics.verify.cli``, ``numerics.data.cli``
    and ``numerics.models.<model>.cli`` for every model folder that has one."""
    import numerics.models

    mods = [f"numerics.cli.{name}" for name in MODEL_FREE_COMMANDS]
    mods += ["numerics.verify.cli", "numerics.data.cli"]
    for name in numerics.models.names():
        if importlib.util.find_spec(f"numerics.models.{name}.cli") is not None:
            mods.append(f"numerics.models.{name}.cli")
    return mods


def resolve(ref: str | Callable) -> Callable:
    """A callable from ``"package.module:function"`` (imported now), or the callable itself."""
    if callable(ref):
        return ref
    mod, _, attr = ref.partition(":")
    return getattr(importlib.import_module(mod), attr)


def build_parser() -> Parser:
    """The ``regimes`` parser with every registered command."""
    parser = Parser(prog="regimes", description="Theory workbench for the dynamical regimes of diffusion models.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in command_modules():
        mod = importlib.import_module(name)
        register = getattr(mod, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``regimes``: returns the exit code (0 success, 1 a failed check, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        ns = parser.parse_args(argv)
        if getattr(ns, "version", False) and ns.command is None:
            from regimes import __version__

            print(f"regimes {__version__}")
            return 0
        func = getattr(ns, "func", None)
        if func is None:
            raise CLIError("regimes: error: choose a COMMAND (see `regimes --help`)")
        budget = getattr(ns, "memory_budget", None)
        if budget is not None:
            from numerics.engine.memory import budget_override

            with budget_override(budget):
                rc = resolve(func)(ns)
        else:
            rc = resolve(func)(ns)
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers, not at interpreter exit
        return int(rc or 0)
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except CLIError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"regimes: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("regimes: error: out of memory: lower the sizes, or the memory budget (--memory-budget) so that "
              "the run is refused before it allocates", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("regimes: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (in-process tests)
        pass


if __name__ == "__main__":
    raise SystemExit(main())
