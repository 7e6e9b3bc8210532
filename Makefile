# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
# torch is pinned where sentence-transformers needs it: 2.13.0 is the CPU build on these
# machines; an unpinned torch would pull a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: install install-test run serve test check bench eval clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e .
	touch $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e '.[test,sentence-transformers]' $(TORCH)
	touch $(VENV)/.installed $@

run: install
	$(VENV)/bin/papi serve

test: install-test
	$(PY) -m pytest -q

check: install-test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

eval: install
	$(VENV)/bin/papi eval

bench: install
	$(PY) scripts/benchmark.py
	$(PY) scripts/bench_load.py --requests 2000 --concurrency 20

clean:
	rm -rf $(VENV) data test-output .pytest_cache .ruff_cache .mypy_cache
