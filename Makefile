# Logitrack: `make run` serves the platform, `make test` checks it. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
LT := $(VENV)/bin/logitrack
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
LOCALES := $(wildcard logitrack/*/locale/*/LC_MESSAGES/django.po logitrack/*/*/locale/*/LC_MESSAGES/django.po)
CATALOGUES := $(LOCALES:.po=.mo)
PYTEST_WORKERS ?= 2

.PHONY: install install-dev run test lint typecheck pytest test-postgres test-redis test-api test-browser test-durability bench mutation messages clean

install: $(RUNTIME_STAMP) $(CATALOGUES)

install-dev: install $(DEV_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Logitrack needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): $(VENV)/bin/python requirements/base.lock pyproject.toml
	$(PIP) install -r requirements/base.lock
	$(PIP) install --no-deps -e .
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) requirements/dev.lock
	$(PIP) install -r requirements/base.lock -r requirements/dev.lock
	touch $@

# Compiled message catalogues (.mo) are built from the committed .po files with Babel, so no
# system gettext is needed.
%/LC_MESSAGES/django.mo: %/LC_MESSAGES/django.po $(RUNTIME_STAMP)
	$(PY) -m logitrack.core.i18n compile $<

messages: $(RUNTIME_STAMP)
	$(PY) -m logitrack.core.i18n extract
	$(PY) -m logitrack.core.i18n compile $(LOCALES)

run: install
	$(LT) migrate --noinput -v 0
	$(LT) partners_seed -v 0
	$(LT) collectstatic --noinput -v 0
	$(LT) demo --first-run
	$(LT) serve

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy .

pytest: install-dev
	$(VENV)/bin/pytest -m "not browser and not api_fuzz and not durability" -n $(PYTEST_WORKERS)

test: lint typecheck pytest

# PostgreSQL run of the suite: DATABASE_URL names a server; pytest-django creates a fresh
# test database on it and drops it afterwards.
test-postgres: install-dev
	$(VENV)/bin/pytest -m "not browser and not api_fuzz and not durability" -n $(PYTEST_WORKERS) --create-db

# The Redis-backed cache and task backend against the Redis at REDIS_URL.
test-redis: install-dev
	$(VENV)/bin/pytest -m redis -p no:xdist

# The ingestion gateway killed with SIGKILL mid-load, a private PostgreSQL cluster (initdb +
# pg_ctl, never the shared server) killed and restarted, two gateways on one database
# (logitrack/tracking/tests/test_durability.py): real processes, 20-40 s per test.
test-durability: install-dev
	$(VENV)/bin/pytest -m durability -p no:xdist logitrack/tracking/tests/test_durability.py

# Installs chromium and its helpers from Debian (or fails), then requires them: a missing browser
# fails the run instead of skipping it (LOGITRACK_BROWSER_REQUIRED, tests/browser/chromium.py).
test-browser: install-dev
	bash .ci/browser-deps
	LOGITRACK_BROWSER_REQUIRED=1 $(VENV)/bin/pytest -m browser -p no:xdist

# Schemathesis (every check but one, see the test's docstring) against the real HTTPS server,
# with an API key and with a signed-in session; fails on any 5xx. Prints the case counts.
test-api: install-dev
	$(VENV)/bin/pytest -m api_fuzz -p no:xdist -s tests/api_fuzz

# Mutation testing of the access layer ([tool.mutmut] in pyproject.toml, docs/mutation.md): a
# fresh run each time, each mutant against only the tests that reach the mutated function.
mutation: install-dev
	rm -rf mutants
	mkdir -p -m 700 var
	$(VENV)/bin/mutmut run --max-children $(PYTEST_WORKERS) > var/mutmut.log 2>&1 || true
	$(PY) tests/mutation/score.py mutants

bench: install-dev
	@set -e; for script in bench/*.py; do case $$script in bench/_*|bench/geo_*) continue;; esac; echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf $(VENV) build *.egg-info
