"""Sphinx configuration of the regimes docs site (``make docs``; warnings are errors).

Why Sphinx (not MkDocs): the API reference comes from the numpydoc docstrings through autodoc and
numpydoc, the notebooks are executed and rendered by myst-nb, the CLI reference is read from the
argparse parser (sphinx-argparse), and Markdown pages are MyST — one tool for all four, as in the
scientific Python projects (SciPy, ampform, tensorwaves) whose users this targets.

Generated at build time (``docs/_ext/regimes_docs.py``, git-ignored outputs): ``notebooks/`` (copies
of the repository's notebooks, executed here at ``REGIMES_NB_SIZE=small`` unless
``REGIMES_DOCS_NOTEBOOKS`` names a folder of notebooks already executed), ``reference/results.md``
(the registry catalog with every formula), ``reference/checks.md`` (the verification table), and a
local MathJax (``_static/mathjax``, from the ``django-static-mathjax`` wheel: no CDN is needed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))

import regimes  # noqa: E402

project = "regimes"
author = "The regimes developers"
copyright = "2026, the regimes developers"
release = version = regimes.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinxarg.ext",
    "regimes_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "_ext", "_templates", "**/README.md"]
templates_path = ["_templates"]
html_theme = "furo"
html_title = f"regimes {release}"
html_static_path = ["_static"]
html_show_sourcelink = False

# MyST: $...$ and $$...$$ math, amsmath environments, heading anchors for in-page links
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# myst-nb: the notebooks run at their small size (seconds each) during the build
nb_execution_mode = "off" if os.environ.get("REGIMES_DOCS_NOTEBOOKS") else "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# the explorers' widget view needs a live kernel: the site shows their static PNG (same output bundle)
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None),
                              ("html", "application/vnd.jupyter.widget-state+json", None)]
os.environ.setdefault("REGIMES_NB_SIZE", "small")

# MathJax 3, served from the site itself (SVG output: no web fonts)
mathjax_path = "mathjax/tex-svg-full.js"
mathjax3_config = {"options": {"enableMenu": False}, "loader": {"load": []},
                   "tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}

# API reference from the numpydoc docstrings
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set = set()

suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "config.cache", "myst.domains"]
