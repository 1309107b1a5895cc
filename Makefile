# Two commands: `make report` and `make test`. Only Python 3.11 and make are needed.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.narvard-installed
DATA ?= data/raw
REPORTS ?= reports
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup report test lint format lab demo-data method-check bench clean

## Set-up: create .venv and install pinned dependencies; skipped when nothing changed.
$(STAMP): pyproject.toml requirements.txt constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -c "from narvard.report.render import ensure_kernel; ensure_kernel()"
	@touch $(STAMP)

setup: $(STAMP)

## Demo data are written only when the data folder holds nothing but .gitkeep.
demo-data: $(STAMP)
	@if [ -z "$$(ls -A $(DATA) 2>/dev/null | grep -v '^.gitkeep$$')" ]; then \
		$(BIN)/narvard demo-data --out $(DATA); \
	else echo "Använder data i $(DATA)"; fi

report: demo-data
	$(BIN)/narvard report --data $(DATA) --out $(REPORTS) --jobs $(JOBS)
	@echo "Rapporterna: $(abspath $(REPORTS))/index.html"

test: $(STAMP)
	$(BIN)/ruff check lib tests notebooks/*.py
	$(BIN)/ruff format --check lib tests
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check lib tests notebooks/*.py

format: $(STAMP)
	$(BIN)/ruff format lib tests
	$(BIN)/ruff check --fix lib tests

## The simulation study behind the adjusted effect (run before a release; ~25 min on 2 cores):
## writes docs/method-validation.md and fails when the default misses its coverage rule.
method-check: $(STAMP)
	$(BIN)/narvard method-check --replicates 40 --jobs $(JOBS) --out docs/method-validation.md

## Speed and memory beside hand-written pandas and a bare DuckDB scan, at three sizes of the
## national demo (generated once into benchmarks/.data/; ~2 min, then ~5 min to measure):
## writes the measured section of docs/performance.md. Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(REPORTS)/* data/processed/*
	@touch $(REPORTS)/.gitkeep data/processed/.gitkeep
