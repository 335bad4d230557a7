"""Sphinx extension of the regimes docs: pages generated from the code at build time, a local MathJax,
and links from "THEORY §n" / "theory document §n" in docstrings to the theory document.

Generated (git-ignored) before the sources are read:

- ``notebooks/*.ipynb``: the repository's notebooks (or the executed copies in ``$REGIMES_DOCS_NOTEBOOKS``);
- ``reference/results.md``: every registered result with its formula (display form, broken to fit);
- ``reference/checks.md``: every verification check with the results it tests;
- ``_static/mathjax/tex-svg-full.js``: MathJax 3 from the ``django-static-mathjax`` wheel.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent


def _write(path: Path, text: str) -> None:
    """Write only when changed (Sphinx then re-reads only what changed); atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def copy_notebooks() -> None:
    src = Path(os.environ.get("REGIMES_DOCS_NOTEBOOKS") or ROOT / "notebooks")
    dest = DOCS / "notebooks"
    dest.mkdir(exist_ok=True)
    wanted = {p.name for p in src.glob("*.ipynb")}
    for old in dest.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()
    for p in sorted(src.glob("*.ipynb")):
        _write(dest / p.name, p.read_text())


def results_page() -> str:
    from theory import registry
    from theory.latex import aligned

    out = ["(results)=", "# Registered results", "",
           "Every named result of the registry (`regimes results`), grouped by model: its formula in display form "
           "(named intermediates kept), kind, generated function and reference. `regimes latex NAME` prints one "
           "for a paper; `regimes latex --all` all of them as a LaTeX document.", ""]
    model = None
    for r in registry.all_results():
        if r.model.name != model:
            model = r.model.name
            out += [f"## Model `{model}`", "", r.model.description + ".", ""]
        ref = re.sub(r"THEORY\s*§\s*(\d)", lambda m: f"{{ref}}`theory document §{m.group(1)} <theory-s{m.group(1)}>`",
                     r.reference)
        out += [f"### `{r.name}`", "", f"{r.description} (*{r.kind}*; arguments `{', '.join(r.args)}`"
                + (f"; generated `numerics.generated.{r.model.name}.{r.short}`" if r.codegen else "") + ").", "",
                "$$", aligned(r.symbol, r.display, budget=70), "$$", ""]
        if r.assumptions:
            out += [f"*Assumptions:* {r.assumptions}.", ""]
        if ref:
            out += [f"*Reference:* {ref}.", ""]
    return "\n".join(out)


def checks_page() -> str:
    from numerics.verify.runner import select_checks

    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    quick = {c.name for c in select_checks("quick", None)}
    rows = ["(checks)=", "# Verification checks", "",
            "Every check of `regimes verify` pairs registered theory results with a Monte Carlo measurement and "
            "passes when its z-score is below the Bonferroni threshold of the run (`regimes verify --list`; "
            "`make verify` runs the quick set). The results each check tests are those that `regimes verify --mutate` "
            "perturbs to make it fail.", "",
            "| check | quick | tests | what is compared |", "|---|---|---|---|"]
    for c in select_checks("full", None):
        rows.append(f"| `{c.name}` | {'yes' if c.name in quick else 'full only'} | "
                    f"{', '.join(f'`{t}`' for t in c.tests)} | {cell(c.description)} |")
    return "\n".join(rows) + "\n"


def copy_mathjax() -> None:
    import mathjax  # the django-static-mathjax wheel (docs extra)

    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js"
    dest = DOCS / "_static" / "mathjax" / "tex-svg-full.js"
    if not dest.exists() or dest.stat().st_size != src.stat().st_size:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)


def builder_inited(app) -> None:
    copy_notebooks()
    _write(DOCS / "reference" / "results.md", results_page())
    _write(DOCS / "reference" / "checks.md", checks_page())
    copy_mathjax()


_THEORY = re.compile(r"(?:THEORY(?:\.md)?|theory document),?\s*§\s*(\d)")
# `literal`, ``literal``, :role:`text`, $math$: left alone when escaping
_PROTECTED = re.compile(r"(:[\w:+.-]+:`[^`]*`|``[^`]*``|`[^`]*`_{0,2}|\$[^$]+\$)")


def _escape(text: str) -> str:
    """Plain-text docstring constructs that reStructuredText would misread, escaped: ``|m|`` (a
    substitution), ``p_+`` (a target reference), a lone backtick or asterisk."""
    out = []
    for k, part in enumerate(_PROTECTED.split(text)):
        if k % 2:
            out.append(part)
            continue
        part = re.sub(r"(?<!\\)\|", r"\\|", part)
        part = re.sub(r"(\w)_(?=[^\w`]|$)", r"\1\\_", part)
        part = re.sub(r"(?<![\s(\[{\\])\*(?![*\w])", r"\\*", part)  # m*, not *emphasis* nor **strong**
        out.append(part)
    return "".join(out)


def _problems(lines: list[str]) -> list[str]:
    """docutils' complaints about ``lines`` (Sphinx roles and directives read as known ones)."""
    import io

    from docutils import frontend, utils
    from docutils.parsers.rst import Parser, directives

    known = set(directives._directive_registry) | set(directives._directives)
    text = "\n".join(lines)
    text = re.sub(r":[\w:+.-]+:`", "`", text)
    text = re.sub(r"^(\s*)\.\. ([\w:-]+)::", lambda m: m.group(0) if m.group(2) in known else f"{m.group(1)}.. note::",
                  text, flags=re.M)
    stream = io.StringIO()
    settings = frontend.get_default_settings(Parser)
    settings.report_level, settings.halt_level, settings.warning_stream = 2, 5, stream
    doc = utils.new_document("<docstring>", settings)
    Parser().parse(text, doc)
    return [ln for ln in stream.getvalue().splitlines() if "(WARNING" in ln or "(ERROR" in ln or "(SEVERE" in ln]


def clean_docstring(app, what, name, obj, options, lines) -> None:
    """Docstrings written as plain text render without warnings: "THEORY §n" links to the theory
    document; ``|x|``, ``p_+``, ``m*`` are escaped outside literals, doctests and math; a docstring that
    docutils still cannot read cleanly (a layout error of its own) is shown verbatim."""
    original = list(lines)
    literal, doctest = False, False
    indent_of_literal = 0
    for k, line in enumerate(lines):
        stripped = line.lstrip()
        ind = len(line) - len(stripped)
        if not stripped:
            doctest = False
            continue
        if literal and ind > indent_of_literal:
            continue
        literal = False
        if stripped.startswith(">>>") or doctest:
            doctest = True
            continue
        if stripped.startswith(".. ") or stripped.startswith(":"):  # directives and field markers as they are
            head, sep, rest = line.partition(":: ") if stripped.startswith(".. ") else ("", "", line)
            lines[k] = head + sep + _escape(rest) if sep else line if stripped.startswith(".. ") else line
            if stripped.startswith(":"):
                m = re.match(r"^(\s*:[^:]+:\s?)(.*)$", line)
                if m:
                    lines[k] = m.group(1) + _escape(m.group(2))
            if line.rstrip().endswith("::"):
                literal, indent_of_literal = True, ind
            continue
        lines[k] = _escape(line)
        lines[k] = _THEORY.sub(lambda m: f":ref:`theory document §{m.group(1)} <theory-s{m.group(1)}>`", lines[k])
        if line.rstrip().endswith("::"):
            literal, indent_of_literal = True, ind
    if _problems(lines):
        lines[:] = ["::", ""] + ["    " + ln for ln in original] + [""]


def cli_parser():
    """The ``regimes`` parser for sphinx-argparse (which reads help texts as reStructuredText), with
    every help and description escaped like the docstrings."""
    import argparse

    from numerics.cli import build_parser

    def walk(parser, seen):
        if id(parser) in seen:
            return
        seen.add(id(parser))
        for attr in ("description", "epilog"):
            if getattr(parser, attr, None):
                setattr(parser, attr, _escape(getattr(parser, attr)))
        for action in parser._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = _escape(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if choice.help:
                        choice.help = _escape(choice.help)
                for sub in action.choices.values():
                    walk(sub, seen)

    parser = build_parser()
    walk(parser, set())
    return parser


def _safe_summaries() -> None:
    """autosummary's one-line summaries (read from the raw docstrings) get the same escaping."""
    from sphinx.ext import autosummary

    if getattr(autosummary.extract_summary, "_regimes", False):
        return
    orig = autosummary.extract_summary

    def extract_summary(doc, document):
        summary = _escape(orig([_escape(line) for line in doc], document))
        if summary.count("``") % 2:  # cut inside a literal (a ". " in ``a ... b``): the first line instead
            first = next((line.strip() for line in doc if line.strip()), "")
            summary = _escape(first) if first.count("``") % 2 == 0 else ""
        return summary

    extract_summary._regimes = True
    autosummary.extract_summary = extract_summary


def setup(app):
    _safe_summaries()
    app.connect("builder-inited", builder_inited)
    # after numpydoc (priority 500) has turned the sections into reStructuredText
    app.connect("autodoc-process-docstring", clean_docstring, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
