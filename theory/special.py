"""Special functions and named intermediates shared by the models.

Numerically stable functions (:class:`logcosh`, :class:`sech2`, :class:`logaddexp`) are SymPy
functions that know their derivative (derivations differentiate through them), rewrite to
the plain mathematical form with ``.rewrite(sympy.log)``, and print to a stable helper in
generated code (``numerics/generated/_helpers.py``, see :mod:`theory.codegen`).

:class:`Named` is an *unevaluated* named intermediate (the idea of ampform's
``@unevaluated``): ``Named(r"\\Gamma_t", body)`` prints as :math:`\\Gamma_t` in LaTeX and
evaluates to ``body`` numerically; :func:`expand_named` substitutes every body (codegen and
numeric evaluation use the expanded form). A result's display form may contain named
intermediates, its ``expr`` never does.

Examples
--------
>>> import sympy as sp
>>> t = sp.Symbol("t", positive=True)
>>> G = Named(r"\\Gamma_t", 1 + sp.exp(-2 * t))
>>> sp.latex(sp.exp(-2 * t) / G)
'\\\\frac{e^{- 2 t}}{\\\\Gamma_t}'
>>> expand_named(sp.exp(-2 * t) / G)
exp(-2*t)/(1 + exp(-2*t))
>>> float(sp.N((sp.exp(-2 * t) / G).subs(t, 1), 20)) == float(sp.exp(-2) / (1 + sp.exp(-2)))
True
"""

from __future__ import annotations

import sympy as sp
from sympy.core.symbol import Str
from sympy.core.sympify import _sympify

__all__ = ["logcosh", "logaddexp", "sech2", "ou_delta", "Named", "expand_named", "affine_moments"]


class logcosh(sp.Function):  # noqa: N801 - reads like the math
    r"""``ln cosh(x)``, printed as the overflow-free ``|x| + log1p(exp(-2|x|)) - ln 2``.

    :math:`\frac{d}{dx}\ln\cosh x = \tanh x`.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> logcosh(x).diff(x)
    tanh(x)
    >>> logcosh(0)
    0
    """

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Zero

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sp.log(sp.cosh(x))

    def _eval_evalf(self, prec):
        return sp.log(sp.cosh(self.args[0]))._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        tex = r"\ln\cosh\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


class sech2(sp.Function):  # noqa: N801
    r"""``sech²(x) = 1 - tanh²(x)``, printed as ``4 e^{-2|x|}/(1 + e^{-2|x|})²`` (no overflow,
    full relative precision in the tails).

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> sech2(x).rewrite(sp.tanh)
    1 - tanh(x)**2
    """

    nargs = 1

    def fdiff(self, argindex=1):
        return -2 * sp.tanh(self.args[0]) * sech2(self.args[0])

    def _eval_rewrite_as_tanh(self, x, **kwargs):
        return 1 - sp.tanh(x) ** 2

    def _eval_rewrite_as_log(self, x, **kwargs):
        return 1 / sp.cosh(x) ** 2

    def _eval_evalf(self, prec):
        return (1 / sp.cosh(self.args[0]) ** 2)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        # a power of sech² (the printer passes ``exp`` for Pow(sech2(x), k)) is printed with parentheses
        tex = r"\operatorname{sech}^{2}\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


class logaddexp(sp.Function):  # noqa: N801
    r"""``ln(e^a + e^b)``, printed as NumPy's stable ``logaddexp``."""

    nargs = 2

    def fdiff(self, argindex=1):
        a, b = self.args
        other = b if argindex == 1 else a
        this = a if argindex == 1 else b
        return 1 / (1 + sp.exp(other - this))

    def _eval_rewrite_as_log(self, a, b, **kwargs):
        return sp.log(sp.exp(a) + sp.exp(b))

    def _eval_is_real(self):
        return all(x.is_real for x in self.args) or None

    def _latex(self, printer, exp=None):
        a, b = (printer._print(x) for x in self.args)
        tex = r"\ln\left(e^{%s} + e^{%s}\right)" % (a, b)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


def ou_delta(t: sp.Expr) -> sp.Expr:
    r"""Noise variance of the OU process, :math:`\Delta_t = 1 - e^{-2t}` (THEORY §0).

    Examples
    --------
    >>> import sympy as sp
    >>> ou_delta(sp.Symbol("t"))
    1 - exp(-2*t)
    """
    return 1 - sp.exp(-2 * t)


class Named(sp.Expr):
    r"""An unevaluated named intermediate: prints as ``name``, evaluates as ``body``.

    ``Named(r"\Lambda", sigma**2 + 4*p*(1 - p)*d*mu**2)`` shows :math:`\Lambda` in a result's
    LaTeX; numeric evaluation (``evalf``), differentiation and :func:`expand_named` see the
    body. Its free symbols are those of the body; substitutions act on the body.

    Parameters
    ----------
    name : str
        LaTeX of the name (``r"\Gamma_t"``).
    body : sympy.Expr
        The expression it stands for.
    """

    is_commutative = True

    def __new__(cls, name: str | Str, body: sp.Expr) -> "Named":
        return sp.Expr.__new__(cls, name if isinstance(name, Str) else Str(name), _sympify(body))

    @property
    def name(self) -> str:
        """LaTeX of the name."""
        return self.args[0].name

    @property
    def body(self) -> sp.Expr:
        """The expression the name stands for."""
        return self.args[1]

    @property
    def free_symbols(self) -> set:
        return self.body.free_symbols

    def doit(self, **hints):
        return self.body.doit(**hints) if hints.get("deep", True) else self.body

    def _eval_evalf(self, prec):
        return self.body._eval_evalf(prec)

    def _eval_derivative(self, s):
        return self.body.diff(s)

    def _eval_is_real(self):
        return self.body.is_real

    def _eval_is_positive(self):
        return self.body.is_positive

    def _eval_is_negative(self):
        return self.body.is_negative

    def _eval_is_zero(self):
        return self.body.is_zero

    def _eval_is_finite(self):
        return self.body.is_finite

    def _latex(self, printer):
        return self.name

    def _sympystr(self, printer):
        return self.name.replace("\\", "").replace("{", "").replace("}", "")


def expand_named(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every :class:`Named` replaced by its (expanded) body.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> expand_named(Named("A", x + Named("B", 2 * x)) ** 2)
    9*x**2
    """
    if not expr.has(Named):
        return expr
    return expr.replace(lambda e: isinstance(e, Named), lambda e: e.body)


def affine_moments(expr: sp.Expr, laws: dict) -> tuple[sp.Expr, sp.Expr]:
    r"""Mean and variance of an affine function of independent random variables.

    By linearity, :math:`\mathbb E[b + \sum_i a_iX_i] = b + \sum_i a_i\mu_i` and, for independent
    :math:`X_i`, :math:`\mathrm{Var} = \sum_i a_i^2 v_i` (the coefficients are read off as
    derivatives; a non-affine ``expr`` is refused).

    Parameters
    ----------
    expr : sympy.Expr
        Affine in the symbols of ``laws``.
    laws : dict
        ``{X: (mean, variance)}`` for each independent random variable ``X`` (a symbol).

    Returns
    -------
    (sympy.Expr, sympy.Expr)
        Mean and variance.

    Examples
    --------
    >>> import sympy as sp
    >>> a, z, t = sp.symbols("a z t", real=True)
    >>> affine_moments(sp.exp(-t) * a + 2 * z + 1, {a: (0, 3), z: (0, 1)})
    (1, 4 + 3*exp(-2*t))
    """
    coeff = {X: sp.diff(expr, X) for X in laws}
    if any(sp.diff(c, X2) != 0 for c in coeff.values() for X2 in laws):
        raise ValueError(f"not affine in {list(laws)}: {expr}")
    const = expr.subs({X: 0 for X in laws})
    mean = const + sum(coeff[X] * m for X, (m, _) in laws.items())
    var = sum(coeff[X] ** 2 * v for X, (_, v) in laws.items())
    return mean, var
