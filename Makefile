# Sunshine Food Safety — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_BUSINESSES ?= 2000
DATABASE_URL ?= sqlite:///var/sunshine.sqlite3

.PHONY: install run serve test browser lint format typecheck bench clean

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
test: install browser
	$(BIN)/pytest -q

## The browser tests drive Debian's Chromium; as root on Debian it is installed here.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install -y chromium fonts-noto-cjk" >&2; exit 1; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

format: install
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

typecheck: install
	$(BIN)/mypy

## make bench: 100,000 businesses, PostgreSQL + Redis and SQLite (needs wrk: apt-get install wrk).
bench: install
	@command -v wrk >/dev/null || (echo "the benchmark's load generator is wrk: apt-get install -y wrk" >&2; exit 1)
	$(BIN)/python bench/store_and_list.py --backend postgresql
	$(BIN)/python bench/store_and_list.py --backend sqlite
	$(BIN)/python bench/case_workbench.py --backend postgresql
	$(BIN)/python bench/draw.py --backend postgresql
	$(BIN)/python bench/draw.py --backend sqlite
	$(BIN)/python bench/inspections.py --backend postgresql

clean:
	rm -rf $(VENV) var test-output build *.egg-info src/*.egg-info
