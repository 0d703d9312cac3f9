# Each target creates or reuses .venv and installs what it needs, so a fresh clone needs only make.
# The first interpreter that actually runs and is 3.11+ (a pyenv shim may exist but not run).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast check lint typecheck templates unit functional e2e bench clean \
	build-WatchdogFunction

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required: install it or set PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ai-watchdog demo

# pytest-xdist: one worker per core, each test file on one worker (module-scoped fixtures and the
# e2e sandbox servers are set up once per file, not once per worker).
PARALLEL := -n auto --dist loadfile

test: check
	$(BIN)/pytest $(PARALLEL) tests

# The inner loop: unit and functional tests, no lint and no end-to-end (subprocess) tests.
test-fast: $(STAMP)
	$(BIN)/pytest $(PARALLEL) tests/unit tests/functional

check: lint typecheck templates

lint: $(STAMP)
	$(BIN)/ruff check watchdog tests bench lambda_handler.py setup.py
	$(BIN)/ruff format --check watchdog tests bench lambda_handler.py setup.py

# cfn-lint on every template, then template.yaml through the SAM translator (offline) and the
# state machine's definition (tests/unit/test_templates.py).
templates: $(STAMP)
	$(BIN)/cfn-lint template.yaml deploy/member-role.yaml
	$(BIN)/pytest tests/unit/test_templates.py

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

functional: $(STAMP)
	$(BIN)/pytest tests/functional

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

bench: $(STAMP)
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/apply.py
	$(BIN)/python bench/lambda_cold.py
	$(BIN)/python bench/faults.py

# `sam build` runs this (template.yaml: BuildMethod makefile) with ARTIFACTS_DIR set: the package
# as a wheel with its runtime dependencies as Lambda wheels (manylinux x86_64, CPython 3.12), the
# handler and the shipped policies/. Tests, bench, .venv and the sandbox extra stay out; no
# Docker is needed. `sam build --build-in-source` saves copying the whole tree (.venv too) first.
LAMBDA_WHEELS := --platform manylinux2014_x86_64 --implementation cp --python-version 3.12 \
	--only-binary=:all:
# Runtime dependencies only the CLI and the daemon use. Removed from the function's package so a
# cold start never imports them: structlog imports rich whenever it is installed.
LAMBDA_UNUSED := rich pygments markdown_it mdurl click apscheduler tzlocal \
	watchdog/cli watchdog/daemon watchdog/sandbox
# The runtime's interpreter, to compile bytecode Lambda will use (it cannot write its own).
LAMBDA_PYTHON ?= python3.12

build-WatchdogFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run sam build" >&2; exit 1; }
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required to build the package" >&2; exit 1; }
	set -e; wheels=$$(mktemp -d); trap 'rm -rf "$$wheels"' EXIT; \
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir "$$wheels" .; \
	$(PYTHON) -m pip install --quiet --upgrade --no-compile --no-warn-conflicts \
		--target "$(ARTIFACTS_DIR)" $(LAMBDA_WHEELS) \
		"$$wheels"/*.whl
	rm -rf "$(ARTIFACTS_DIR)/bin" $(addprefix "$(ARTIFACTS_DIR)"/,$(LAMBDA_UNUSED))
	cp lambda_handler.py "$(ARTIFACTS_DIR)/"
	rm -rf "$(ARTIFACTS_DIR)/policies" && cp -R policies "$(ARTIFACTS_DIR)/policies"
	if $(LAMBDA_PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then \
		$(LAMBDA_PYTHON) -m compileall -q --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)"; \
	else echo "no Python 3.12 ($(LAMBDA_PYTHON)): the package has no bytecode (slower cold starts)"; fi

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
