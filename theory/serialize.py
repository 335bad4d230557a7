"""Safe JSON form of SymPy expression trees (no pickle, no ``eval``/``sympify`` of text).

:func:`encode` turns an expression into plain JSON data; :func:`decode` rebuilds it through a
*whitelist* of node classes, with ``evaluate=False`` wherever the class accepts it, so the
rebuilt tree is the same tree (``srepr`` equal). Anything outside the whitelist raises
:class:`UnsupportedNode` on encoding and :class:`ValueError` on decoding: nothing in a file
can make the decoder call anything else.

Node forms (JSON):

- ``["S", name, {assumptions}]`` a Symbol, ``["D", name, index, {assumptions}]`` a Dummy,
  ``["Str", text]``;
- ``["I", "123"]`` Integer, ``["Q", "p", "q"]`` Rational, ``["F", sign, "man", exp, bc, prec]``
  Float (exact binary value), ``["C", "Pi"]`` a singleton constant;
- ``["U", name, [args]]`` an applied undefined function ``v(t)``;
- ``[ClassName, [args]]`` any whitelisted class (Add, Mul, Pow, exp, Integral, Piecewise ...).

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x", positive=True)
>>> e = sp.Integral(sp.exp(-x**2) * sp.log(1 + x), (x, 0, sp.oo)) + sp.Rational(1, 3)
>>> decode(encode(e)) == e
True
>>> encode(sp.Rational(1, 3))
['Q', '1', '3']
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.core.function import AppliedUndef
from sympy.core.symbol import Str
from sympy.functions.elementary.piecewise import ExprCondPair

from theory.special import Named, logaddexp, logcosh, sech2

__all__ = ["encode", "decode", "UnsupportedNode", "FORMAT"]

#: Version of the node format (part of every cache key).
FORMAT = 1


class UnsupportedNode(TypeError):
    """Raised when an expression holds a node class outside the whitelist."""


_S = sp.S
#: singletons by name (constants, infinities, booleans and the small integers)
_CONSTANTS: dict[str, sp.Basic] = {
    "Pi": _S.Pi, "Exp1": _S.Exp1, "EulerGamma": _S.EulerGamma, "Catalan": _S.Catalan,
    "GoldenRatio": _S.GoldenRatio, "ImaginaryUnit": _S.ImaginaryUnit, "Infinity": _S.Infinity,
    "NegativeInfinity": _S.NegativeInfinity, "ComplexInfinity": _S.ComplexInfinity, "NaN": _S.NaN,
    "true": sp.true, "false": sp.false, "EmptySet": _S.EmptySet,
}
_CONSTANT_NAMES = {id(v): k for k, v in _CONSTANTS.items()}

#: whitelisted classes rebuilt as cls(*args, evaluate=False)
_EVALUATE_FALSE: dict[str, type] = {c.__name__: c for c in (
    sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh,
    sp.asinh, sp.acosh, sp.atanh, sp.atan, sp.Abs, sp.sign, sp.re, sp.im, sp.arg, sp.conjugate,
    sp.gamma, sp.loggamma, sp.polygamma, sp.digamma, sp.binomial, sp.factorial, sp.erf, sp.erfc,
    sp.Heaviside, sp.LambertW, sp.Min, sp.Max, sp.floor, sp.ceiling,
    sp.Equality, sp.Unequality, sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan,
    sp.And, sp.Or, sp.Not, sp.Piecewise, sp.Derivative, sp.Subs,
    expm1, log1p, logcosh, sech2, logaddexp,
)}
#: whitelisted classes rebuilt as cls(*args) (they never evaluate on construction)
_PLAIN: dict[str, type] = {c.__name__: c for c in (
    sp.Integral, sp.Sum, sp.Product, sp.Limit, sp.Order, sp.Tuple, ExprCondPair, sp.Interval, Named,
)}


def _assumptions(s: sp.Symbol) -> dict:
    orig = getattr(s, "_assumptions_orig", None)
    return dict(orig if orig is not None else s.assumptions0)


def encode(e: sp.Basic) -> list:
    """The JSON-ready tree of an expression; see the module docstring for the node forms.

    Parameters
    ----------
    e : sympy.Basic, Matrix, list or tuple
        The expression (matrices and sequences are accepted for derivation steps).

    Returns
    -------
    list
        Nested lists of strings, ints, bools and dicts of assumptions.

    Raises
    ------
    UnsupportedNode
        For a node class outside the whitelist.
    """
    if isinstance(e, sp.MatrixBase):
        return ["Matrix", e.rows, e.cols, [encode(x) for x in e]]
    if isinstance(e, (list, tuple)):
        return ["Tuple", [encode(x) for x in e]]
    key = _CONSTANT_NAMES.get(id(e))
    if key is not None:
        return ["C", key]
    if isinstance(e, sp.Dummy):
        return ["D", e.name, e.dummy_index, _assumptions(e)]
    if isinstance(e, sp.Symbol):
        return ["S", e.name, _assumptions(e)]
    if isinstance(e, Str):
        return ["Str", e.name]
    if isinstance(e, sp.Integer):
        return ["I", str(e.p)]
    if isinstance(e, sp.Rational):
        return ["Q", str(e.p), str(e.q)]
    if isinstance(e, sp.Float):
        sign, man, exp, bc = e._mpf_
        return ["F", sign, str(man), exp, bc, e._prec]
    if isinstance(e, AppliedUndef):
        return ["U", e.func.__name__, [encode(a) for a in e.args]]
    name = type(e).__name__
    if name in _EVALUATE_FALSE and type(e) is _EVALUATE_FALSE[name] or name in _PLAIN and type(e) is _PLAIN[name]:
        return [name, [encode(a) for a in e.args]]
    raise UnsupportedNode(f"cannot serialise a {name} node ({sp.srepr(e)[:80]})")


def _build(cls: type, args: list):
    try:
        return cls(*args, evaluate=False)
    except TypeError:
        return cls(*args)


def decode(tree: list) -> sp.Basic:
    """Rebuild the expression of an :func:`encode` tree, through the whitelist only.

    Parameters
    ----------
    tree : list
        As produced by :func:`encode` (after a JSON round trip).

    Returns
    -------
    sympy.Basic
        The same tree (``srepr`` equal), built with ``evaluate=False``.

    Raises
    ------
    ValueError
        For a malformed tree or a node name outside the whitelist.
    """
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        raise ValueError(f"malformed expression node: {str(tree)[:80]}")
    tag = tree[0]
    if tag == "S":
        return sp.Symbol(str(tree[1]), **_bool_dict(tree[2]))
    if tag == "D":
        return sp.Dummy(str(tree[1]), dummy_index=int(tree[2]), **_bool_dict(tree[3]))
    if tag == "Str":
        return Str(str(tree[1]))
    if tag == "I":
        return sp.Integer(int(tree[1]))
    if tag == "Q":
        return sp.Rational(int(tree[1]), int(tree[2]))
    if tag == "F":
        _, sign, man, exp, bc, prec = tree
        return sp.Float._new((int(sign), int(man), int(exp), int(bc)), int(prec))
    if tag == "C":
        try:
            return _CONSTANTS[tree[1]]
        except KeyError:
            raise ValueError(f"unknown constant {tree[1]!r}") from None
    if tag == "U":
        return sp.Function(str(tree[1]))(*[decode(a) for a in tree[2]])
    if tag == "Matrix":
        _, rows, cols, entries = tree
        return sp.ImmutableMatrix(int(rows), int(cols), [decode(a) for a in entries])
    args = [decode(a) for a in tree[1]]
    if tag in _EVALUATE_FALSE:
        return _build(_EVALUATE_FALSE[tag], args)
    if tag in _PLAIN:
        return _PLAIN[tag](*args)
    raise ValueError(f"node {tag!r} is not in the whitelist")


def _bool_dict(d: dict) -> dict:
    if not isinstance(d, dict) or not all(isinstance(k, str) and isinstance(v, bool) for k, v in d.items()):
        raise ValueError(f"malformed assumptions: {d!r}")
    return d
