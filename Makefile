# Konsulta — `make run` serves the demo, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint format bench bench-pages bench-release bench-http bench-remarks bench-surveys bench-portal bench-report bench-scale scale-deps browser-deps report-deps messages clean

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
	  $(SUDO) apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

# WeasyPrint (the report's PDF) loads Pango through ctypes: Debian's libpango-1.0-0 and
# libpangoft2-1.0-0 (they bring HarfBuzz and fontconfig).
report-deps:
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then \
	  echo "Installing Debian's Pango for the report's PDF (WeasyPrint)"; \
	  $(SUDO) apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install report-deps
	$(PY) -m platform_site.devservices --profile run -- $(PY) -m platform_site.runlocal

test: install browser-deps report-deps
	$(PY) -m platform_site.devservices --profile test -- $(PY) -m pytest $(PYTEST_ARGS)

# Style, then the layers of docs/ARCHITECTURE.md (import-linter, pyproject.toml), then types.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/provision.py

bench-pages: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/pages.py

bench-remarks: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/remarks.py

bench-surveys: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/surveys.py

bench-portal: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/portal.py

bench-report: install report-deps
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/report.py

bench-release: install
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/release.py

bench-http: install deploy-deps
	@$(PY) -m platform_site.devservices --profile bench -- $(PY) bench/http.py

# Debian's PgBouncer: bench/scale.py counts connections through it (deploy/SCALE.md).
# policy-rc.d keeps the package from starting a system pgbouncer: the bench runs its own.
scale-deps:
	@if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then \
	  echo "Installing Debian's pgbouncer for the scale simulation" >&2; \
	  policy=/usr/sbin/policy-rc.d; own=; \
	  if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee $$policy >/dev/null && $(SUDO) chmod +x $$policy && own=1; fi; \
	  $(SUDO) apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq pgbouncer >&2; status=$$?; \
	  if [ -n "$$own" ]; then $(SUDO) rm -f $$policy; fi; \
	  exit $$status; \
	fi

# 10,000 municipalities in their own database (konsulta_scale10k), niced: deploy/SCALE.md.
bench-scale: install scale-deps
	@$(PY) -m platform_site.devservices --profile bench -- nice -n 19 ionice -c3 $(PY) bench/scale.py

# Development settings: production's refuse to start without their secrets.
lint messages: export KONSULTA_ENV ?= development
messages: install
	$(PY) manage.py makemessages -l pl -l en --no-location --ignore=node_modules --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/test var/bench .pytest_cache

# --- Production shape on loopback (deploy/README.md) ----------------------------------------
.PHONY: deploy-deps deploy-check

# Debian's nginx and openssl: `make deploy-check` (and its test inside `make test`) run them.
# policy-rc.d keeps the package from starting a system nginx on port 80: the check runs its own.
deploy-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null; then \
	  echo "Installing Debian's nginx and openssl for the deploy check"; \
	  policy=/usr/sbin/policy-rc.d; own=; \
	  if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee $$policy >/dev/null && $(SUDO) chmod +x $$policy && own=1; fi; \
	  $(SUDO) apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx openssl; status=$$?; \
	  if [ -n "$$own" ]; then $(SUDO) rm -f $$policy; fi; \
	  exit $$status; \
	fi

# The deploy check is one of the tests: `make test` needs nginx too.
test: deploy-deps

# TLS (a CA and a wildcard certificate made for the run), nginx, gunicorn, worker and beat with
# the production settings; Chromium signs in, downloads, orders and pays; then all stop.
deploy-check: install browser-deps deploy-deps
	$(PY) -m platform_site.devservices --profile test -- $(PY) -m pytest tests/deploy/test_deploy_check.py $(PYTEST_ARGS)
