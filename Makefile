# The two commands: `make run` starts everything on the embedded default, `make test` proves it.
VENV        ?= .venv
PYTHON      ?= python3
BIN         := $(VENV)/bin
PG_URL      ?= postgres://postgres@127.0.0.1:5432/aftersales
PORT        ?= 8000
PYTEST_ARGS ?=

.PHONY: run test setup lint typecheck test-sqlite test-postgres screenshots bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed
	$(BIN)/aftersales vendor

run: setup
	@mkdir -p var
	$(BIN)/aftersales migrate --noinput -v0
	$(BIN)/aftersales demo --if-empty
	@echo ""
	@echo "  售后服务管理系统 is starting at http://127.0.0.1:$(PORT)/   (admin: /admin/, API docs: /api/docs)"
	@echo "  Demo logins (password for all: aftersales):"
	@echo "    admin (系统管理员)  manager (售后经理)  dispatcher (派工主管)  agent, agent2, agent3 (客服)"
	@echo "    tech01 … tech20 (技术员)  parts (备件库管)  quality (质检)  customer (客户门户)"
	@echo ""
	PORT=$(PORT) $(BIN)/aftersales run

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy src

test-sqlite: setup
	@echo "== tests on SQLite =="
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: setup
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0] + '/postgres').close()" 2>/dev/null; then \
		echo "== tests on PostgreSQL ($(PG_URL)) =="; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo ""; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!  PostgreSQL is NOT reachable at $(PG_URL): the PostgreSQL test run was SKIPPED  !!"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo ""; \
		if [ -n "$$CI" ]; then exit 1; fi; \
	fi

test: lint typecheck test-sqlite test-postgres

screenshots: setup
	$(BIN)/python scripts/screenshots.py

bench: setup
	$(BIN)/python bench/api.py

clean:
	rm -rf var/aftersales.sqlite3* src/aftersales/static/vendor
