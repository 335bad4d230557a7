"""Numerically stable special functions as SymPy functions.

Each knows its derivative (so derivations can differentiate through it), evaluates to the
plain mathematical form with ``.rewrite(sp.log)``/``.doit()``, and prints to a stable
numeric helper in generated code (see ``theory.codegen.HELPERS``).
"""

from __future__ import annotations

import sympy as sp

__all__ = ["logcosh", "logaddexp", "sech2", "ou_delta"]


class logcosh(sp.Function):  # noqa: N801 - reads like the math
    r"""``log(cosh(x))``, printed as the overflow-free ``|x| + log1p(exp(-2|x|)) - log 2``."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Zero

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sp.log(sp.cosh(x))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\ln\cosh\left(%s\right)" % printer._print(self.args[0])


class sech2(sp.Function):  # noqa: N801
    r"""``sech²(x) = 1 - tanh²(x)``, printed as ``4 e^{-2|x|}/(1 + e^{-2|x|})²`` (no overflow,
    full relative precision in the tails)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return -2 * sp.tanh(self.args[0]) * sech2(self.args[0])

    def _eval_rewrite_as_tanh(self, x, **kwargs):
        return 1 - sp.tanh(x) ** 2

    def _eval_rewrite_as_log(self, x, **kwargs):
        return 1 / sp.cosh(x) ** 2

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\operatorname{sech}^{2}\left(%s\right)" % printer._print(self.args[0])


class logaddexp(sp.Function):  # noqa: N801
    r"""``log(exp(a) + exp(b))``, printed as NumPy's stable ``logaddexp``."""

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

    def _latex(self, printer):
        a, b = (printer._print(x) for x in self.args)
        return r"\ln\left(e^{%s} + e^{%s}\right)" % (a, b)


def ou_delta(t: sp.Expr) -> sp.Expr:
    r"""Noise variance of the OU process, ``Δ_t = 1 - e^{-2t}`` (THEORY §0)."""
    return 1 - sp.exp(-2 * t)
