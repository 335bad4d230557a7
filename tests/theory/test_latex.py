"""LaTeX export: one printer configuration (ln, ln Γ, p_-, named intermediates, E_z), line breaking,
ASCII text, the three styles, and the standalone document compiled by a real TeX engine."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import sympy as sp

from theory import latex, registry

PDFLATEX = shutil.which("pdflatex")


# ---- the printer -----------------------------------------------------------------------------
def test_printer_conventions():
    t, L, p, z, k = sp.symbols("t Lambda p_+ z kappa", positive=True)
    assert latex.latex(sp.log(L) / 2) == r"\frac{1}{2} \ln \Lambda"
    assert latex.latex(sp.log(1 + t)) == r"\ln\left(t + 1\right)"
    assert latex.latex(sp.loggamma(t)) == r"\ln\Gamma\left(t\right)"
    assert latex.latex(sp.log(sp.gamma(t))) == r"\ln\Gamma\left(t\right)"
    assert latex.latex(sp.polygamma(0, t)) == r"\psi\left(t\right)"
    assert latex.latex(4 * p * (1 - p)) == r"4 p_{+} p_{-}"
    gauss = sp.Integral(sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi) * sp.tanh(sp.sqrt(k) * z + k) ** 2, (z, -sp.oo, sp.oo))
    out = latex.latex(gauss)
    assert out.startswith(r"\mathbb{E}_{z}\left[") and "sqrt{2}" not in out and r"\pi" not in out


def test_powers_of_the_special_functions_print():
    """sech², ln cosh and logaddexp raised to a power (the printer passes ``exp``; cw.dsm_local_curvature has
    sech⁴ = (sech²)²) are printed with parentheses around the function."""
    from theory.special import logaddexp, logcosh, sech2

    x = sp.Symbol("x", real=True)
    assert latex.latex(sech2(x) ** 2) == r"\left(\operatorname{sech}^{2}\left(x\right)\right)^{2}"
    assert latex.latex(sech2(x)) == r"\operatorname{sech}^{2}\left(x\right)"
    assert latex.latex(logcosh(x) ** 3) == r"\left(\ln\cosh\left(x\right)\right)^{3}"
    assert latex.latex(logaddexp(x, 2 * x) ** 2).startswith(r"\left(\ln\left(e^{x} + e^{2 x}\right)\right)^{2}")


def test_breaking_fits_the_budget():
    x = sp.symbols("x_1:30")
    lines = latex.formula("F", sum(sp.log(1 + xi) for xi in x), budget=50)
    assert len(lines) > 3 and all(latex.width(b) <= 50 for _, b in lines[1:])
    assert lines[0][0] == "F" and all(a == "" for a, _ in lines[1:])


def test_text_is_ascii_and_typeset():
    assert latex.text("a_b & 50%") == "$a_b$ \\& 50\\%"
    out = latex.text("M > 0 ⇔ p̂_+ ≈ ½; e^{-2t} -> 0 (THEORY §4)")
    assert out.isascii() and "?" not in out and "textasciicircum" not in out
    assert r"\Leftrightarrow" in out and r"\hat{p}" in out and r"\to" in out and r"\S4" in out
    assert latex.text("the collapse time gm.t_C_alpha") == r"the collapse time \texttt{gm.t\_C\_alpha}"
    with pytest.raises(ValueError, match="no LaTeX"):
        latex.text("☃")


# ---- results ----------------------------------------------------------------------------------
@pytest.mark.sympy
def test_result_latex_styles(all_results):
    tex = latex.result_latex("gm.t_S")
    assert tex.startswith("\\begin{equation}") and "\\label{eq:gm:t-S}" in tex
    assert r"t_S = \frac{1}{2} \ln \Lambda" in tex
    assert latex.result_latex("gm.t_S", style="inline") == r"$t_S = \frac{1}{2} \ln \Lambda$"
    assert latex.result_latex("gm.kappa", equation=False) == registry.get("gm.kappa").latex()
    wide = latex.result_latex("gm.phi", style="align", budget=40)
    assert wide.startswith("\\begin{align}") and "\\notag" in wide and wide.count("\\label{eq:gm:phi}") == 1
    split = latex.result_latex("rem.rate")
    assert "\\begin{split}" in split
    with pytest.raises(ValueError):
        latex.result_latex("gm.t_S", style="boxed")


@pytest.mark.sympy
def test_paper_conventions_everywhere(all_results):
    for r in all_results:
        tex = latex.result_latex(r.name)
        assert "\\log" not in tex and "loggamma" not in tex and "polygamma" not in tex, r.name
        assert "1 - p_{+}" not in tex, r.name
    assert re.search(r"4 p_\{\+\} p_(-|\{-\}) \|m\|\^2", latex.result_latex("gm.Lambda"))


@pytest.mark.sympy
def test_steps_are_comments(all_results):
    tex = latex.result_latex("gm.t_S", steps=True)
    lines = tex.splitlines()
    steps = [ln for ln in lines if ln.startswith("% ") and ":" in ln]
    assert any("leading order" in ln for ln in steps) and any("expansion in 1/Λ" in ln for ln in steps)
    tex = latex.result_latex("rem.pd_log_partition", steps=True)
    assert "series in s" in tex and "\\Gamma" in tex


@pytest.mark.sympy
def test_repr_latex_wraps_wide_formulas(all_results):
    out = registry.get("rem.rate")._repr_latex_()
    assert out.startswith("$$\\displaystyle \\begin{aligned}")


@pytest.mark.sympy
def test_document_has_every_result_with_its_kind(all_results):
    doc = latex.document()
    assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
    for r in registry.all_results():
        assert f"label \\texttt{{{latex._plain(r.label)}}}" in doc
    assert "(definition;" in doc and "(assembled;" in doc and "(derived;" in doc
    assert doc.isascii() and "?" not in doc.replace("\\?", "")
    assert "THEORY" not in doc and "docs/theory.md" in doc and "arXiv:2402.18491" in doc
    small = latex.document(["gm.t_C", "gm.alpha"])
    assert small.count("\\begin{equation}") == 2


@pytest.mark.sympy
@pytest.mark.skipif(PDFLATEX is None, reason="no pdflatex: `make system-deps` installs texlive-latex-base (as root)")
def test_document_compiles_cleanly(all_results, tmp_path):
    """The whole export through pdflatex, first run: no error, no warning, no over- or underfull box."""
    (tmp_path / "all.tex").write_text(latex.document())
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "all.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    log = (tmp_path / "all.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    problems = [ln for ln in log.splitlines() if re.search(r"Warning|Overfull|Underfull|^!", ln)]
    assert not problems, problems
    assert (tmp_path / "all.pdf").stat().st_size > 10_000
