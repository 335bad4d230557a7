"""``regimes``: one command-line tool for the workbench.

Subcommands live in ``numerics/commands/<name>.py``; each module defines
``register(subparsers)`` and is discovered automatically. Every command that prints numbers
has ``--json``. Bad input exits non-zero with one line on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import sys
from typing import Any, Sequence

__all__ = ["main", "emit", "Parser"]


class CLIError(Exception):
    """An error reported to the user as one line."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line on stderr (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CLIError(f"{self.prog}: error: {message}")


def _clean(obj: Any) -> Any:
    """JSON-safe: numpy scalars/arrays to Python, non-finite floats to null."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def emit(payload: dict, as_json: bool, table: str | None = None) -> None:
    """Print ``payload`` as one JSON object, or the readable ``table``."""
    if as_json:
        print(json.dumps(_clean(payload), indent=2))
    else:
        print(table if table is not None else "\n".join(f"{k:>24}  {v}" for k, v in payload.items()))


def build_parser() -> Parser:
    from numerics import commands

    parser = Parser(prog="regimes", description="Theory workbench for the dynamical regimes of diffusion models.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"numerics.commands.{info.name}")
        if hasattr(mod, "register"):
            mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        ns = parser.parse_args(argv)
        if not getattr(ns, "func", None):
            parser.print_help()
            return 2
        rc = ns.func(ns)
        return int(rc or 0)
    except CLIError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError, OSError) as exc:
        print(f"regimes: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("regimes: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
