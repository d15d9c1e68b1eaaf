# fastdescent — every target bootstraps a local virtual environment when it is missing,
# so a fresh machine with only Python >= 3.11 and pip needs nothing else.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all venv docs docs-clean figures figures-research test test-all bench clean help

help:
	@echo "make figures          regenerate the lecture figures (es + en) into figures/"
	@echo "make figures-research the grid studies at full resolution (slow)"
	@echo "make test             the CI test suite (excludes @pytest.mark.slow)"
	@echo "make test-all         every test, slow studies included"
	@echo "make bench            the benchmark suite (writes benchmarks/RESULTS.md)"
	@echo "make docs             the documentation site into docs/_build/html (offline; runs the gallery)"

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

# the documentation: warnings are errors, every warning is reported (--keep-going), the public
# API's cross-references must resolve (nitpicky, in docs/conf.py). The gallery and tutorials
# run during the build; sphinx-gallery re-runs only scripts that changed.
DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,dask,docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	MPLBACKEND=Agg $(PY) -m sphinx -b html -W --keep-going -j 1 docs docs/_build/html
	@echo "open docs/_build/html/index.html"

docs-clean:
	rm -rf docs/_build docs/generated docs/gallery docs/tutorial docs/_gallery_src docs/_generated \
		docs/api.rst docs/sg_execution_times.rst

bench: $(STAMP)
	$(PY) benchmarks/run.py --write benchmarks/RESULTS.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
