"""LaTeX export: display forms with named intermediates, labels, steps, the standalone document."""

from __future__ import annotations

import pytest

from theory import latex, registry


@pytest.mark.sympy
def test_result_latex_shows_names_and_label(all_results):
    tex = latex.result_latex("gm.t_S")
    assert tex.startswith("\\begin{equation}") and "\\label{eq:gm:t-S}" in tex
    assert "t_S = \\frac{\\ln{\\left(\\Lambda \\right)}}{2}" in tex
    assert latex.result_latex("gm.kappa", equation=False) == registry.get("gm.kappa").latex()


@pytest.mark.sympy
def test_steps_are_comments(all_results):
    tex = latex.result_latex("gm.t_S", steps=True)
    lines = tex.splitlines()
    steps = [ln for ln in lines if ln.startswith("% ") and ":" in ln]
    assert any("leading order" in ln for ln in steps) and any("expansion in 1/Λ" in ln for ln in steps)
    assert all("\n" not in ln for ln in steps)
    tex = latex.result_latex("rem.pd_log_partition", steps=True)
    assert "series in s" in tex and "\\Gamma" in tex


@pytest.mark.sympy
def test_document_has_every_result_with_its_kind(all_results):
    doc = latex.document()
    assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
    for r in registry.all_results():
        assert f"\\label{{{r.label}}}" in doc
    assert "(definition)" in doc and "(assembled)" in doc and "(derived)" in doc
    assert all(ord(c) < 128 for c in doc), "non-ASCII left in the document"
    small = latex.document(["gm.t_C", "gm.alpha"])
    assert small.count("\\begin{equation}") == 2


def test_text_escapes():
    assert latex.text("a_b & 50%") == "a\\_b \\& 50\\%"
    assert latex.text("Γ_t ≤ ∞") == "$\\Gamma$\\_t $\\le$ $\\infty$"
