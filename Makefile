# Each target creates or reuses .venv and installs what it needs, so a fresh clone needs only make.
# The first interpreter that actually runs and is 3.11+ (a pyenv shim may exist but not run).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && echo $$p && break; done)
VENV := .venv
# Python caches compiled modules in __pycache__ (ignored by git) unless this is set, as container
# images often set it. Without the cache every test worker compiles every test file's rewritten
# asserts (pytest keeps them only where bytecode may be written) and every CLI, daemon and
# sandbox process the tests start compiles the watchdog's and the sandbox's source again:
# collection 16 s -> 8 s a worker here, 0.3 s off each process.
unexport PYTHONDONTWRITEBYTECODE
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast check lint typecheck templates generate unit functional e2e bench clean \
	build-WatchdogFunction lambda-python browser

# The product with its dev tools, and the sandbox: its own distribution (sandbox/), which the
# product never installs or ships.
$(STAMP): pyproject.toml sandbox/pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required: install it or set PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./sandbox
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ai-watchdog demo

# pytest-xdist: one worker per core and one more, each test file on one worker (module-scoped
# fixtures and the e2e sandbox servers are set up once per file, not once per worker). The e2e
# tests spend much of their time waiting on their subprocesses and on real minutes (park
# schedules), so a third worker on two cores keeps both busy: 8:03 against 8:35 here.
WORKERS := $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PARALLEL := -n $(WORKERS) --dist loadfile
# The inner loop has no waiting e2e tests: all CPU, one worker per core is quicker (2:44
# against 3:03 with a third worker here).
PARALLEL_FAST := -n auto --dist loadfile

test: check browser
	$(BIN)/pytest $(PARALLEL) tests

# The inner loop: unit and functional tests, no lint, no end-to-end (subprocess) tests and
# not the few marked slow (pyproject.toml); make test runs all of them.
test-fast: $(STAMP)
	$(BIN)/pytest $(PARALLEL_FAST) -m "not slow" tests/unit tests/functional

check: lint typecheck templates

lint: $(STAMP)
	$(BIN)/ruff check watchdog sandbox tests bench deploy lambda_handler.py setup.py
	$(BIN)/ruff format --check watchdog sandbox tests bench deploy lambda_handler.py setup.py
	$(BIN)/lint-imports

# cfn-lint on every template, then template.yaml through the SAM translator (offline) and the
# state machine's definition (tests/unit/test_templates.py).
templates: $(STAMP)
	$(BIN)/cfn-lint template.yaml deploy/member-role.yaml
	$(BIN)/pytest tests/unit/test_templates.py tests/unit/test_templates_fanout.py tests/unit/test_templates_guards.py

# What is built from the declarations: README's IAM blocks, kinds table and default policies,
# policies/README.md's table, and both templates' role statements (tests/unit/test_iam_lists.py
# and test_readme_blocks.py fail when they are stale).
generate: $(STAMP)
	$(BIN)/python -m watchdog.permissions --write-readme README.md
	$(BIN)/python -m watchdog.permissions --write-templates .
	$(BIN)/python -m watchdog.readme --write .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

functional: $(STAMP)
	$(BIN)/pytest tests/functional

e2e: $(STAMP) browser
	$(BIN)/pytest tests/e2e

# The browser test (tests/e2e/test_pages_browser.py) opens the daemon's pages in Debian's
# chromium. Installed here when missing, as root with apt-get (CI, a fresh container; ~20 s);
# anywhere else that test fails, saying how to install it. Never skipped.
browser:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || { \
		echo "Installing chromium for tests/e2e/test_pages_browser.py (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium >/dev/null; }

bench: $(STAMP)
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/selfcost.py
	$(BIN)/python bench/apply.py
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/faults.py --mode park --trials 30
	$(BIN)/python bench/faults.py --mode resume --trials 30
	$(BIN)/python bench/park.py
	$(BIN)/python bench/park.py --way async
	$(BIN)/python bench/park.py --way components
	$(BIN)/python bench/lambda_cold.py
	$(BIN)/python bench/daemon_flood.py

# `sam build` runs this (template.yaml: BuildMethod makefile) with ARTIFACTS_DIR set: the package
# as a wheel with its runtime dependencies as Lambda wheels (manylinux x86_64, CPython
# $(LAMBDA_PYTHON_VERSION)) and the handler. Tests, bench, .venv and the sandbox stay out; no Docker
# is needed. `sam build --build-in-source` saves copying the whole tree (.venv too) first.
#
# Bytecode: /var/task is read-only, so a package without .pyc for the runtime's own Python
# compiles every module it imports on every cold start. Only an interpreter of exactly that
# version writes its .pyc, so the build requires one and fails without it rather than ship a
# slow package. The runtime stays python3.12 (Amazon Linux 2023) rather than follow the build
# machine's default python: python3.11 is a Lambda runtime on Amazon Linux 2, deprecated
# sooner. The interpreter is python3.12 on PATH or, where pyenv has it installed but not active
# (its shim then refuses to run), pyenv's own copy; or set LAMBDA_PYTHON. template.yaml's
# Runtime must be python$(LAMBDA_PYTHON_VERSION) (tests/unit/test_lambda_build.py checks it).
# unchecked-hash: the .pyc is used without comparing the source's mtime, which a zip loses.
LAMBDA_PYTHON_VERSION := 3.12
LAMBDA_WHEELS := --platform manylinux2014_x86_64 --implementation cp \
	--python-version $(LAMBDA_PYTHON_VERSION) --only-binary=:all:
LAMBDA_PYTHON ?= $(shell for p in python$(LAMBDA_PYTHON_VERSION) \
	$$(pyenv root 2>/dev/null)/versions/$(LAMBDA_PYTHON_VERSION).*/bin/python$(LAMBDA_PYTHON_VERSION); do \
	[ "$$($$p -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = \
	"$(LAMBDA_PYTHON_VERSION)" ] && echo $$p && break; done)
# Runtime dependencies only the CLI and the daemon use, removed with their metadata and with
# what only they require (pygments, markdown-it-py, mdurl, tzlocal): structlog imports rich
# whenever it is installed; waitress is the daemon's HTTP server (the function's HTTP is API
# Gateway's). And the project's own parts the function never imports.
LAMBDA_UNUSED_DISTS := rich click apscheduler waitress
LAMBDA_UNUSED_PATHS := watchdog/cli watchdog/daemon

build-WatchdogFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run sam build" >&2; exit 1; }
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required to build the package" >&2; exit 1; }
	@test -n "$(LAMBDA_PYTHON)" || { echo "Python $(LAMBDA_PYTHON_VERSION) (the function's runtime) \
	is required to compile the package's bytecode: install it or set LAMBDA_PYTHON" >&2; exit 1; }
	# setuptools reuses ./build/lib: a stale one would ship modules no longer in the tree.
	rm -rf build
	set -e; wheels=$$(mktemp -d); trap 'rm -rf "$$wheels"' EXIT; \
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir "$$wheels" .; \
	$(PYTHON) -m pip install --quiet --upgrade --no-compile --no-warn-conflicts \
		--target "$(ARTIFACTS_DIR)" $(LAMBDA_WHEELS) \
		"$$wheels"/*.whl
	# Console scripts; and a policies/ copy an older build put beside the wheel's own.
	rm -rf "$(ARTIFACTS_DIR)/bin" "$(ARTIFACTS_DIR)/policies"
	$(PYTHON) deploy/prune_lambda_package.py "$(ARTIFACTS_DIR)" \
		--dist $(LAMBDA_UNUSED_DISTS) --path $(LAMBDA_UNUSED_PATHS)
	cp lambda_handler.py "$(ARTIFACTS_DIR)/"
	$(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)"

# The interpreter the function's package is compiled for (bench/ and tests import it with it).
lambda-python:
	@echo $(LAMBDA_PYTHON)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
