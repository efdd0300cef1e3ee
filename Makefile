# Xinqiao: `make run` serves the demo school, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
XQ := $(BIN)/xinqiao
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test e2e bench lint format messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $(VENV)/.installed $@

## The demo school on SQLite at http://$(HOST):$(PORT)/ with the task worker beside it.
run: $(VENV)/.installed
	XINQIAO_DEMO_MODE=1 $(XQ) init --no-admin
	XINQIAO_DEMO_MODE=1 XINQIAO_HOST=$(HOST) XINQIAO_PORT=$(PORT) $(XQ) demo
	XINQIAO_DEMO_MODE=1 $(XQ) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	XINQIAO_DEMO_MODE=1 $(XQ) serve --host $(HOST) --port $(PORT)

## Browsers for the e2e tests: Debian's chromium (the test command installs it when missing).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null; }

## The whole suite on SQLite, then on PostgreSQL + Redis where they answer (or are configured).
test: $(VENV)/.installed-test chromium
	$(BIN)/python tests/run_suites.py $(PYTEST_ARGS)

e2e: $(VENV)/.installed-test chromium
	$(BIN)/python tests/run_suites.py -m e2e $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python tests/bench/run_bench.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the translation catalogues (needs GNU gettext).
messages: $(VENV)/.installed
	cd src/xinqiao && ../../$(XQ) manage makemessages -l zh_Hans -l en --no-obsolete --ignore 'static/*'
	cd src/xinqiao && ../../$(XQ) manage compilemessages

clean:
	rm -rf $(VENV) var
