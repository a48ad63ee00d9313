# The two set-up commands of the README.  Both work on a fresh machine with
# Python 3.11+; everything else is installed into .venv by pip.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= incident-kg-store
OUT ?= out

.PHONY: demo check install install-test

install:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .

install-test:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'

## demo: install, build the graph from the sample corpus, export and validate it
demo: install
	$(BIN)/incident-kg build samples/reports --store $(STORE)
	mkdir -p $(OUT)
	$(BIN)/incident-kg export --store $(STORE) --format turtle --output $(OUT)/incident-kg.ttl
	$(BIN)/incident-kg validate --store $(STORE)
	@echo
	@echo "store (embedded Oxigraph): $(STORE)/"
	@echo "Turtle export:             $(OUT)/incident-kg.ttl (described in $(OUT)/incident-kg.description.ttl)"
	@echo "try: $(BIN)/incident-kg extract --format table samples/reports"

## check: install test needs and run the whole test suite (what CI runs)
check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest
