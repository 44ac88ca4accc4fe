# Guildhall: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
# Two workers: the suite passes on SQLite and PostgreSQL in parallel, and CI has two cores.
TEST_WORKERS ?= 2

# The inner loop: no browser, no localstripe, no subprocesses, on the snapshot of the migrated
# database (--reuse-db, tests/dbsnapshot.py). `make test` and CI run everything.
FAST_MARKERS := not e2e and not localstripe and not process and not deploy and not slow

.PHONY: install lock run test test-fast lint bench clean

# Installs exactly what uv.lock says (the dev extra, localstripe included). uv is bootstrapped with
# pip into the venv, so a machine needs only Python. After editing dependencies: `make lock`.
UV := $(VENV)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Guildhall needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Set PYTHON=python3.11 (or newer).")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'uv>=0.9,<1'

$(VENV)/.installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --locked --inexact --extra dev --python $(PY)
	@touch $@

lock: $(UV)
	$(UV) lock

install: $(VENV)/.installed

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 bin/run

test: install
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: install
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --reuse-db --ignore=tests/e2e -m '$(FAST_MARKERS)' $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static var/test-media var/artifacts
