# wellness: developer and CI commands. `make` (or `make help`) lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: the venv is reinstalled only when pyproject.toml is newer.
INSTALL_STAMP := $(VENV)/.wellness-dev-installed
# The browser tests' npm tools (axe-core), pinned by tests/browser/package-lock.json.
NODE_TOOLS := tests/browser/node_modules
NODE_STAMP := $(NODE_TOOLS)/.wellness-installed
PORT ?= 8000
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=
# Every run lists its slowest tests, so a CI log shows where the time went.
PYTEST_REPORT := --durations=20 --durations-min=3
# pytest-xdist: one worker per core; the browser tests stay together on one of them.
PYTEST_PARALLEL ?= -n auto --dist loadgroup

# Exits 0 when the PostgreSQL server in argv[1] accepts a connection, else prints why and exits 1.
define POSTGRES_CHECK
import asyncio, sys
import asyncpg

async def connect(url):
    connection = await asyncpg.connect(url, timeout=5)
    await connection.close()

try:
    asyncio.run(connect(sys.argv[1].replace("postgres://", "postgresql://", 1)))
except Exception as error:
    sys.exit(f"{type(error).__name__}: {error}")
endef
export POSTGRES_CHECK

.PHONY: help install demo lint test test-sqlite test-postgres bench clean distclean

help: ## List the targets
	@echo "Usage: make TARGET   (variables: PORT=$(PORT), PYTEST_ARGS='...', PYTEST_PARALLEL='$(PYTEST_PARALLEL)', PYTHON=$(PYTHON))"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALL_STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing wellness and its dev tools into $(VENV) ..."
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(NODE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "Installing the browser tests' npm tools (axe-core) into $(NODE_TOOLS) ..."; \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
		touch $@; \
	else \
		echo "npm is missing: the axe-core checks will skip (install it: apt-get install -y npm)."; \
	fi

install: $(INSTALL_STAMP) $(NODE_STAMP) ## Create .venv and tests/browser/node_modules if missing, install dev tools

demo: install ## Run the demo server on a fresh demo database (PORT=8000)
	$(BIN)/wellness demo --port $(PORT)

lint: install ## Check formatting (ruff format), lint (ruff check) and types (mypy)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint ## Lint, then the test suite on SQLite, then again on PostgreSQL when reachable
	@$(MAKE) test-sqlite
	@$(MAKE) test-postgres

test-sqlite: install ## The test suite on SQLite, browser tests and the wheel install check included
	@echo "== pytest on SQLite =="
	WELLNESS_TEST_DATABASE_URL= WELLNESS_TEST_REDIS_URL=$(REDIS_TEST_URL) \
		$(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_REPORT) $(PYTEST_ARGS)

# tests/unit never opens a database (tests/conftest.py refuses one that asks for it), so the
# PostgreSQL pass leaves it to the SQLite pass.
test-postgres: install ## The test suite on PostgreSQL (browser, install and pure unit tests excluded); required under CI=true
	@if reason=$$($(BIN)/python -c "$$POSTGRES_CHECK" "$(POSTGRES_TEST_URL)" 2>&1); then \
		echo "== pytest on PostgreSQL ($(POSTGRES_TEST_URL)) =="; \
		set -x; \
		WELLNESS_TEST_DATABASE_URL=$(POSTGRES_TEST_URL) WELLNESS_TEST_REDIS_URL=$(REDIS_TEST_URL) \
			$(BIN)/pytest -m "not browser and not install" --ignore=tests/unit $(PYTEST_PARALLEL) $(PYTEST_REPORT) $(PYTEST_ARGS); \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "error: CI=true but PostgreSQL at $(POSTGRES_TEST_URL) is unreachable: $$reason" >&2; \
		exit 1; \
	else \
		echo "skipping the PostgreSQL run: $(POSTGRES_TEST_URL) is unreachable ($$reason)."; \
		echo "Start it with: pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start"; \
	fi

bench: install ## Run every benchmark script (bench/*.py but the helpers _*.py, bench_app.py and the profilers profile_*.py)
	@shopt -s nullglob; scripts=(); \
	for script in bench/*.py; do case "$$(basename "$$script")" in _*|bench_app.py|profile_*.py) ;; *) scripts+=("$$script");; esac; done; \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks yet: bench/*.py matches nothing."; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
		echo "== $$script =="; \
		$(BIN)/python "$$script"; \
	done

clean: ## Remove caches, build leftovers and the demo database (keeps .venv)
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist test-results .wellness-demo
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 \
		| xargs -0 rm -rf

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV) $(NODE_TOOLS)
