# Logitrack: `make run` serves the platform, `make test` checks it. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
LT := $(VENV)/bin/logitrack
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
LOCALES := $(wildcard logitrack/*/locale/*/LC_MESSAGES/django.po)
CATALOGUES := $(LOCALES:.po=.mo)
PYTEST_WORKERS ?= 2

.PHONY: install install-dev run test lint typecheck pytest test-postgres test-redis test-browser bench messages clean

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
	$(LT) collectstatic --noinput -v 0
	$(LT) demo --first-run
	$(LT) serve

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy .

pytest: install-dev
	$(VENV)/bin/pytest -m "not browser" -n $(PYTEST_WORKERS)

test: lint typecheck pytest

# PostgreSQL run of the suite: DATABASE_URL names a server; pytest-django creates a fresh
# test database on it and drops it afterwards.
test-postgres: install-dev
	$(VENV)/bin/pytest -m "not browser" -n $(PYTEST_WORKERS) --create-db

# The Redis-backed cache and task backend against the Redis at REDIS_URL.
test-redis: install-dev
	$(VENV)/bin/pytest -m redis -p no:xdist

test-browser: install-dev
	$(VENV)/bin/pytest -m browser -p no:xdist

bench: install-dev
	@set -e; for script in bench/*.py; do echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf $(VENV) build *.egg-info
