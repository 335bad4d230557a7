"""Shared core symbols and the helper with which a model declares its own.

Only the symbols that mean the same thing in every model live here (THEORY §0): time ``t``,
dimension ``d``, number of training points ``n``, entropy rate ``alpha = ln n / d`` and a
standard normal variable ``z``. Everything else (``sigma``, ``beta``, ``m`` ...) is declared
by the model module that uses it, *with its awkward test values*: the generic codegen test
evaluates every generated function at those values (THEORY §0 names, paper notation).

Two models may give the same name different meanings (REM's ``beta`` is an inverse
temperature, Curie–Weiss's a coupling): each model's table is its own.

Examples
--------
>>> from theory.symbols import SymbolTable, core, positive
>>> table = SymbolTable(t=core("t", test=[1e-6, 0.37, 3.0, 20.0]),
...                     sigma=positive("sigma", test=[0.05, 1.0, 3.0]))
>>> t, sigma = table("t sigma")
>>> t.is_positive, table.test("sigma")
(True, (0.05, 1.0, 3.0))
>>> table.name_of(sigma)
'sigma'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import sympy as sp

__all__ = ["CORE", "Param", "SymbolTable", "core", "positive", "real"]

_POS = dict(positive=True, real=True)

#: The shared core symbols (THEORY §0). Models pick the ones they use with :func:`core`.
CORE: dict[str, sp.Symbol] = {
    "t": sp.Symbol("t", **_POS),  # diffusion time of the OU process
    "d": sp.Symbol("d", **_POS),  # dimension (N for spins)
    "n": sp.Symbol("n", **_POS),  # number of training points
    "alpha": sp.Symbol("alpha", **_POS),  # entropy rate ln(n)/d
    "z": sp.Symbol("z", real=True),  # standard normal variable
}


@dataclass(frozen=True)
class Param:
    """A model parameter: its SymPy symbol and the awkward values at which it is tested.

    Parameters
    ----------
    symbol : sympy.Symbol
        The symbol used in derivations (its assumptions matter: ``positive`` lets SymPy
        simplify square roots and logarithms).
    test : tuple of float
        Awkward values (tiny, huge, near a boundary) for the generic codegen test, which
        compares each generated function with a 50-digit evaluation of its expression.
    doc : str
        One line: what the symbol means.
    """

    symbol: sp.Symbol
    test: tuple[float, ...]
    doc: str = ""

    def __post_init__(self) -> None:
        if not self.test:
            raise ValueError(f"symbol {self.symbol} needs at least one test value")


def positive(name: str, test: Iterable[float], doc: str = "") -> Param:
    """A positive real parameter named ``name`` (the SymPy name; LaTeX-ish names are fine)."""
    return Param(sp.Symbol(name, **_POS), tuple(float(v) for v in test), doc)


def real(name: str, test: Iterable[float], doc: str = "") -> Param:
    """A real parameter of either sign."""
    return Param(sp.Symbol(name, real=True), tuple(float(v) for v in test), doc)


def core(name: str, test: Iterable[float], doc: str = "") -> Param:
    """A shared core symbol of :data:`CORE` with this model's test values."""
    return Param(CORE[name], tuple(float(v) for v in test), doc)


class SymbolTable(Mapping):
    """A model's symbols: argument name -> SymPy symbol (a read-only mapping).

    Argument names (``p_plus``, ``mu_hs``) are the Python names of the generated functions'
    arguments; the SymPy names (``p_+``, ``mu``) are what LaTeX shows.

    Parameters
    ----------
    **params : Param
        One :class:`Param` per argument name.
    """

    def __init__(self, **params: Param) -> None:
        self._params = dict(params)
        names: dict[sp.Symbol, str] = {}
        for k, p in self._params.items():
            if p.symbol in names:
                raise ValueError(f"symbols {names[p.symbol]!r} and {k!r} are the same SymPy symbol")
            names[p.symbol] = k
        self._names = names

    def __getitem__(self, name: str) -> sp.Symbol:
        return self._params[name].symbol

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __call__(self, names: str) -> tuple[sp.Symbol, ...]:
        """``table("t d sigma")`` -> the symbols, in that order."""
        return tuple(self[k] for k in names.split())

    def param(self, name: str) -> Param:
        """The :class:`Param` declared for argument ``name``."""
        return self._params[name]

    def test(self, name: str) -> tuple[float, ...]:
        """The awkward test values of argument ``name``."""
        return self._params[name].test

    def name_of(self, symbol: sp.Symbol) -> str | None:
        """The argument name of ``symbol`` (``None`` if it is not declared here)."""
        return self._names.get(symbol)
