# Konsulta — `make run` serves the demo, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint format bench bench-pages bench-remarks browser-deps messages clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Debian's Chromium drives the browser tests; axe-core (npm registry) checks WCAG 2.1 AA.
browser-deps: node_modules/axe-core/axe.min.js
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(PY) -m platform_site.devservices --profile run -- $(PY) -m platform_site.runlocal

test: install browser-deps
	$(PY) -m platform_site.devservices --profile test -- $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/provision.py

bench-pages: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/pages.py

bench-remarks: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/remarks.py

messages: install
	$(PY) manage.py makemessages -l pl -l en --no-location --ignore=node_modules --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/test var/bench .pytest_cache
