# Sarv: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every check.
# Needs python3 (3.11+) with venv, make and git. See README.md.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
# Extra pip options, for an offline install: make run PIP_INSTALL_OPTS="--no-index --find-links wheelhouse"
PIP_INSTALL_OPTS ?=

# `make run` is a local demo: a generated secret key, plain HTTP on loopback, e-mail printed to the console.
RUN_ENV := SARV_SECRET_KEY="$$(cat var/secret_key)" SARV_HTTPS=false SARV_DEBUG=false \
	SARV_ALLOWED_HOSTS=127.0.0.1,localhost SARV_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.PHONY: run test lint typecheck migrations-check schema-check translations-check static-check pytest browser-test \
	bench bench-cmdb import-uci import-bpic lock refresh-static clean

$(VENV)/bin/activate:
	$(PYTHON) -c 'import sys; sys.exit("Sarv needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: requirements/base.lock $(VENV)/bin/activate
	$(PIP) install --quiet $(PIP_INSTALL_OPTS) --require-hashes -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock $(VENV)/bin/activate
	$(PIP) install --quiet $(PIP_INSTALL_OPTS) --require-hashes -r requirements/dev.lock
	touch $@ $(VENV)/.base-installed

var/secret_key:
	mkdir -p var
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

run: $(VENV)/.base-installed var/secret_key
	$(RUN_ENV) $(MANAGE) compile_translations
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(RUN_ENV) SARV_LOG_LEVEL=WARNING $(MANAGE) load_demo
	$(RUN_ENV) $(MANAGE) serve

# Every check CI runs. Browser tests are skipped, with the package named, when Chromium is missing.
test: $(VENV)/.dev-installed lint typecheck migrations-check schema-check translations-check static-check pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy sarv

migrations-check: $(VENV)/.dev-installed
	SARV_SECRET_KEY=check $(MANAGE) makemigrations --check --dry-run

schema-check: $(VENV)/.dev-installed
	SARV_SECRET_KEY=check $(PY) scripts/check-openapi

translations-check: $(VENV)/.dev-installed
	$(PY) scripts/check-translations

static-check:
	$(PYTHON) scripts/refresh-static --check

# Pages, messages and e-mails are rendered in Persian only with the compiled catalogue (the .mo files are not committed).
COMPILE_TRANSLATIONS = SARV_SECRET_KEY=check $(MANAGE) compile_translations

pytest: $(VENV)/.dev-installed
	$(COMPILE_TRANSLATIONS)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

browser-test: $(VENV)/.dev-installed
	$(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

import-uci: $(VENV)/.base-installed var/secret_key
	$(RUN_ENV) $(MANAGE) import_uci ../shared/data/uci-incident-management-event-log/incident_event_log.csv.gz

import-bpic: $(VENV)/.base-installed var/secret_key
	$(RUN_ENV) $(MANAGE) import_bpic ../shared/data/bpic2014-rabobank-itil

# Benchmark-only tools (locust, py-spy) from requirements/bench.txt; django-helpdesk gets its own venv (bench/peer.py).
$(VENV)/.bench-installed: requirements/bench.txt $(VENV)/.dev-installed
	$(PIP) install --quiet $(PIP_INSTALL_OPTS) -r requirements/bench.txt
	touch $@

# Needs PostgreSQL on 127.0.0.1 (see bench/README.md); writes bench/results/ and docs/benchmarks.md.
# The foundation benchmark, then Sarv against django-helpdesk at 100,000 incidents (under 60 minutes on 2 cores).
.PHONY: bench-1m bench-load bench-quick
bench: $(VENV)/.bench-installed
	$(COMPILE_TRANSLATIONS)
	scripts/ensure-chromium
	$(PY) bench/run.py --quiet-wait 30
	$(PY) bench/compare_run.py

# Sarv alone at 1,000,000 incidents (database sarv_bench_1m; generating it takes about 15 minutes).
bench-1m: $(VENV)/.bench-installed
	$(COMPILE_TRANSLATIONS)
	scripts/ensure-chromium
	$(PY) bench/compare_run.py --incidents 1000000 --sarv-database sarv_bench_1m --no-peer --section scale

# Ten minutes of steady load, 50 concurrent creators, concurrent edits; exits non-zero when a check fails.
bench-load: $(VENV)/.bench-installed
	$(COMPILE_TRANSLATIONS)
	$(PY) bench/load.py

# A smoke run of every benchmark on a few thousand incidents; writes only under var/bench/.
bench-quick: $(VENV)/.bench-installed
	$(COMPILE_TRANSLATIONS)
	$(PY) bench/run.py --quick
	$(PY) bench/compare_run.py --quick
	$(PY) bench/load.py --quick --incidents 3000 --database sarv_bench_quick --minutes 1 --creators 10 \
		--editors 4 --edit-rounds 3 --appends 2

# Robustness, long forms (see docs/development.md). fuzz-api needs PostgreSQL on 127.0.0.1 and port 8111 free.
.PHONY: fuzz-api fuzz-input
fuzz-api: $(VENV)/.dev-installed
	$(COMPILE_TRANSLATIONS)
	$(PY) scripts/fuzz-api $(FUZZ_ARGS)

fuzz-input: $(VENV)/.dev-installed
	$(COMPILE_TRANSLATIONS)
	SARV_FUZZ_INPUT=long $(VENV)/bin/pytest tests/robustness -k fuzz_input -q $(PYTEST_ARGS)

# Business calendar: add() computations per second on one core; writes bench/results/ and docs/benchmarks.md.
.PHONY: bench-calendar
bench-calendar: $(VENV)/.dev-installed
	$(PY) bench/calendar_bench.py

# SLA clocks: recompute every clock of 100,000 open records after a calendar change (PostgreSQL, see
# bench/sla_recompute.py); writes bench/results/ and docs/benchmarks.md, and a profile under var/bench/.
.PHONY: bench-sla
bench-sla: $(VENV)/.dev-installed
	$(PY) bench/sla_recompute.py --profile
# CMDB impact analysis and import (bench/cmdb_bench.py); needs PostgreSQL on 127.0.0.1. Generates the CMDB
# into CMDB_BENCH_DB when it holds none (kept for the next run); the import runs in <db>_import, dropped after.
CMDB_BENCH_DB ?= sarv_bench_cmdb
.PHONY: bench-cmdb
bench-cmdb: $(VENV)/.dev-installed
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(CMDB_BENCH_DB)'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 --lc-collate=C.UTF-8 --lc-ctype=C.UTF-8 $(CMDB_BENCH_DB)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(CMDB_BENCH_DB) $(PY) bench/cmdb_bench.py

lock: $(VENV)/.dev-installed
	scripts/lock-dependencies

refresh-static:
	$(PYTHON) scripts/refresh-static

clean:
	rm -rf $(VENV) var/staticfiles
