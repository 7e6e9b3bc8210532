# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
# torch is pinned where sentence-transformers needs it: 2.13.0 is the CPU build on these
# machines; an unpinned torch would pull a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: install install-test install-ocr run serve test check bench bench-ocr eval clean

# Scans, .doc files and the OCR tests need Debian tools: Tesseract with its Vietnamese
# model, antiword, and a font with Vietnamese letters (the OCR tests draw their pages).
# Installed with apt-get when missing and possible; without them scans and .doc files are
# refused with the install hint, the tests that need them skip, and the rest works.
OCR_DEBS := tesseract-ocr tesseract-ocr-vie antiword fonts-liberation2
install-ocr:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie \
	    && command -v antiword >/dev/null 2>&1 \
	    && test -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_DEBS) >/dev/null) \
	    || echo "could not install $(OCR_DEBS); scans and .doc files will be refused" >&2; \
	else echo "install $(OCR_DEBS) (apt-get) to read scans and .doc files" >&2; fi

install: $(VENV)/.installed install-ocr

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e .
	touch $@

install-test: $(VENV)/.installed-test install-ocr

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
	$(PY) scripts/bench_serve.py

bench-ocr: install install-ocr
	$(PY) scripts/ocr_testset.py --out data/ocr-testset
	$(PY) scripts/bench_ocr.py data/ocr-testset

clean:
	rm -rf $(VENV) data test-output .pytest_cache .ruff_cache .mypy_cache
