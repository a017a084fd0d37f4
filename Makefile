# Two commands on a fresh machine: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export RUNTIME__DLTHUB_TELEMETRY := false

.PHONY: run test lint fmt bench clean browser postgres

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/amx run --source data/sample

lint: $(STAMP)
	$(BIN)/ruff check loaders dedupe tests
	$(BIN)/ruff format --check loaders dedupe tests
	$(BIN)/lint-imports

test: lint browser postgres
	$(BIN)/pytest -q --durations=15

fmt: $(STAMP)
	$(BIN)/ruff format loaders dedupe tests
	$(BIN)/ruff check --fix loaders dedupe tests

# Debian's Chromium and ChromeDriver for the end-to-end review test (Playwright's own browser
# download cannot work here); needs root or sudo, once per machine.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
		>/dev/null; } || echo "warning: chromium could not be installed (not root?):" \
		"the browser test will be skipped"

# Debian's PostgreSQL 15 (server and client programs): what Supabase runs. The database tests run
# on it as well as on the embedded 18 (tests/servers.py starts one in a temp dir), and `amx backup`
# / `restore` use the client programs matching the server (postgresql-client-15 for a 15 server).
# Needs root or sudo, once per machine.
postgres:
	@test -x /usr/lib/postgresql/15/bin/initdb || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 \
		>/dev/null; } || echo "warning: postgresql-15 could not be installed (not root?):" \
		"the Postgres 15 tests will be skipped"

bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .amx dbt_project/target dbt_project/logs
