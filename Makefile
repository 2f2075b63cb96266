# AuroMart developer commands (GNU make). From a fresh clone:
#   make run    install, migrate, load demo data, serve http://127.0.0.1:8000
#   make test   install, lint, schema and migration checks, the whole test suite
# `make help` lists every target.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
PY = $(BIN)/python
MANAGE = $(PY) manage.py
STAMP = $(VENV)/.installed-stamp

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
COMPOSE ?= docker compose

# Tests, and the checks that run beside them, use the test settings even when
# the caller's environment names another module.
TEST_ENV = DJANGO_SETTINGS_MODULE=auromart.settings_test

# mysqlclient builds from source (pkg-config gcc python3-dev libmariadb-dev);
# WeasyPrint loads Pango and HarfBuzz at run time and needs a font; Chromium
# drives the browser tests; poppler-utils turns PDFs into text and images in
# tests; python3-venv gives Debian's own python3 its `-m venv`.
DEB_PACKAGES = pkg-config gcc python3-dev python3-venv libmariadb-dev \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	chromium poppler-utils

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.PHONY: help sysdeps venv install run test lint format migrate seed logins worker \
	beat bench bench-quick bench-compare bench-load bench-load-quick check-deploy compose-up compose-down clean

help: ## List the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
		| awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

# --- Setup ---------------------------------------------------------------------

sysdeps: ## Install the Debian libraries (as root; otherwise print the apt-get line)
	@bash scripts/sysdeps $(DEB_PACKAGES)

$(PY): | sysdeps
	$(PYTHON) -m venv $(VENV)

# The stamp is newer than both requirement files once they are installed, so a
# second `make test` does not reinstall; editing either file reinstalls.
$(STAMP): requirements.txt requirements-dev.txt | $(PY) sysdeps
	$(PY) -m pip install --progress-bar off -r requirements-dev.txt
	@touch $@

venv: $(PY) ## Create the virtualenv (.venv) if it is missing

install: $(STAMP) ## venv + pip install -r requirements-dev.txt (skipped when up to date)

# --- Run -----------------------------------------------------------------------

# The links in e-mails point at SITE_URL: `make run` sets it to the address it
# serves unless one is given (the environment, `make run SITE_URL=...`, or .env).
RUN_SITE_URL = $(or $(SITE_URL),$(shell sed -n 's/^SITE_URL=//p' .env 2>/dev/null | tail -n 1),http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT))
RUN_ENV = DEBUG=true SITE_URL='$(RUN_SITE_URL)'

run: install ## Migrate, seed demo data, print the logins, serve http://127.0.0.1:8000 (HOST=, PORT=, SITE_URL=)
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) seed_demo
	@echo "Serving http://$(HOST):$(PORT)/ (e-mailed links: $(RUN_SITE_URL); Ctrl-C stops)"
	$(RUN_ENV) $(MANAGE) runserver $(HOST):$(PORT)

migrate: install ## Apply database migrations
	$(MANAGE) migrate --noinput

seed: install ## Load the demo data (idempotent); it prints the logins (PORT=, SITE_URL= as for run)
	$(RUN_ENV) $(MANAGE) seed_demo

logins: ## Print the demo logins that seed_demo creates
	@echo ""
	@echo "Demo logins (password AuroMart-demo-2026 unless noted):"
	@echo "  customer@auromart.local      customer"
	@echo "  retailer@auromart.local      retailer"
	@echo "  distributor@auromart.local   distributor (AuroMart Central Store, the default store)"
	@echo "  manufacturer@auromart.local  manufacturer"
	@echo "  procurement@auromart.local   procurement staff"
	@echo "  admin@auromart.local         superuser, password AuroMart-admin-2026 (/admin/)"
	@echo ""

worker: install ## Run a Celery worker (needs CELERY_BROKER_URL)
	@$(call require_broker)
	$(BIN)/celery -A auromart worker -l info

beat: install ## Run Celery beat, the periodic scheduler (more beats only stand by: auromart/beat.py)
	@$(call require_broker)
	$(BIN)/celery -A auromart beat -l info

# Without a broker Celery would fall back to amqp://localhost and tasks run
# in-process anyway, so a worker there would only confuse.
define require_broker
if [ -z "$${CELERY_BROKER_URL:-}" ] && ! grep -qsE '^CELERY_BROKER_URL=.+' .env; then \
	echo "CELERY_BROKER_URL is not set (environment or .env). Without it tasks run in-process" >&2; \
	echo "and no worker is needed. Example: CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make $@" >&2; \
	exit 1; \
fi
endef

# --- Checks --------------------------------------------------------------------

test: install ## Lint, format check, migration and schema checks, then pytest (PYTEST_ARGS=...)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run
	$(TEST_ENV) $(MANAGE) spectacular --validate --fail-on-warn --file /dev/null
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: install ## ruff check + ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Fix what ruff can and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install ## manage.py check --deploy with production settings (DEBUG off)
	DJANGO_SETTINGS_MODULE=auromart.settings DEBUG=false ALLOWED_HOSTS=example.com \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(MANAGE) check --deploy --fail-level WARNING

bench: install ## Run the benchmarks on MariaDB (bench/run; see bench/README.md)
	PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" bash bench/run

bench-quick: install ## Small versions of the benchmarks (under a minute; never fails on a FAIL line)
	PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" bash bench/run --quick

bench-compare: install ## #22's targets before and after in one run (bench/compare.py; about 12-15 min on a quiet machine, 24 min at load 3-8; BEFORE_ORDER= BEFORE_SEARCH= BEFORE_PDF= override)
	PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" $(PY) bench/compare.py \
		$(if $(BEFORE_ORDER),--before-order $(BEFORE_ORDER)) \
		$(if $(BEFORE_SEARCH),--before-search $(BEFORE_SEARCH)) \
		$(if $(BEFORE_PDF),--before-pdf $(BEFORE_PDF))

bench-load: install ## Mixed load with Locust on gunicorn, MariaDB, Redis and a Celery worker (about 6 min; needs Redis)
	PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" bash bench/run load

bench-load-quick: install ## The 30 s version of bench-load (CI prints it; never fails on a FAIL line)
	PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" bash bench/run --quick load

# --- Deployment ----------------------------------------------------------------

compose-up: ## docker compose: build and start the scaled-out stack (needs SECRET_KEY, DB_PASSWORD, MINIO_ROOT_PASSWORD)
	$(COMPOSE) up -d --build

compose-down: ## docker compose: stop the stack (volumes are kept)
	$(COMPOSE) down

clean: ## Remove the virtualenv, caches and collected static files (keeps db.sqlite3 and media/)
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles .test-media .test-media-*
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
