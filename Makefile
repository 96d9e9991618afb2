# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
.PHONY: run test setup screenshots bench

setup:
	@bash scripts/setup.sh

run: setup
	@.venv/bin/tiktune $(ARGS)

test: setup
	@.venv/bin/python -m pytest $(PYTEST_ARGS)

screenshots: setup
	@.venv/bin/python scripts/screenshots.py

bench: setup
	@for b in bench/*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done
