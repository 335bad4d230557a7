# Set-up is two commands: `make verify` and `make test` (both create .venv when missing).
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export NUMBA_CACHE_DIR ?= $(CURDIR)/.venv/numba-cache

.PHONY: venv verify test test-fast generate lab browser-deps bench clean fashion-mnist

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install -q --compile-bytecode --python $(VPY) -e '.[dev]'
	-@$(MAKE) --no-print-directory fashion-mnist
	touch $(STAMP)

venv: $(STAMP)

verify: $(STAMP)
	$(VENV)/bin/regimes verify --quick

test: $(STAMP) browser-deps
	$(VPY) -m pytest -q

# the fast subset: no slow tests, no notebook/browser runs, no SymPy derivations
test-fast: $(STAMP)
	$(VPY) -m pytest -q -m "not slow and not notebooks and not sympy"

# Regenerate numerics/generated/ from the theory registry (derivations load from the on-disk
# cache when warm; REGIMES_NO_CACHE=1 re-derives everything). `--check` only reports staleness.
generate: $(STAMP)
	$(VPY) -m theory.codegen

# JupyterLab on loopback only; --allow-root is needed when run as root (harmless otherwise).
LAB_PORT ?= 8888
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --allow-root --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser --ServerApp.root_dir=notebooks

# Best effort, never fatal: Debian's chromium for tests/test_browser.py (as root, where apt-get
# exists); without it that test skips with the reason. Playwright itself is a dev extra.
CHROMIUM ?= /usr/bin/chromium
APT := DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=120
browser-deps:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium with apt-get for the browser test (best effort)"; \
	  ( $(APT) install chromium >/dev/null 2>&1 || { $(APT) update >/dev/null 2>&1 && $(APT) install chromium >/dev/null 2>&1; } ) \
	    || echo "note: chromium could not be installed; tests/test_browser.py will skip"; \
	fi

bench: $(STAMP)
	$(VENV)/bin/regimes bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

# Best effort: Fashion-MNIST from the Debian package (idx files under /usr/share/datasets/fashion-mnist);
# needs root and apt-get; never fails the build (`regimes times --dataset fashion-mnist` explains when absent).
FMNIST_DIR := /usr/share/datasets/fashion-mnist
fashion-mnist:
	@if [ -f $(FMNIST_DIR)/train-images-idx3-ubyte.gz ]; then echo "fashion-mnist: present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  ( $(APT) install dataset-fashion-mnist >/dev/null 2>&1 || { $(APT) update >/dev/null 2>&1 && $(APT) install dataset-fashion-mnist >/dev/null 2>&1; } ); \
	  if [ -f $(FMNIST_DIR)/train-images-idx3-ubyte.gz ]; then echo "fashion-mnist: installed"; \
	  else echo "fashion-mnist: apt-get install dataset-fashion-mnist failed (skipped; optional)"; fi; \
	else echo "fashion-mnist: not installed (optional; as root: apt-get install -y dataset-fashion-mnist)"; fi; true
