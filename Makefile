# Two commands for a fresh machine (see README.md):
#   make demo   – virtualenv, install, migrate, seed Vietnamese demo data, serve on http://127.0.0.1:8000
#   make test   – install what the tests need (incl. Debian's chromium) and run the whole suite on
#                 SQLite and PostgreSQL, with Redis/Celery, a real S3 server and Chromium
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-dev system-deps lint serve seed lock messages clean

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --site http://$(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev system-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/test.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(PIP) install --quiet -c requirements/constraints.txt -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PIP) install --quiet -c requirements/constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# System packages the tests use: Debian's Chromium for the browser tests (never `playwright install`: it downloads
# a browser build), GNU gettext for the translation checks, docker-compose to validate docker-compose.yml.
SYSTEM_PACKAGES := chromium:/usr/bin/chromium gettext:/usr/bin/xgettext docker-compose:/usr/bin/docker-compose
system-deps:
	@missing=""; for entry in $(SYSTEM_PACKAGES); do \
	  [ -x "$${entry#*:}" ] || missing="$$missing $${entry%%:*}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

serve: install
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

seed: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs GNU gettext's msgfmt).
messages: install
	$(BIN)/python manage.py makemessages -l vi -l en --no-location --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Re-pin every transitive dependency after changing pyproject.toml.
lock:
	rm -rf /tmp/lms-lock-venv && $(PYTHON) -m venv /tmp/lms-lock-venv
	/tmp/lms-lock-venv/bin/pip install --quiet ".[dev]"
	/tmp/lms-lock-venv/bin/pip freeze --exclude truonghoc-lms > requirements/constraints.txt

clean:
	rm -rf $(VENV) var
