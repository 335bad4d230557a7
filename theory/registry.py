"""Registry of named theory results.

A named result (``gm.t_S``, ``gm.phi``, ``rem.alpha_c`` ...) is one object: the SymPy
expression obtained by *running* a derivation from the model definition, its argument
symbols (the argument order of the generated numeric function), assumptions, LaTeX, and
the location of the generated numeric function (``numerics.generated.<model>``).

Model modules (``theory.gauss``, ``theory.gm``, ...) declare results with the
:func:`result` decorator; the decorated function *is* the derivation and returns the
expression. Derivations run lazily (SymPy work happens on first access) and are cached.

``theory`` never imports ``numerics``: the numeric function is located by name
(``Result.generated_module``/``Result.function_name``) and loaded by
``numerics.results.numeric``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Iterable

import sympy as sp

__all__ = ["Result", "result", "get", "all_results", "names"]

_REGISTRY: dict[str, "Result"] = {}
_LOADED = False


@dataclass
class Result:
    """A named, derived theory result."""

    name: str
    derive: Callable[[], sp.Expr]
    args: tuple[str, ...]
    symbol: str  # LaTeX of the left-hand side, e.g. r"t_S"
    description: str
    assumptions: str = ""
    reference: str = ""
    codegen: bool = True
    numba: bool = True
    _expr: sp.Expr | None = field(default=None, repr=False)
    _derivation: list[tuple[str, sp.Basic]] = field(default_factory=list, repr=False)

    # ---- symbolic side -------------------------------------------------------------
    @property
    def model(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def short(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def expr(self) -> sp.Expr:
        """The derived SymPy expression (the derivation runs on first access)."""
        if self._expr is None:
            steps: list[tuple[str, sp.Basic]] = []
            _CURRENT_STEPS.append(steps)
            try:
                expr = self.derive()
            finally:
                _CURRENT_STEPS.pop()
            self._expr = expr
            self._derivation = steps
        return self._expr

    @property
    def derivation(self) -> list[tuple[str, sp.Basic]]:
        """The recorded derivation steps: ``[(what, expression), ...]``."""
        self.expr
        return list(self._derivation)

    @property
    def arg_symbols(self) -> tuple[sp.Symbol, ...]:
        from theory.symbols import SYMBOLS

        return tuple(SYMBOLS[a] for a in self.args)

    @property
    def label(self) -> str:
        return "eq:" + self.name.replace(".", ":").replace("_", "-")

    def latex(self) -> str:
        """``symbol = expression`` as LaTeX (no environment)."""
        return f"{self.symbol} = {sp.latex(self.expr)}"

    def latex_equation(self) -> str:
        return (
            "\\begin{equation}\n"
            f"  {self.latex()}\n"
            f"  \\label{{{self.label}}}\n"
            "\\end{equation}"
        )

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def lambdify(self):
        """Quick NumPy function from the expression (for notebooks; hot paths use the
        generated module instead)."""
        return sp.lambdify(self.arg_symbols, self.expr, modules=["numpy", "scipy"])

    # ---- numeric side (located by name, loaded by numerics) ------------------------
    @property
    def generated_module(self) -> str:
        return f"numerics.generated.{self.model}"

    @property
    def function_name(self) -> str:
        return self.short


class _StepStack(list):
    def record(self, what: str, expr: sp.Basic) -> sp.Basic:
        if self:
            self[-1].append((what, expr))
        return expr


_CURRENT_STEPS = _StepStack()


def step(what: str, expr: sp.Basic) -> sp.Basic:
    """Record a derivation step (shown by ``regimes latex NAME --steps``) and return it."""
    return _CURRENT_STEPS.record(what, expr)


def result(
    name: str,
    *,
    args: Iterable[str],
    symbol: str,
    description: str,
    assumptions: str = "",
    reference: str = "",
    codegen: bool = True,
    numba: bool = True,
):
    """Decorator: register the derivation ``fn() -> sympy.Expr`` under ``name``."""

    def deco(fn: Callable[[], sp.Expr]) -> Callable[[], sp.Expr]:
        if name in _REGISTRY:
            raise ValueError(f"result {name!r} registered twice")
        _REGISTRY[name] = Result(
            name=name,
            derive=fn,
            args=tuple(args),
            symbol=symbol,
            description=description,
            assumptions=assumptions,
            reference=reference,
            codegen=codegen,
            numba=numba,
        )

        @functools.wraps(fn)
        def cached() -> sp.Expr:
            return _REGISTRY[name].expr

        return cached

    return deco


def _model_modules() -> list[str]:
    """Model modules are the ``theory`` submodules that define ``MODEL = "<prefix>"``."""
    import theory

    found = []
    for info in pkgutil.iter_modules(theory.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"theory.{info.name}")
        if getattr(mod, "MODEL", None):
            found.append(mod.__name__)
    return sorted(found)


def _load() -> None:
    global _LOADED
    if not _LOADED:
        _model_modules()
        _LOADED = True


def names() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def all_results() -> list[Result]:
    _load()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get(name: str) -> Result:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown result {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None
