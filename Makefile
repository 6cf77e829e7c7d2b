# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

run: $(STAMP)  ## migrate the embedded SQLite database, load the demo on first start, serve on 127.0.0.1:8000
	$(BIN)/openvmi serve --demo

test: $(STAMP)  ## the whole suite: layering contracts, then every tier on SQLite and PostgreSQL
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/ledger.py

# Pinned install: constraints.txt holds the exact versions CI and every machine use.
$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) var
