# Two commands from a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

NODE_STAMP := node_modules/.installed

.PHONY: build test lint format validate serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Test-only tools from npm (axe-core, vnu-jar), pinned by package-lock.json.
# Skipped without npm: the browser tests then skip too, with a reason.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: browser tests will be skipped"; fi

build: $(STAMP)
	$(BIN)/formwright build --out build

serve: $(STAMP)
	$(BIN)/formwright serve

validate: $(STAMP)
	$(BIN)/formwright validate

lint: $(TEST_STAMP)
	$(BIN)/ruff check compiler tests bench
	$(BIN)/ruff format --check compiler tests bench
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff format compiler tests
	$(BIN)/ruff check --fix compiler tests

test: lint $(NODE_STAMP)
	$(BIN)/pytest -n auto

# Benchmarks (not part of `make test`): ratios against peers measured in the same run,
# written to bench/results.md. Page weight needs Chromium and npm (SurveyJS is installed
# into a temporary folder), the endpoint benchmark needs wrk (Debian: apt-get install wrk).
# BENCH="build_speed --quick" runs a part.
BENCH ?=
bench: $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf build $(VENV) node_modules
