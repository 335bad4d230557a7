# Set-up is two commands: `make verify` and `make test` (both create .venv when missing).
PY      ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export NUMBA_CACHE_DIR ?= $(CURDIR)/.venv/numba-cache

.PHONY: venv verify test test-fast generate lab bench clean

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install -q --python $(VPY) -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

verify: $(STAMP)
	$(VENV)/bin/regimes verify --quick

test: $(STAMP)
	$(VPY) -m pytest -q

test-fast: $(STAMP)
	$(VPY) -m pytest -q -m "not slow"

generate: $(STAMP)
	$(VPY) -m theory.codegen

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --allow-root --ip=127.0.0.1 --no-browser notebooks

bench: $(STAMP)
	$(VENV)/bin/regimes bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
