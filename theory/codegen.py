"""SymPy -> NumPy / Numba source for every registered result (``python -m theory.codegen``).

For each model a real file ``numerics/generated/<model>.py`` is written holding, per result,

- ``<name>(args...)``: NumPy version (broadcasts over arrays);
- ``<name>_nb(args...)``: the same body compiled with ``numba.njit(cache=True)`` (scalar
  Piecewise is printed as a conditional expression, never ``numpy.select``).

Before printing, expressions are rewritten into numerically stable forms
(``exp(x) - 1 -> expm1(x)``, ``log(1 + x) -> log1p(x)``, ``a**b -> exp(b log a)``,
``ln cosh`` -> an overflow-free helper) and common subexpressions are eliminated.
Generated files are committed; ``tests/test_codegen.py`` fails when they are stale.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.printing.numpy import SciPyPrinter

from theory import registry

__all__ = ["stable_form", "module_source", "write_all", "GENERATED_DIR"]

GENERATED_DIR = Path(__file__).resolve().parent.parent / "numerics" / "generated"

HELPERS = '''
def _logcosh(x):
    """ln cosh x without overflow: |x| + log1p(exp(-2|x|)) - ln 2."""
    ax = numpy.abs(x)
    return ax + numpy.log1p(numpy.exp(-2.0 * ax)) - 0.6931471805599453


_logcosh_nb = numba.njit(cache=True)(_logcosh)


def _sech2(x):
    """sech² x = 4 e^{-2|x|} / (1 + e^{-2|x|})², no overflow."""
    e = numpy.exp(-2.0 * numpy.abs(x))
    return 4.0 * e / (1.0 + e) ** 2


_sech2_nb = numba.njit(cache=True)(_sech2)
'''


# ---------------------------------------------------------------------------------------
# stable rewriting
# ---------------------------------------------------------------------------------------
def _exp_arg(term: sp.Expr, sign: int):
    """If ``term == sign * exp(x)`` return x."""
    if sign == 1 and term.func is sp.exp:
        return term.args[0]
    if sign == -1 and term.is_Mul and len(term.args) == 2 and term.args[0] == -1 and term.args[1].func is sp.exp:
        return term.args[1].args[0]
    return None


def _add_rule(e: sp.Add) -> sp.Expr:
    args = list(e.args)
    for one, sign in ((sp.S.One, -1), (sp.S.NegativeOne, 1)):
        if one in args:
            for a in args:
                x = _exp_arg(a, sign)
                if x is not None:
                    rest = list(args)
                    rest.remove(one)
                    rest.remove(a)
                    return sp.Add(*rest, sign * expm1(x))  # 1 - e^x = -expm1(x); e^x - 1 = expm1(x)
    return e


def stable_form(e: sp.Expr) -> sp.Expr:
    """Rewrite bottom-up into numerically stable primitives (no simplification)."""
    if e.is_Atom:
        return e
    args = [stable_form(a) for a in e.args]
    if isinstance(e, (sp.Sum, sp.Integral)):
        e = e.func(args[0], *e.args[1:])
    else:
        e = e.func(*args)
    if e.is_Add:
        e = _add_rule(e)
    elif e.func is sp.log and e.args[0].is_Add and sp.S.One in e.args[0].args:
        e = log1p(e.args[0] - 1)
    elif e.is_Pow and e.base is not sp.E and not e.exp.is_Number:
        e = sp.exp(e.exp * sp.log(e.base))
    return e


# ---------------------------------------------------------------------------------------
# printers
# ---------------------------------------------------------------------------------------
class _NumpyPrinter(SciPyPrinter):
    def _print_logcosh(self, e):
        return f"_logcosh({self._print(e.args[0])})"

    def _print_sech2(self, e):
        return f"_sech2({self._print(e.args[0])})"

    def _print_logaddexp(self, e):
        a, b = (self._print(x) for x in e.args)
        return f"numpy.logaddexp({a}, {b})"

    def _print_Symbol(self, e):
        return _py_name(e)

    def _print_Pi(self, e):
        return "math.pi"

    def _print_Exp1(self, e):
        return "math.e"


class _NumbaPrinter(_NumpyPrinter):
    def _print_logcosh(self, e):
        return f"_logcosh_nb({self._print(e.args[0])})"

    def _print_sech2(self, e):
        return f"_sech2_nb({self._print(e.args[0])})"

    def _print_Piecewise(self, e):
        out = "numpy.nan"
        for expr, cond in reversed(e.args):
            if cond == sp.true:
                out = self._print(expr)
            else:
                out = f"(({self._print(expr)}) if ({self._print(cond)}) else ({out}))"
        return out


_PY_NAMES: dict[sp.Symbol, str] = {}


def _py_name(s: sp.Symbol) -> str:
    if s in _PY_NAMES:
        return _PY_NAMES[s]
    from theory.symbols import SYMBOLS

    for k, v in SYMBOLS.items():
        if v == s:
            _PY_NAMES[s] = k
            return k
    name = str(s).replace("+", "plus").replace("-", "minus").replace("|", "").replace("\\", "")
    return name


def _function_source(res: registry.Result, printer: _NumpyPrinter, suffix: str, decorator: str) -> str:
    expr = stable_form(res.expr)
    reps, (reduced,) = sp.cse([expr], symbols=sp.numbered_symbols("_x"), optimizations="basic")
    args = ", ".join(res.args)
    formula = sp.sstr(res.expr)
    doc = textwrap.fill(res.description, 84, subsequent_indent="    ")
    lines = []
    if decorator:
        lines.append(decorator)
    lines.append(f"def {res.function_name}{suffix}({args}):")
    lines.append(f'    """{res.name}: {doc}')
    lines.append("")
    lines.append(f"    Arguments (in order): {args}.")
    lines.append("    Formula: " + textwrap.fill(formula, 84, subsequent_indent="        ").lstrip())
    if res.reference:
        lines.append(f"    Reference: {res.reference}.")
    lines.append('    """')
    for s, v in reps:
        lines.append(f"    {s} = {printer.doprint(v)}")
    lines.append(f"    return {printer.doprint(reduced)}")
    return "\n".join(lines)


def module_source(model: str) -> str:
    """The full text of ``numerics/generated/<model>.py``."""
    results = [r for r in registry.all_results() if r.model == model and r.codegen]
    np_printer = _NumpyPrinter({"fully_qualified_modules": True, "strict": False})
    nb_printer = _NumbaPrinter({"fully_qualified_modules": True, "strict": False})
    parts = [
        f'"""Generated by ``python -m theory.codegen`` from the ``{model}`` results of the theory\n'
        "registry. Do not edit by hand: change the derivation and run ``make generate``.\n"
        '"""\n'
        "# fmt: off\n"
        "# ruff: noqa\n"
        "import builtins\n"
        "import math\n\n"
        "import numba\n"
        "import numpy\n"
        "import scipy.special\n",
        HELPERS,
    ]
    names = []
    for r in results:
        parts.append(_function_source(r, np_printer, "", ""))
        names.append(r.function_name)
        if r.numba:
            parts.append(_function_source(r, nb_printer, "_nb", "@numba.njit(cache=True)"))
            names.append(r.function_name + "_nb")
    parts.append("__all__ = [" + ", ".join(repr(n) for n in names) + "]")
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def models() -> list[str]:
    return sorted({r.model for r in registry.all_results() if r.codegen})


def write_all(directory: Path = GENERATED_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for m in models():
        path = directory / f"{m}.py"
        path.write_text(module_source(m))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    ns = ap.parse_args(argv)
    if ns.check:
        stale = [m for m in models() if (GENERATED_DIR / f"{m}.py").read_text() != module_source(m)]
        if stale:
            print("stale generated modules: " + ", ".join(stale))
            return 1
        print("generated modules are up to date")
        return 0
    for p in write_all():
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
