# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint serve clean

$(BIN)/touchbase: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BIN)/touchbase

install: $(BIN)/touchbase

demo: install
	$(BIN)/touchbase migrate --verbosity 0
	TOUCHBASE_URL=$${TOUCHBASE_URL:-http://$(HOST):$(PORT)} $(BIN)/touchbase demo
	TOUCHBASE_URL=$${TOUCHBASE_URL:-http://$(HOST):$(PORT)} $(BIN)/touchbase serve --host $(HOST) --port $(PORT)

test: install
	scripts/test

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
