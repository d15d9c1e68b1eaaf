# fastdescent — every target bootstraps a local virtual environment when it is missing,
# so a fresh machine with only Python >= 3.11 and pip needs nothing else.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all venv figures figures-research test test-all bench clean help

help:
	@echo "make figures          regenerate the lecture figures (es + en) into figures/"
	@echo "make figures-research the grid studies at full resolution (slow)"
	@echo "make test             the CI test suite (excludes @pytest.mark.slow)"
	@echo "make test-all         every test, slow studies included"
	@echo "make bench            the benchmark suite (writes benchmarks/RESULTS.md)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dask]"
	touch $(STAMP)

figures: $(STAMP)
	$(VENV)/bin/fastdescent figures -o figures

figures-research: $(STAMP)
	$(VENV)/bin/fastdescent figures --research -o figures

test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

test-all: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py --write benchmarks/RESULTS.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
