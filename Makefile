# Sunshine Food Safety — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_BUSINESSES ?= 2000
DATABASE_URL ?= sqlite:///var/sunshine.sqlite3

.PHONY: install run serve test test-pg lint format typecheck bench clean

$(BIN)/sunshine: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/sunshine

## make run: install, migrate the SQLite file, seed the demo province once, serve all portals.
run: install
	SUNSHINE_DEMO=1 SUNSHINE_DATABASE_URL=$(DATABASE_URL) $(BIN)/sunshine db upgrade
	SUNSHINE_DEMO=1 SUNSHINE_DATABASE_URL=$(DATABASE_URL) $(BIN)/sunshine demo --businesses $(DEMO_BUSINESSES) --if-empty --accounts-json var/demo-accounts.json
	@echo "Serving on http://$(HOST):$(PORT)  (public /, enterprise /biz/, government /gov/, API /api/docs)"
	SUNSHINE_DEMO=1 SUNSHINE_DATABASE_URL=$(DATABASE_URL) $(BIN)/sunshine serve --host $(HOST) --port $(PORT)

## make test: the whole suite on SQLite (set SUNSHINE_TEST_DATABASE_URL for PostgreSQL).
test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

format: install
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/store_and_list.py

clean:
	rm -rf $(VENV) var test-output build *.egg-info src/*.egg-info
