# credhub: `make run` serves the demo, `make test` runs every test. Both install what they need.
# `make serve` starts credhub as in production (see the README's Production section).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=1 CREDHUB_ALLOW_PRIVATE_TARGETS=1

.PHONY: run serve screenshots test test-fast bench lint format chromium redis

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed-test
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

# Browser tests drive the operating system's Chromium (Playwright's own download cannot be used here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# The shared-cache tests run against Debian's Redis server (started by the tests themselves).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server; }

# `make run PORT=8123` serves the demo elsewhere. local.env lets `manage.py <command>` run by hand afterwards.
PORT ?= 8000
run: $(VENV)/.installed
	@echo "make run is a development server (DEBUG on, demo data, error pages that show secrets): use make serve in production."
	printf 'DEBUG=1\nCREDHUB_ALLOW_PRIVATE_TARGETS=1\nPORT=%s\n' '$(PORT)' > local.env
	$(DEV_ENV) PORT=$(PORT) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) PORT=$(PORT) $(BIN)/python manage.py createcachetable
	$(DEV_ENV) PORT=$(PORT) $(BIN)/python manage.py seed_demo
	@# The task worker (webhook deliveries) runs beside the development server; Ctrl-C stops both.
	$(DEV_ENV) PORT=$(PORT) $(BIN)/python manage.py db_worker --no-reload & W=$$!; trap 'kill $$W 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	  $(DEV_ENV) PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production: SECRET_KEY, CREDHUB_ENCRYPTION_KEYS and DATABASE_URL from the environment or .env.
serve: $(VENV)/.installed
	$(BIN)/python -m credhub.serve

test: $(VENV)/.installed-test chromium redis
	$(DEV_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Every screen at 1440×900 and 390×844 into docs/screenshots/ (a throwaway demo on a free port).
screenshots: $(VENV)/.installed-test chromium
	$(BIN)/python docs/screenshots.py

bench: $(VENV)/.installed-bench
	$(DEV_ENV) $(BIN)/python -m benchmarks

lint: $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .
