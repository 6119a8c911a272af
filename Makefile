# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export DESA_DATABASE_URL ?=

.PHONY: run test lint venv test-deps clean bench

$(BIN)/desa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

venv: $(BIN)/desa

$(VENV)/.test-deps: $(BIN)/desa
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

test-deps: $(VENV)/.test-deps

run: venv
	$(BIN)/desa init
	$(BIN)/desa deploy processes
	$(BIN)/desa serve --host $(HOST) --port $(PORT)

lint: test-deps
	$(BIN)/ruff check engine web tests bench
	$(BIN)/ruff format --check engine web tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: venv
	$(BIN)/python bench/steps.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
