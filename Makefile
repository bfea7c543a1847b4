# dangjian: `make run` sets everything up and serves the app; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock 2>/dev/null | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
# Two test processes (these machines have 2 cores); PYTEST_ARGS= runs serially.
PYTEST_ARGS ?= -n 2

.PHONY: run setup test test-sqlite test-postgres lint bench demo clean e2e

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py demo_county --if-empty
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py dues_arrears
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py build_stats_snapshot --if-stale --margin 0
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py demo_logins
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py runserver $(HOST):$(PORT)

# The full suite. DATABASE_URL selects the database (SQLite by default).
test: $(STAMP)
	DJANGO_SETTINGS_MODULE=dangjian.settings.test $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-sqlite: $(STAMP)
	env -u DATABASE_URL $(MAKE) test

test-postgres: $(STAMP)
	DATABASE_URL=$${PG_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dangjian} $(MAKE) test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=dangjian.settings.test $(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/bench_import.py --json | tee bench/results/import-sqlite.json
	$(PY) bench/bench_supervision.py --json | tee bench/results/supervision-demo-sqlite-latest.json

demo: $(STAMP)
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=dangjian.settings.dev $(PY) manage.py demo_county --if-empty

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache
