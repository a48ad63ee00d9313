# The two set-up commands of the README.  Both work on a fresh machine with
# Python 3.11+; everything else is installed into .venv by pip.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= incident-kg-store
OUT ?= out

.PHONY: demo check install install-test browser

install:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .

install-test: browser
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'

## browser: Debian's chromium (+ Japanese fonts) for the browser tests of the views; only
## when missing (needs root, as in CI). Playwright drives it; it never downloads a browser.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

## demo: install, build the graph from the sample corpus, export and validate it
demo: install
	$(BIN)/incident-kg build samples/reports --store $(STORE)
	mkdir -p $(OUT)
	$(BIN)/incident-kg export --store $(STORE) --format turtle --output $(OUT)/incident-kg.ttl
	$(BIN)/incident-kg validate --store $(STORE)
	$(BIN)/incident-kg -q view --store $(STORE) --out $(OUT)/views
	@echo
	@echo "store (embedded Oxigraph): $(STORE)/"
	@echo "Turtle export:             $(OUT)/incident-kg.ttl (described in $(OUT)/incident-kg.ttl.description.ttl)"
	@echo "views (offline HTML):      $(OUT)/views/index.html"
	@echo "try: $(BIN)/incident-kg extract --format table samples/reports"

## check: install test needs and run the whole test suite (what CI runs)
check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest
