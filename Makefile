# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BROWSER := $(VENV)/.browser

VENDOR := src/openvmi/web/static/vendor

.PHONY: run test lint bench clean messages screenshots fonts

run: $(STAMP) fonts  ## migrate the embedded SQLite database, load the demo on first start, serve on 127.0.0.1:8000 (a process per core)
	$(BIN)/openvmi serve --demo

test: $(STAMP) $(BROWSER)  ## the whole suite: layering contracts, then every tier on SQLite and PostgreSQL
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/supplier_stock_import.py
	$(BIN)/python bench/demand_plan_upload.py

# Pinned install: constraints.txt holds the exact versions CI and every machine use.
# Portal assets (htmx, Pico CSS) and the API docs' Swagger UI come from npm at the locked versions
# and are served by the app. No package script runs (swagger-ui-dist pulls in a telemetry one).
$(STAMP): pyproject.toml constraints.txt package.json package-lock.json
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	npm ci --no-audit --no-fund --silent --ignore-scripts
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	touch $(STAMP)

# Statement PDFs embed a TrueType font with Chinese glyphs (settlement.exports.fonts finds it with
# fontconfig, or OPENVMI_PDF_FONT_PATH names it). Installing it needs root; without one the PDF
# download answers pdf_font_missing and says what to install.
fonts:
	fc-list :lang=zh file | grep -q . || (apt-get update && apt-get install -y fonts-wqy-microhei) || echo "no CJK font installed: statement PDFs need one (apt-get install fonts-wqy-microhei)"

# The browser tests drive Debian's chromium (and need CJK fonts for the Chinese screenshots).
# Installing them needs root; without it the browser tests skip with the reason (never under CI=true).
$(BROWSER): fonts
	command -v chromium || (apt-get update && apt-get install -y chromium) || echo "chromium not installed: browser tests will skip"
	if command -v chromium >/dev/null; then touch $(BROWSER); fi

# Refresh the README's screenshots from the browser journeys (a plain test run writes them to /tmp).
screenshots: $(STAMP) $(BROWSER)
	OPENVMI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser

# After adding visible text: extract it and merge into the zh_CN / en catalogs, then translate.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k Reason -k CellError -k file_error --no-location --no-wrap --sort-output --project OpenVMI \
		-o src/openvmi/web/locale/messages.pot .
	$(BIN)/pybabel update -i src/openvmi/web/locale/messages.pot -d src/openvmi/web/locale \
		--no-fuzzy-matching --ignore-obsolete --no-wrap

clean:
	rm -rf $(VENV) var
