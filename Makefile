# One entry point for humans and CI. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOWEST ?= .venv-lowest
# Installs take the versions of requirements.lock (a pip constraints file written by uv from
# pyproject.toml's ranges; `make lock` refreshes it, docs/dependencies.md).
LOCK := requirements.lock
EXTRAS := test,postgres,distributed,scan,bench

.PHONY: demo test lint gate bench lock lower-bounds clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.app: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install -q -c $(LOCK) -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install -q -c $(LOCK) -e '.[$(EXTRAS)]'
	touch $@ $(VENV)/.app

## demo: set up and run the whole job on the bundled sandbox web (SQLite in ./demo)
demo: $(VENV)/.app
	$(BIN)/repostwatch demo --dir demo

## test: set up with test extras and run the whole suite
test: $(VENV)/.dev
	$(BIN)/python -m pytest

## lint: ruff, mypy (strict on the packages) and the import layers (import-linter)
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## gate: the accuracy floors on the real-world corpus (../shared/data)
gate: $(VENV)/.dev
	$(BIN)/python -m pytest tests/matcher/test_accuracy_gate.py -v

## bench: benchmark tables (accuracy on the corpus; speed and memory at scale, crawl throughput, judging CPU a page, report over 10,000 findings, chart options, review list at 100,000 findings, 1-3 distributed workers, archive scans; quick sizes)
bench: $(VENV)/.dev
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/scale.py --quick
	$(BIN)/python benchmarks/lookup.py --originals 2000 --runs 3
	$(BIN)/python benchmarks/crawl.py --quick
	$(BIN)/python benchmarks/judging.py --quick --runs 4
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/charts.py
	$(BIN)/python benchmarks/review.py --runs 9
	$(BIN)/python benchmarks/distributed.py --quick
	$(BIN)/python benchmarks/scan.py --quick

## lock: refresh requirements.lock to the newest versions pyproject.toml allows (then test and commit it)
lock: | $(BIN)/python
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml $(foreach e,$(subst $(comma), ,$(EXTRAS)),--extra $(e)) \
		--universal --python-version 3.11 --upgrade -q -o $(LOCK)

## lower-bounds: the lowest versions pyproject.toml allows, in $(LOWEST): the demo and the crawl, check and serve tests
lower-bounds: $(VENV)/.dev
	rm -rf $(LOWEST)
	$(BIN)/uv venv -q --python $(BIN)/python $(LOWEST)
	VIRTUAL_ENV=$(CURDIR)/$(LOWEST) $(BIN)/uv pip install -q --resolution lowest-direct \
		-e '.[test,postgres]'
	VIRTUAL_ENV=$(CURDIR)/$(LOWEST) $(BIN)/uv pip list 2>/dev/null \
		| grep -i -E '^(scrapy|twisted|aiohttp|yarl|selectolax|numpy|sqlalchemy|rapidfuzz|trafilatura|jinja2|psycopg) '
	$(LOWEST)/bin/repostwatch demo --dir $(LOWEST)/demo
	$(LOWEST)/bin/python -m pytest -q $(LOWER_BOUND_TESTS)

LOWER_BOUND_TESTS := tests/crawler/test_crawl.py tests/crawler/test_check.py \
	tests/crawler/test_fetch.py tests/crawler/test_guard.py tests/reports/test_review_server.py \
	tests/matcher/test_outcomes.py
comma := ,

clean:
	rm -rf $(VENV) $(LOWEST) demo .mypy_cache .ruff_cache build *.egg-info
