# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint venv test-deps bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

venv: $(VENV)/.installed

$(VENV)/.test-deps: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# bpmnlint (tests/test_bpmnlint.py), the version pinned in tools/bpmnlint/package-lock.json, when npm is here.
tools/bpmnlint/node_modules/.installed: tools/bpmnlint/package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --prefix tools/bpmnlint --no-audit --no-fund --silent && touch $@; fi

# axe-core (tests/web/test_journeys.py), the version pinned in tests/web/axe/package-lock.json, when npm is here.
tests/web/axe/node_modules/.installed: tests/web/axe/package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/web/axe --no-audit --no-fund --silent && touch $@; fi

test-deps: $(VENV)/.test-deps tools/bpmnlint/node_modules/.installed tests/web/axe/node_modules/.installed

# Creates the embedded SQLite database (instance/desa.sqlite), deploys processes/, and serves the
# web app with the timer worker beside it.
run: venv
	$(BIN)/desa init
	$(BIN)/desa deploy processes
	$(BIN)/desa demo
	$(BIN)/desa serve --host $(HOST) --port $(PORT)

lint: test-deps
	$(BIN)/ruff check engine web tests bench tools
	$(BIN)/ruff format --check engine web tests bench tools
	$(BIN)/mypy

# The suite on both cores (pytest-xdist; each worker has its own databases, tests/databases.py), a
# test file's tests in one worker so that a file's shared fixtures are made once; then, alone on a
# quiet machine, the bench check, which compares the step's speed with the floor in one run.
JOBS ?= 2
test: lint
	$(BIN)/pytest -q -n $(JOBS) --dist loadfile --ignore=tests/test_bench_gate.py
	$(BIN)/pytest -q tests/test_bench_gate.py

bench: venv
	$(BIN)/python bench/steps.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
