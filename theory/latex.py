r"""LaTeX export of registered results, ready to paste into a paper.

One printer configuration (:class:`PaperPrinter`) for every face of a result (the ``regimes latex``
command, the standalone document, the notebooks' ``_repr_latex_``):

- logarithms are ``\ln`` (never ``\log``); ``ln Γ(x)`` is ``\ln\Gamma(x)``, ψ is the digamma;
  ``\ln x`` without parentheses when ``x`` is a single symbol or number, ``\ln x^a`` as ``a\ln x``;
- named intermediates stay names (:class:`theory.special.Named`: :math:`\Delta_t`, :math:`\Gamma_t`,
  :math:`\Lambda`, :math:`\kappa`, :math:`p_-` ...), and ``1 - p_+`` prints as :math:`p_-`;
- Gaussian averages :math:`\int dz\, e^{-z^2/2}/\sqrt{2\pi}\, f(z)` print as
  :math:`\mathbb{E}_z[f(z)]` (:math:`z\sim\mathcal N(0,1)`);
- a rational prefactor of a function stands in front: :math:`\tfrac12\ln\Lambda`, not
  :math:`\frac{\ln\Lambda}{2}`;
- formulas wider than the text are broken after a top-level ``+``/``-`` (an ``equation`` with a
  ``split``, or ``align`` lines), a wide product ``c·(a + b + ...)`` inside big brackets, and a
  formula that is still too wide names its repeated subexpressions (``where u_1 = ...``).

Text (descriptions, assumptions, references) is plain ASCII LaTeX: formula-like words become inline
math (Unicode Greek, super/subscripts, ⇔, ≈, p̂ ...), and ``THEORY §n`` points into the theory
document of this repository, ``docs/theory.md``. The standalone :func:`document` compiles with
pdflatex (``texlive-latex-base`` only: amsmath, amssymb, geometry) with no warning and no overfull box
on its first run: it defines no labels (each result's label is printed beside its name) and cites
without BibTeX. ``regimes latex NAME [--inline|--equation|--align] [--steps]`` and
``regimes latex --all`` call these functions.

References: Biroli & Mézard, J. Stat. Mech. (2023) 093402, arXiv:2306.03518; Biroli, Bonnaire,
de Bortoli & Mézard, Nature Comm. 15, 9957 (2024), arXiv:2402.18491.

Examples
--------
>>> import sympy as sp
>>> L, t = sp.symbols("Lambda t", positive=True)
>>> latex(sp.log(L) / 2)
'\\frac{1}{2} \\ln \\Lambda'
>>> latex(sp.loggamma(t + 1))
'\\ln\\Gamma\\left(t + 1\\right)'
>>> print(text("Λ = σ² + 4 p_+ p_- (THEORY §2)"))
$\Lambda = \sigma^2 + 4 p_+ p_-$ (theory document, \S2)
"""

from __future__ import annotations

import re
import unicodedata

import sympy as sp
from sympy.printing.latex import LatexPrinter

from theory import registry

__all__ = ["PaperPrinter", "latex", "text", "formula", "aligned", "display_latex", "result_latex", "document",
           "STYLES", "WIDTH"]

#: The layouts of one result: ``inline`` ($...$, never broken), ``equation`` (numbered, labelled,
#: ``split`` when long) and ``align`` (one ``align`` environment, continuation lines unnumbered).
STYLES = ("inline", "equation", "align")

#: Width budget of one displayed line, in the units of :func:`width` (≈ one character of math at
#: 11 pt; an A4 page with 2 cm margins holds about 80 of them, a notebook about 70).
WIDTH = 64


# ---------------------------------------------------------------------------------------------
# the printer
# ---------------------------------------------------------------------------------------------
def _is_atom(e: sp.Basic) -> bool:
    from theory.special import Named

    return bool(e.is_Symbol or isinstance(e, Named) or (e.is_Integer and e >= 0) or e in (sp.pi, sp.E))


class PaperPrinter(LatexPrinter):
    r"""SymPy's LaTeX printer with the conventions of a physics paper (see the module docstring).

    Examples
    --------
    >>> import sympy as sp
    >>> p, z = sp.symbols("p_+ z", real=True)
    >>> PaperPrinter().doprint(1 - p)
    'p_{-}'
    >>> PaperPrinter().doprint(sp.Integral(sp.exp(-z**2 / 2) * sp.tanh(z)**2 / sp.sqrt(2 * sp.pi), (z, -sp.oo, sp.oo)))
    '\\mathbb{E}_{z}\\left[\\tanh^{2}{\\left(z \\right)}\\right]'
    """

    _default_settings = {**LatexPrinter._default_settings, "ln_notation": True}

    # ln, ln Γ, ψ ------------------------------------------------------------------------------
    def _print_log(self, expr, exp=None):
        arg = expr.args[0]
        if isinstance(arg, sp.gamma):
            s = r"\ln\Gamma\left(%s\right)" % self._print(arg.args[0])
        elif arg.is_Pow and arg.exp != -1 and not arg.exp.is_Rational:
            s = r"%s \ln %s" % (self.parenthesize(arg.exp, 1000), self.parenthesize(arg.base, 1000)) \
                if _is_atom(arg.base) else r"%s \ln\left(%s\right)" % (self.parenthesize(arg.exp, 1000), self._print(arg.base))
            return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)
        elif _is_atom(arg):
            s = r"\ln %s" % self._print(arg)
        else:
            s = r"\ln\left(%s\right)" % self._print(arg)
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)

    def _print_loggamma(self, expr, exp=None):
        s = r"\ln\Gamma\left(%s\right)" % self._print(expr.args[0])
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)

    def _print_polygamma(self, expr, exp=None):
        n, x = expr.args
        head = r"\psi" if n == 0 else r"\psi^{(%s)}" % self._print(n)
        s = r"%s\left(%s\right)" % (head, self._print(x))
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)

    # p_- for 1 - p_+ --------------------------------------------------------------------------
    def doprint(self, expr):
        return super().doprint(self._complements(expr))

    def _complements(self, expr):
        """``1 - p_+`` replaced by the symbol :math:`p_-` (display only)."""
        if not isinstance(expr, sp.Basic):
            return expr

        def is_complement(e):
            if e.is_Add and len(e.args) == 2 and sp.S.One in e.args:
                other = e.args[0] if e.args[1] == 1 else e.args[1]
                return (other.is_Mul and len(other.args) == 2 and other.args[0] == -1 and other.args[1].is_Symbol
                        and other.args[1].name in ("p_+", "p_{+}", "p_plus"))
            return False

        return expr.replace(is_complement, lambda e: sp.Symbol("p_{-}"))

    # Gaussian averages ------------------------------------------------------------------------
    def _print_Integral(self, expr):
        if len(expr.limits) == 1 and len(expr.limits[0]) == 3:
            z, lo, hi = expr.limits[0]
            if lo == -sp.oo and hi == sp.oo:
                rest = sp.powsimp(sp.expand_power_base(expr.function * sp.sqrt(2 * sp.pi) * sp.exp(z**2 / 2)))
                if not any(isinstance(a, sp.exp) and a.args[0].has(z**2) for a in sp.preorder_traversal(rest)):
                    return r"\mathbb{E}_{%s}\left[%s\right]" % (self._print(z), self._print(rest))
        return super()._print_Integral(expr)

    # ½ ln Λ rather than ln Λ / 2 ---------------------------------------------------------------
    def _print_Mul(self, expr):
        ints = [a for a in expr.args if isinstance(a, sp.Integral)]
        if len(ints) == 1 and len(expr.args) > 1:  # p_- E_z[...], not (E_z[...]) p_-
            rest = sp.Mul(*[a for a in expr.args if a is not ints[0]])
            head = "-" if rest == -1 else r"\left(%s\right)" % self._print(rest) if rest.is_Add else self._print(rest)
            return f"{head} {self._print(ints[0])}"
        c, rest = expr.as_coeff_Mul()
        if (c.is_Rational and not c.is_Integer and abs(c.p) < 10 and c.q < 10
                and sp.fraction(rest)[1] == 1 and rest.has(sp.log, sp.Integral, sp.loggamma)):
            sign = "- " if c < 0 else ""
            return r"%s\frac{%d}{%d} %s" % (sign, abs(c.p), c.q, self.parenthesize(rest, 50, strict=True))
        return super()._print_Mul(expr)


def latex(expr: sp.Basic) -> str:
    r"""LaTeX of a SymPy expression with :class:`PaperPrinter`.

    Parameters
    ----------
    expr : sympy.Basic
        Any expression (display forms may contain :class:`theory.special.Named`).

    Returns
    -------
    str
        One line of LaTeX math (no environment).
    """
    return PaperPrinter().doprint(expr)


# ---------------------------------------------------------------------------------------------
# width and line breaking
# ---------------------------------------------------------------------------------------------
_ZERO = {r"\left", r"\right", r"\,", r"\!", r"\limits", r"\displaystyle", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr",
         r"\mathrm", r"\operatorname", r"\mathbb", r"\mathcal", r"\hat", r"\bar", r"\tilde", r"\quad", r"\qquad",
         r"\text", r"\rm", r"\big", r"\Big"}


def _group(s: str, i: int) -> tuple[str, int]:
    """The brace group starting at ``s[i] == '{'``: (content, index after it)."""
    depth, j = 0, i
    while j < len(s):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    return s[i + 1:], len(s)


def width(s: str) -> float:
    r"""Rough printed width of LaTeX math, in characters: fractions count their wider part,
    scripts 0.7, commands 1 (spacing and delimiter sizing 0).

    Examples
    --------
    >>> width(r"\frac{a + b}{2}") == width("a + b") + 0.5
    True
    """
    w, i = 0.0, 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            cmd = m.group(0)
            i += len(cmd)
            if cmd in (r"\frac", r"\dfrac", r"\tfrac") and i < len(s) and s[i] == "{":
                a, i = _group(s, i)
                b, i = _group(s, i) if i < len(s) and s[i] == "{" else ("", i)
                w += max(width(a), width(b)) + 0.5
            elif cmd == r"\sqrt":
                w += 1.2
            elif cmd not in _ZERO:
                w += 1.0
        elif ch in "^_":
            i += 1
            if i < len(s) and s[i] == "{":
                a, i = _group(s, i)
                w += 0.7 * width(a)
            elif i < len(s):
                w += 0.7
                i += 1
        elif ch in "{} ":
            i += 1
        else:
            w += 1.0 if ch not in "+-=<>" else 1.6
            i += 1
    return w


def _terms(p: PaperPrinter, expr: sp.Expr) -> list[str]:
    """The top-level terms of a sum, each with its sign (``+ a``, ``- b``), in the printer's order."""
    out = []
    for k, term in enumerate(p._as_ordered_terms(expr)):
        s = p._print(term)
        if s.startswith("-"):
            out.append("- " + s[1:].lstrip())
        else:
            out.append(("+ " if k else "") + s)
    if out and out[0].startswith("+ "):
        out[0] = out[0][2:]
    return out


def _pack(pieces: list[str], first: float, budget: float) -> list[str]:
    """Greedy packing of terms into lines (the first line has ``first`` already used)."""
    lines, cur, used = [], "", first
    for piece in pieces:
        w = width(piece)
        if cur and used + w > budget:
            lines.append(cur)
            cur, used = "", 4.0  # continuation indent
        cur = f"{cur} {piece}".strip()
        used += w
    if cur:
        lines.append(cur)
    return lines


def _break(p: PaperPrinter, expr: sp.Expr, first: float, budget: float) -> list[str] | None:
    """Lines of a too-wide right-hand side, or None when no break point helps."""
    if expr.is_Add:
        terms = _terms(p, expr)
        if len(terms) > 1:
            return _pack(terms, first, budget)
    if expr.is_Mul:
        num, den = sp.fraction(sp.together(expr) if expr.has(sp.Pow) else expr)
        sums = [f for f in sp.Mul.make_args(num) if f.is_Add]
        if not sums and num.is_Add:
            sums = [num]
        if sums:
            big = max(sums, key=lambda f: len(p._print(f)))
            pre = sp.Mul(*[f for f in sp.Mul.make_args(num) if f is not big]) / den
            pn, pd = sp.fraction(pre)
            head = p._print(pn) if pd == 1 else r"\frac{%s}{%s}" % (p._print(pn), p._print(pd))
            head = {"1": "", "-1": "-"}.get(head, head)
            terms = _terms(p, big)
            if len(terms) > 1:
                terms[0] = head + r" \Bigl[" + terms[0]
                terms[-1] = terms[-1] + r"\Bigr]"
                return _pack(terms, first, budget)
    return None


def _named_subexpressions(expr: sp.Expr) -> tuple[list[tuple[sp.Symbol, sp.Expr]], sp.Expr]:
    """Repeated subexpressions worth a name (at least 3 operations), as ``u_1, u_2, ...``."""
    syms = sp.numbered_symbols("u_")
    reps, reduced = sp.cse(expr, symbols=syms, optimizations=None, order="none")
    keep, back = [], {}
    for s, e in reps:
        e = e.xreplace(back)
        if sp.count_ops(e) >= 3:
            keep.append((s, e))
        else:
            back[s] = e
    body = reduced[0].xreplace(back)
    # renumber 1, 2, ... in the order kept
    ren = {s: sp.Symbol(f"u_{k + 1}") for k, (s, _) in enumerate(keep)}
    return [(ren[s], e.xreplace(ren)) for s, e in keep], body.xreplace(ren)


def formula(symbol: str, expr: sp.Expr, *, budget: float = WIDTH) -> list[tuple[str, str]]:
    r"""The lines of ``symbol = expr``, broken to fit ``budget``: ``[(left, right), ...]``.

    The first pair is ``(symbol, "= ...")``; continuation lines have an empty left side; a
    ``where`` block (repeated subexpressions named ``u_k``) follows when breaking alone does not fit.

    Parameters
    ----------
    symbol : str
        LaTeX of the left-hand side.
    expr : sympy.Expr
        The right-hand side (a display form).
    budget : float
        Line width in :func:`width` units.

    Returns
    -------
    list of (str, str)
        Left and right parts of each line (joined by ``&`` in ``split``/``align``).
    """
    p = PaperPrinter()
    expr = p._complements(expr)
    whole = p.doprint(expr)
    lhs = width(symbol) + 2
    if lhs + width(whole) <= budget:
        return [(symbol, "= " + whole)]

    def lay(e):
        lines = _break(p, e, lhs, budget) or [p.doprint(e)]
        return lines

    lines = lay(expr)
    where: list[tuple[sp.Symbol, sp.Expr]] = []
    if max(width(x) for x in lines) > budget:
        where, body = _named_subexpressions(expr)
        if where:
            lines = lay(body)
    out = [(symbol, "= " + lines[0])] + [("", r"\quad " + x) for x in lines[1:]]
    for k, (s, e) in enumerate(where):
        sub = _break(p, e, 6, budget) or [p.doprint(e)]
        out.append((r"\text{where } " + p.doprint(s) if k == 0 else p.doprint(s), "= " + sub[0]))
        out += [("", r"\quad " + x) for x in sub[1:]]
    return out


def _render(symbol: str, expr: sp.Expr, style: str, label: str | None, budget: float = WIDTH) -> str:
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    if style == "inline":
        return f"${symbol} = {latex(expr)}$"
    lines = formula(symbol, expr, budget=budget)
    lab = f"\n  \\label{{{label}}}" if label else ""
    if style == "equation":
        if len(lines) == 1:
            return f"\\begin{{equation}}\n  {lines[0][0]} {lines[0][1]}{lab}\n\\end{{equation}}"
        body = " \\\\\n    ".join(f"{a} &{b}" for a, b in lines)
        return f"\\begin{{equation}}\n  \\begin{{split}}\n    {body}\n  \\end{{split}}{lab}\n\\end{{equation}}"
    rows = [f"{a} &{b}" + (lab.strip() and f" {lab.strip()}" if k == 0 else " \\notag") for k, (a, b) in enumerate(lines)]
    return "\\begin{align}\n  " + " \\\\\n  ".join(rows) + "\n\\end{align}"


# ---------------------------------------------------------------------------------------------
# text: descriptions, assumptions, references
# ---------------------------------------------------------------------------------------------
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ζ": "zeta", "η": "eta",
          "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho",
          "σ": "sigma", "τ": "tau", "φ": "varphi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma",
          "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi",
          "Ω": "Omega", "ℓ": "ell"}
# math-mode LaTeX of the other symbols we write (anything else is refused by the tests)
_MATH = {"²": "^2", "³": "^3", "⁴": "^4", "¹": "^1", "⁻": "^-", "₊": "_+", "₋": "_-", "ₖ": "_k", "½": r"\tfrac12", "¼": r"\tfrac14", "±": r"\pm",
         "∓": r"\mp", "≤": r"\le", "≥": r"\ge", "≈": r"\approx", "≳": r"\gtrsim", "≲": r"\lesssim", "≪": r"\ll",
         "≫": r"\gg", "∝": r"\propto", "∈": r"\in", "∞": r"\infty", "→": r"\to", "↔": r"\leftrightarrow",
         "⇔": r"\Leftrightarrow", "⇒": r"\Rightarrow", "−": "-", "·": r"\cdot", "×": r"\times", "∂": r"\partial",
         "√": r"\surd", "∫": r"\int", "∑": r"\sum", "∇": r"\nabla", "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|",
         "∼": r"\sim", "≠": r"\neq", "…": r"\dots", "′": "'"}
_ACCENTS = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0307": r"\dot", "\u0338": r"\not"}  # U+0338: ≠ after NFD
_TEXT = {"–": "--", "—": "---", "’": "'", "‘": "`", "“": "``", "”": "''", "§": r"\S", "…": r"\dots{}", "é": r"\'e",
         "è": r"\`e", "ó": r"\'o", "ö": r'\"o', "ü": r'\"u', "à": r"\`a", "ç": r"\c{c}", " ": "~"}
_FUNCS = ("ln", "log", "exp", "tanh", "cosh", "sinh", "sech", "max", "min", "sqrt", "Var", "KL", "det", "tr")
_OPS = set("=+-/<>*|~") | set(_MATH)
_PUNCT = ",;:."


def _is_code_token(tok: str) -> bool:
    """A registry name or identifier (``gm.t_C_alpha``, ``alpha_c_r``): typewriter text."""
    core = tok.strip("()[],;:.")
    return bool(re.fullmatch(r"[a-z]+\.[A-Za-z_]\w*", core) or re.fullmatch(r"[A-Za-z]\w*_\w*_\w+", core))


def _is_math_token(tok: str) -> bool:
    core = unicodedata.normalize("NFD", tok).strip("()[],;:.")
    if not core or _is_code_token(tok):
        return False
    if re.fullmatch(r"[\w()/*+\-.]+", core) and "/" in core and re.search(r"\d", core):
        return True
    if any(ch in _GREEK or ch in _MATH or ch in _ACCENTS for ch in core) or any(ch in "^_" for ch in core):
        return True
    if all(ch in _OPS for ch in core):
        return True
    if re.fullmatch(r"-?\d+(\.\d+)?", core) or re.fullmatch(r"[b-zB-HJ-Z]|[b-zB-HJ-Z]\*|\d*[a-zA-Z]/\d*[a-zA-Z]", core):
        return True
    return bool(re.fullmatch(r"(%s)(\(.*)?" % "|".join(_FUNCS), core))


def _math(s: str) -> str:
    """Unicode formula text -> math-mode LaTeX (inside ``$...$``)."""
    s = unicodedata.normalize("NFD", s)
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if nxt in _ACCENTS:
            base = _math(ch)
            out.append(f"{_ACCENTS[nxt]}{{{base}}}")
            i += 2
            continue
        if ch in _GREEK:
            out.append("\\" + _GREEK[ch] + " ")
        elif ch in _MATH:
            out.append(_MATH[ch] + (" " if _MATH[ch][-1].isalpha() else ""))
        elif ch == "*" and out and (out[-1][-1:].isalnum() or out[-1].endswith("}")):
            out.append("^*")
        elif ch == "-" and nxt == ">":
            out.append(r"\to ")
            i += 2
            continue
        elif ch in "%&#$":
            out.append("\\" + ch)
        elif ch == "~":
            out.append(r"\sim ")
        elif ord(ch) >= 128:
            raise ValueError(f"no LaTeX for {ch!r} (U+{ord(ch):04X}) in {s!r}: add it to theory.latex")
        else:
            out.append(ch)
        i += 1
    m = re.sub(r"\^\*\^(\{[^{}]*\}|\w)", lambda g: "^{*" + g.group(1).strip("{}") + "}", "".join(out))
    m = re.sub(r"(?<![A-Za-z\\])(%s)\b" % "|".join(f for f in _FUNCS if f not in ("sqrt", "Var", "KL", "sech")), r"\\\1 ", m)
    greek = "|".join(sorted(set(_GREEK.values()) - {"ell"}, key=len, reverse=True))
    m = re.sub(r"(?<![A-Za-z\\])(%s)(?![A-Za-z])" % greek, r"\\\1 ", m)
    m = re.sub(r"\b(sqrt|Var|KL|sech)\b", r"\\operatorname{\1}", m)
    m = re.sub(r"(\\[A-Za-z]+) (?=[\^_'),/])", r"\1", m)
    return re.sub(r"\\(ln|log|exp|tanh|cosh|sinh|max|min|det|tr)\s+(?=[\(\[\{])", r"\\\1", m).replace("\\log", "\\ln")


def _plain(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    out = []
    for ch in s:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch == "~":
            out.append(r"\textasciitilde{}")
        elif ch == "^":
            out.append(r"\textasciicircum{}")
        elif ch == "\\":
            out.append(r"\textbackslash{}")
        elif ch in _TEXT:
            out.append(_TEXT[ch])
        elif ord(ch) >= 128:
            raise ValueError(f"no LaTeX for {ch!r} (U+{ord(ch):04X}) in {s!r}: add it to theory.latex")
        else:
            out.append(ch)
    return "".join(out)


def _theory_refs(s: str) -> str:
    s = re.sub(r"THEORY\s*§\s*(\d+)((?:\s*,\s*§\s*\d+)*)",
               lambda m: "theory document, §" + m.group(1) + re.sub(r"\s*§\s*", " §", m.group(2)), s)
    return s


def text(s: str) -> str:
    r"""Plain text (a description, assumptions, a reference) as ASCII LaTeX for text mode.

    Formula-like words (Greek letters, ``^``/``_`` scripts, operators, ``ln(...)``) and the runs
    between them become one inline formula; ``THEORY §n`` becomes a reference to section ``n`` of
    the theory document (``docs/theory.md``). A character with no LaTeX raises (never a ``?``).

    Parameters
    ----------
    s : str
        Unicode text.

    Returns
    -------
    str
        ASCII LaTeX.

    Examples
    --------
    >>> text("a_b & 50%")
    '$a_b$ \\& 50\\%'
    >>> text("M > 0 ⇔ p̂_+ ≈ ½")
    '$M > 0 \\Leftrightarrow \\hat{p}_+ \\approx \\tfrac12$'
    """
    s = _theory_refs(unicodedata.normalize("NFC", s))
    toks = re.split(r"(\s+)", s)
    kinds = [None if t.isspace() or not t else _is_math_token(t) for t in toks]
    out, k = [], 0
    while k < len(toks):
        if not kinds[k]:
            t = toks[k]
            if t and _is_code_token(t):
                core = t.strip("()[],;:.")
                a = t.index(core)
                out.append(_plain(t[:a]) + r"\texttt{" + _plain(core) + "}" + _plain(t[a + len(core):]))
            else:
                out.append(_plain(t) if t and not t.isspace() else t)
            k += 1
            continue
        j = k  # extend over math tokens (and the spaces between them)
        while j + 2 < len(toks) and kinds[j + 2] and toks[j + 1].isspace() and toks[j][-1] not in ",;:":
            j += 2
        run = "".join(toks[k:j + 1])
        while run.count("{") > run.count("}") and j + 2 < len(toks):  # keep groups whole
            j += 2
            run = "".join(toks[k:j + 1])
        lead = re.match(r"^[(\[]*", run).group(0) if run.count("(") > run.count(")") else ""
        run = run[len(lead):]
        trail = ""
        while run and run[-1] in _PUNCT:
            trail, run = run[-1] + trail, run[:-1]
        if run.count(")") > run.count("(") and run.endswith(")"):
            trail, run = ")" + trail, run[:-1]
        out.append(_plain(lead) + (f"${_math(run)}$" if run else "") + _plain(trail))
        k = j + 1
    res = "".join(out)
    res = re.sub(r"\s+\$", lambda m: m.group(0), res)
    return re.sub(r" +\$", " $", res).replace(" }", "}").replace("  ", " ")


# ---------------------------------------------------------------------------------------------
# results and the document
# ---------------------------------------------------------------------------------------------
def result_latex(name: str, *, style: str = "equation", equation: bool | None = None, steps: bool = False,
                 budget: float = WIDTH) -> str:
    r"""LaTeX of one result, ``symbol = display expression``, ready to paste.

    Parameters
    ----------
    name : str
        Registered result name (``gm.t_S``).
    style : {"inline", "equation", "align"}
        ``inline``: ``$...$``; ``equation``: numbered, labelled ``eq:<model>:<name>``, a ``split``
        when the formula is wider than ``budget``; ``align``: an ``align`` environment, one line per
        piece, only the first numbered and labelled.
    equation : bool, optional
        Backwards-compatible switch: ``False`` returns the bare ``symbol = expression`` (one line).
    steps : bool
        Append the recorded derivation steps, as LaTeX comments (from the cache when warm).
    budget : float
        Line width (:data:`WIDTH` units).

    Returns
    -------
    str
        LaTeX (ASCII only).
    """
    r = registry.get(name)
    if equation is False:
        body = f"{r.symbol} = {latex(r.display)}"
    else:
        body = _render(r.symbol, r.display, style, r.label, budget)
    if steps:
        lines = [body, "", "% derivation steps:"]
        for what, e in r.derivation:
            lines.append(f"% {what}: " + latex(e).replace("\n", " "))
        body = "\n".join(lines)
    return body


def aligned(symbol: str, expr: sp.Expr, budget: float = 58) -> str:
    r"""``symbol = expr`` as display math for a notebook (``IPython.display.Math``): one line, or an
    ``aligned`` block broken to ``budget`` (a notebook cell is about 60 units wide), so a wide formula
    wraps instead of running off the cell.

    Parameters
    ----------
    symbol : str
        LaTeX of the left-hand side (may be empty).
    expr : sympy.Expr
        The right-hand side.
    budget : float
        Line width (:func:`width` units).

    Returns
    -------
    str
        LaTeX without math delimiters.
    """
    lines = formula(symbol or r"\phantom{x}", expr, budget=budget)
    if not symbol:
        lines = [("", b) if k else ("", b[2:]) for k, (_, b) in enumerate(lines)]
    if len(lines) == 1:
        return f"{lines[0][0]} {lines[0][1]}".strip()
    return "\\begin{aligned}" + r" \\ ".join(f"{a} &{b}" for a, b in lines) + r"\end{aligned}"


def display_latex(r, budget: float = 58) -> str:
    r"""The notebook face of a result (``Result._repr_latex_``): :func:`aligned` in display math."""
    return f"$$\\displaystyle {aligned(r.symbol, r.display, budget)}$$"


_PAPERS = [
    ("BM23", r"G.~Biroli and M.~M\'ezard, \emph{Generative diffusion in very large dimensions}, "
             r"J.~Stat.~Mech.\ (2023) 093402, arXiv:2306.03518."),
    ("BBBM24", r"G.~Biroli, T.~Bonnaire, V.~de~Bortoli and M.~M\'ezard, \emph{Dynamical regimes of diffusion "
               r"models}, Nature Comm.\ \textbf{15}, 9957 (2024), arXiv:2402.18491."),
]


def document(names: list[str] | None = None, *, title: str = "regimes: registered theory results") -> str:
    r"""A standalone LaTeX document with every (or the given) registered result.

    One ``equation`` per result (broken with ``split`` where wide), its description, kind,
    assumptions and reference, grouped by model; references point to the theory document
    (``docs/theory.md``) and to the two papers listed at the end. Compiles with ``pdflatex`` from
    ``texlive-latex-base`` on its first run with no warning: no ``\label`` (each result's label, for
    ``regimes latex NAME``, is printed beside its name), no BibTeX.

    Parameters
    ----------
    names : list of str, optional
        Result names; default all registered results.
    title : str
        Document title.

    Returns
    -------
    str
        The document (ASCII only).
    """
    results = [registry.get(n) for n in names] if names else registry.all_results()
    out = [
        r"\documentclass[11pt,a4paper]{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\setlength{\parindent}{0pt}",
        r"\raggedright",
        rf"\title{{{_plain(title)}}}",
        r"\author{}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        r"Conventions: $\Delta_t = 1 - e^{-2t}$, $p_- = 1 - p_+$, $\mathbb{E}_z$ averages over "
        r"$z\sim\mathcal{N}(0,1)$; named intermediates ($\Delta_t$, $\Gamma_t$, $\Lambda$, $\kappa$, \dots) are "
        r"defined by their own results. Section numbers (\S) refer to the theory document of the repository, "
        r"\texttt{docs/theory.md}; the papers are listed at the end.",
    ]
    model = None
    for r in results:
        if r.model.name != model:
            model = r.model.name
            out.append(rf"\section*{{Model \texttt{{{_plain(model)}}}}}")
            if r.model.description:
                out.append(text(r.model.description) + ".")
        out.append(rf"\paragraph{{\texttt{{{_plain(r.name)}}}}} {text(r.description)} ({r.kind}; "
                   rf"label \texttt{{{_plain(r.label)}}}).")
        if r.assumptions:
            out.append(rf"\emph{{Assumptions:}} {text(r.assumptions)}.")
        if r.reference:
            out.append(rf"\emph{{Reference:}} {text(r.reference)}.")
        out.append(_render(r.symbol, r.display, "equation", None))
    out.append(r"\section*{References}")
    out.append(r"\begin{itemize}")
    out += [rf"\item[{{[{k}]}}] {v}" for k, v in _PAPERS]
    out.append(r"\end{itemize}")
    out.append(r"\end{document}")
    return "\n".join(x for x in out if x != "") + "\n"
