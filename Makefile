# The two commands of the quickstart: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint ui site

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/xxgk demo

test: $(INSTALLED)
	$(BIN)/pytest -q

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

ui: $(INSTALLED)
	$(BIN)/xxgk ui

# rewrite the committed demo site from the seeds (the same bytes unless a renderer changed)
site: $(INSTALLED)
	$(BIN)/python -m tests.fixtures.render.site
