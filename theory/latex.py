r"""LaTeX export of registered results: one equation per result, or a standalone document.

Results print in their *display* form: named intermediates (:math:`\Delta_t`, :math:`\Gamma_t`,
:math:`\Lambda`, :math:`\kappa` ...) stay names (:class:`theory.special.Named`); logarithms print as
``\ln``. ``regimes latex NAME [--steps]`` and ``regimes latex --all`` call these functions.

Examples
--------
>>> print(text("Λ = σ² + 4 p_+ p_-"))
$\Lambda$ = $\sigma$$^2$ + 4 p\_+ p\_-
"""

from __future__ import annotations

import sympy as sp

from theory import registry

__all__ = ["result_latex", "document"]

_ESCAPES = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}
# Unicode that appears in descriptions -> LaTeX (text mode)
_UNICODE = {"Λ": r"$\Lambda$", "Γ": r"$\Gamma$", "Δ": r"$\Delta$", "Σ": r"$\Sigma$", "Φ": r"$\Phi$",
            "α": r"$\alpha$", "β": r"$\beta$", "γ": r"$\gamma$", "δ": r"$\delta$", "ε": r"$\varepsilon$",
            "κ": r"$\kappa$", "λ": r"$\lambda$", "μ": r"$\mu$", "σ": r"$\sigma$", "τ": r"$\tau$",
            "φ": r"$\varphi$", "χ": r"$\chi$", "ψ": r"$\psi$", "ρ": r"$\rho$", "η": r"$\eta$",
            "π": r"$\pi$", "θ": r"$\theta$", "ω": r"$\omega$", "ν": r"$\nu$",
            "²": r"$^2$", "³": r"$^3$", "½": r"$\frac12$", "±": r"$\pm$", "∓": r"$\mp$", "≤": r"$\le$",
            "≥": r"$\ge$", "≈": r"$\approx$", "∞": r"$\infty$", "→": r"$\to$", "−": "-", "–": "--",
            "—": "---", "·": r"$\cdot$", "×": r"$\times$", "∂": r"$\partial$", "√": r"$\surd$",
            "≪": r"$\ll$", "≫": r"$\gg$", "∝": r"$\propto$", "∈": r"$\in$", "ĉ": r"$\hat c$", "Ĉ": r"$\hat C$",
            "ĥ": r"$\hat h$", "m̂": r"$\hat m$", "μ̃": r"$\tilde\mu$", "é": r"\'e", "ó": r"\'o", "⟨": r"$\langle$",
            "⟩": r"$\rangle$", "∫": r"$\int$", "§": r"\S{}", "ℓ": r"$\ell$", "ξ": r"$\xi$",
            "ₖ": r"$_k$", "ᾱ": r"$\bar\alpha$", "⁻": "-", "¹": r"$^1$", "∇": r"$\nabla$", "₊": r"$_+$",
            "₋": r"$_-$", "ζ": r"$\zeta$", "ϕ": r"$\phi$", "¼": r"$\frac14$", "≠": r"$\neq$", "‖": r"$\|$"}


def text(s: str) -> str:
    """Escape plain text for LaTeX (text mode), mapping the Unicode we use to math; any other
    non-ASCII character becomes ``?``."""
    s = "".join(_ESCAPES.get(c, c) for c in s)
    for k in sorted(_UNICODE, key=len, reverse=True):
        s = s.replace(k, _UNICODE[k])
    return "".join(c if ord(c) < 128 else "?" for c in s)


def result_latex(name: str, *, equation: bool = True, steps: bool = False) -> str:
    """LaTeX of one result: ``symbol = display expression`` (in an ``equation`` with its label).

    Parameters
    ----------
    name : str
        Registered result name (``gm.t_S``).
    equation : bool
        Wrap in an ``equation`` environment with the label ``eq:<model>:<name>``.
    steps : bool
        Append the recorded derivation steps, as LaTeX comments (from the cache when warm).
    """
    r = registry.get(name)
    body = r.latex_equation() if equation else r.latex()
    if steps:
        lines = [body, "", "% derivation steps:"]
        for what, e in r.derivation:
            lines.append(f"% {what}: " + sp.latex(e, ln_notation=True).replace("\n", " "))
        body = "\n".join(lines)
    return body


def document(names: list[str] | None = None) -> str:
    """A standalone LaTeX document with every (or the given) registered result."""
    results = [registry.get(n) for n in names] if names else registry.all_results()
    out = [
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\title{regimes: registered theory results}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ]
    model = None
    for r in results:
        if r.model.name != model:
            model = r.model.name
            out.append(rf"\section*{{Model \texttt{{{text(model)}}}}}")
        out.append(rf"\paragraph{{\texttt{{{text(r.name)}}}}} {text(r.description)} ({r.kind}).")
        if r.assumptions:
            out.append(rf"\emph{{Assumptions:}} {text(r.assumptions)}.")
        if r.reference:
            out.append(rf"\emph{{Reference:}} {text(r.reference)}.")
        out.append(r.latex_equation())
    out.append(r"\end{document}")
    return "\n".join(x for x in out if x != "") + "\n"
