# The two set-up commands of the README.  Both work on a fresh machine with
# Python 3.11+; everything else is installed into .venv by pip.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= incident-kg-store
OUT ?= out

.PHONY: demo check install install-test browser wheelhouse screenshots

install:
	@echo "install: incident-kg and its libraries into $(VENV)/ (pip; about a minute the first time)"
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .

install-test: browser
	@echo "install-test: incident-kg, its libraries and the test tools into $(VENV)/ (pip)"
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'

## browser: Debian's chromium (+ Japanese fonts) for the browser tests of the views, only
## when missing, without recommended packages, and says so before it installs. Needs root
## with apt-get (as in CI); INCIDENT_KG_NO_BROWSER=1 skips the install and the browser tests.
## Playwright drives Debian's chromium; it never downloads a browser.
browser:
	@if [ -n "$$INCIDENT_KG_NO_BROWSER" ]; then echo "browser: INCIDENT_KG_NO_BROWSER set: no browser, its tests skipped"; \
	elif [ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "browser: the browser tests need Debian's chromium and fonts-noto-cjk; as root: apt-get install --no-install-recommends chromium fonts-noto-cjk (or INCIDENT_KG_NO_BROWSER=1 to skip them)" >&2; exit 2; \
	else \
		echo "browser: installing Debian's chromium and fonts-noto-cjk with apt-get (no recommended packages) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk; \
	fi

## demo: install, build the graph from the sample corpus, export and validate it
demo: install
	$(BIN)/incident-kg build samples/reports --store $(STORE)
	mkdir -p $(OUT)
	$(BIN)/incident-kg export --store $(STORE) --rdf-format turtle --output $(OUT)/incident-kg.ttl
	$(BIN)/incident-kg validate --store $(STORE)
	$(BIN)/incident-kg -q view --store $(STORE) -o $(OUT)/views
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

## wheelhouse: every wheel incident-kg needs (with the test needs), for a machine with no
## package index: copy the folder there, then
##   python3 -m venv .venv && .venv/bin/pip install --no-index --find-links wheelhouse '.[test]'
wheelhouse:
	$(PY) -m venv $(VENV)
	$(BIN)/pip wheel --quiet --disable-pip-version-check --wheel-dir wheelhouse '.[test]'
	@echo "wheelhouse/: $$(ls wheelhouse | wc -l) wheels; on the closed machine:"
	@echo "  python3 -m venv .venv && .venv/bin/pip install --no-index --find-links wheelhouse '.[test]'"

## screenshots: the views' screenshots in views/README.md, of the sample corpus (needs chromium)
screenshots:
	$(BIN)/python -m tests.views.screenshots views/screenshots
