# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
# `make lint` checks style and the import layers, `make fmt` fixes what it can, `make lock` refreshes
# requirements/test.lock (the exact versions the test environment installs; UPGRADE=1 for newer ones).
.PHONY: run test setup lint fmt lock screenshots bench

# Tests run on every core; those that cannot share a machine are in the `serial` xdist group (tests/conftest.py).
XDIST ?= -n auto --dist loadgroup

setup:
	@bash scripts/setup.sh

run: setup
	@.venv/bin/tiktune $(ARGS)

# The tests run beside a throwaway PostgreSQL server (scripts/postgres.sh), stopped afterwards.
test: setup
	@bash scripts/postgres.sh run .venv/bin/python -m pytest $(XDIST) $(PYTEST_ARGS)

lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports

fmt: setup
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

lock: setup
	@.venv/bin/uv pip compile pyproject.toml --extra test --extra dev \
	  --python-version 3.11 --python-platform linux --annotation-style line \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -q -o requirements/test.lock

screenshots: setup
	@.venv/bin/python scripts/screenshots.py

bench: setup
	@for b in bench/*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done
