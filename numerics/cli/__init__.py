"""``regimes``: one command-line tool for the workbench.

Commands are declared where they belong: ``numerics/cli/*.py`` (model-free: ``results``, ``latex``,
``simulate``, ``bench``), ``numerics/verify/cli.py``, ``numerics/data/cli.py`` and every
``numerics/models/<model>/cli.py``. A ``cli`` module defines ``register(subparsers)`` and imports
only the standard library and :mod:`numerics.cli.args`; the code that runs is named by a string
``"module:function"`` (``set_defaults(func=...)``) and imported only when that command runs, so
``regimes gm`` never loads SymPy, SciPy or Numba.

Every command that prints numbers has ``--json``. Bad input exits 2 with one line on stderr and
no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import sys
from typing import Any, Callable, Sequence

__all__ = ["main", "emit", "jsonable", "Parser", "CLIError", "build_parser", "command_modules", "resolve"]


class CLIError(Exception):
    """An error reported to the user as one line."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line on stderr (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CLIError(f"{self.prog}: error: {message}")


def jsonable(obj: Any) -> Any:
    """JSON-safe copy: NumPy scalars/arrays to Python, non-finite floats to null."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):  # NumPy array or scalar
        return jsonable(obj.tolist())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


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
            parser.print_help()
            return 2
        rc = resolve(func)(ns)
        return int(rc or 0)
    except CLIError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"regimes: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("regimes: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
