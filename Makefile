# Set-up is two commands: `make verify` and `make test` (both create .venv when missing).
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export NUMBA_CACHE_DIR ?= $(CURDIR)/.venv/numba-cache

.PHONY: venv verify test test-all test-fast generate lab docs system-deps browser-deps tex-deps bench clean fashion-mnist

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install -q --compile-bytecode --python $(VPY) -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

verify: system-deps $(STAMP)
	$(VENV)/bin/regimes verify --quick

# the essential suite on every core (≈ 5 min on 2 cores): everything but the tests marked slow (the docs build,
# the mutations of the ~45 s checks, the cluster and fresh-install runs); `make test-all` runs those too
test: system-deps $(STAMP)
	$(VPY) -m pytest -q -n auto -m "not slow" --durations=15

test-all: system-deps $(STAMP)
	$(VPY) -m pytest -q -n auto --durations=15

# the fast subset: no slow tests, no notebook/browser runs, no SymPy derivations
test-fast: $(STAMP)
	$(VPY) -m pytest -q -m "not slow and not notebooks and not sympy"

# Regenerate numerics/generated/ from the theory registry (derivations load from the on-disk
# cache when warm; REGIMES_NO_CACHE=1 re-derives everything). `--check` only reports staleness.
generate: $(STAMP)
	$(VPY) -m theory.codegen

# JupyterLab on loopback only, serving a working copy of the notebooks in lab/ (git-ignored): running
# and saving there never touches the tracked, output-free notebooks/ (notebooks missing from lab/ are
# copied in; ones already there are kept, edits included). --allow-root is needed as root.
LAB_PORT ?= 8888
LAB_DIR  ?= lab
LAB_ARGS ?=
lab: $(STAMP)
	$(VENV)/bin/regimes notebooks $(LAB_DIR)
	$(VENV)/bin/jupyter lab --allow-root --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser --ServerApp.root_dir=$(LAB_DIR) $(LAB_ARGS)

# The docs site (Sphinx + myst-nb): API reference, the notebooks executed at their small size, the theory
# document, the verification table, the CLI reference. Warnings are errors. Output: docs/_build/html.
DOCS_OUT ?= docs/_build/html
docs: $(STAMP)
	REGIMES_NB_SIZE=small $(VPY) -m sphinx -W --keep-going -q -b html -d $(DOCS_OUT)/.doctrees docs $(DOCS_OUT)
	@echo "docs: open $(DOCS_OUT)/index.html"

# System packages from Debian, each printed as it is installed: Chromium (browser tests), a TeX engine
# (the LaTeX export compiled in the tests), Fashion-MNIST (the optional dataset). Best effort: needs root
# and apt-get; without them it prints what is missing and the tests that need it skip with the reason.
system-deps: browser-deps tex-deps fashion-mnist

APT := DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300
# apt_install NAME TEST-PATH: install Debian package NAME unless TEST-PATH exists (one line printed)
define apt_install
	@if [ -e $(2) ]; then echo "system-deps: $(1) present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "system-deps: apt-get install $(1) ..."; \
	  ( $(APT) install $(1) >/dev/null 2>&1 || { $(APT) update >/dev/null 2>&1 && $(APT) install $(1) >/dev/null 2>&1; } ); \
	  if [ -e $(2) ]; then echo "system-deps: $(1) installed"; else echo "system-deps: $(1) could not be installed (tests needing it skip)"; fi; \
	else echo "system-deps: $(1) missing (as root: apt-get install $(1)); tests needing it skip"; fi; true
endef

CHROMIUM ?= /usr/bin/chromium
browser-deps:
	$(call apt_install,chromium,$(CHROMIUM))

tex-deps:
	$(call apt_install,texlive-latex-base,/usr/bin/pdflatex)

bench: $(STAMP)
	$(VENV)/bin/regimes bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info docs/_build

# Fashion-MNIST from the Debian package (idx files under /usr/share/datasets/fashion-mnist; optional:
# `regimes times --dataset fashion-mnist` explains when absent).
FMNIST_DIR := /usr/share/datasets/fashion-mnist
fashion-mnist:
	$(call apt_install,dataset-fashion-mnist,$(FMNIST_DIR)/train-images-idx3-ubyte.gz)
