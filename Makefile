# One entry point for humans and CI. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint gate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,postgres,distributed,scan,bench]'
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

## bench: benchmark tables (accuracy on the corpus; speed and memory at scale, crawl throughput, report over 10,000 findings, review list at 100,000 findings, 1-3 distributed workers, archive scans; quick sizes)
bench: $(VENV)/.dev
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/scale.py --quick
	$(BIN)/python benchmarks/lookup.py --originals 2000 --runs 3
	$(BIN)/python benchmarks/crawl.py --quick
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/review.py --runs 9
	$(BIN)/python benchmarks/distributed.py --quick
	$(BIN)/python benchmarks/scan.py --quick

clean:
	rm -rf $(VENV) demo .mypy_cache .ruff_cache build *.egg-info
