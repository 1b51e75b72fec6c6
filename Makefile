# The two commands: `make run` serves the portal with demo data, `make test` runs the tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PYTHON_FOR_KEY := $(shell command -v python3 || echo $(PYTHON))
SETUP := $(VENV)/.setup-done
SETUP_DEV := $(VENV)/.setup-dev-done
# pytest-xdist: one worker per core, each with its own test database and Redis database
# (tests/settings.py). PYTEST_WORKERS=0 runs in one process (a debugger, -x, a single test).
PYTEST_WORKERS ?= auto

# The bundle and the source map it names (collectstatic with DEBUG off resolves the reference).
VENDOR := static/vendor/chart.umd.min.js.map
# The settings fail closed: no committed SECRET_KEY, DEBUG off. The demo keeps a key of its own in
# var/ (generated once, git-ignored) and turns DEBUG on; nothing else does.
DEMO_KEY := var/secret_key
run demo totp: export DEBUG := true
run demo bench bench-full totp: export SECRET_KEY_FILE := $(CURDIR)/$(DEMO_KEY)
# Personal data at rest (core/pii.py): the demo's encryption and blind-index keys, kept in var/ too.
DEMO_PII := var/pii_keys
run demo bench bench-full totp: export PII_KEYS_FILE := $(CURDIR)/$(DEMO_PII)
run demo bench bench-full totp: export PII_INDEX_KEY_FILE := $(CURDIR)/$(DEMO_PII).index

.PHONY: run test lint system-deps demo bench bench-full clean vendor prod-check totp

run: $(SETUP) $(VENDOR) $(DEMO_KEY) $(DEMO_PII)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py build_pdf_font
	$(PY) manage.py load_demo
	@scripts/serve.sh

test: $(SETUP_DEV) $(VENDOR)
	@WITH_BROWSER=1 scripts/system-deps.sh  # Debian's Chromium: the browser tests run, never skip
	$(VENV)/bin/ruff check .
	@# once, before the workers: each would otherwise cut the PDF face itself (16 s, more in CI)
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py build_pdf_font
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(SETUP_DEV)
	$(VENV)/bin/ruff check .

system-deps:
	@scripts/system-deps.sh

$(VENV)/bin/python:
	@scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(SETUP): requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	@touch $@

$(SETUP_DEV): requirements.txt requirements-dev.txt $(SETUP)
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	@touch $@

# Front-end libraries pinned in package.json/package-lock.json, installed from npm at set-up and
# served from static/vendor/ (never from a CDN). Without npm the pages still work, without charts.
vendor: $(VENDOR)

$(VENDOR): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || scripts/system-deps.sh
	npm ci --no-audit --no-fund --silent
	@mkdir -p static/vendor
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.min.js
	cp node_modules/chart.js/dist/chart.umd.min.js.map $@
	cp node_modules/chart.js/LICENSE.md static/vendor/chart.js.LICENSE.md

# The current TOTP code of a demo staff account (demo data only): make totp U=clerk_taihe
totp: $(SETUP) $(DEMO_KEY) $(DEMO_PII)
	@$(PY) manage.py demo_totp $(U)

# The production settings (DEBUG off, collectstatic, check --deploy, gunicorn answering; the
# image when Docker is there): scripts/prod-check.sh, which CI runs after the tests.
prod-check: $(SETUP) $(VENDOR)
	@scripts/prod-check.sh

demo: $(SETUP) $(DEMO_KEY) $(DEMO_PII)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

# Benchmarks (bench/_contract.py): each prints its figure and a baseline from the same run, checks
# its budget and correctness and exits non-zero on a miss; bench/run.py runs them and prints the
# table, failing when any fails. `make bench`: every script at a small size (a few minutes);
# `make bench-full`: the sizes the README quotes (an hour or more). The PostgreSQL ones make and
# drop their own databases on the server DATABASE_URL names. B=bench_notice runs only some.
bench bench-full: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tongban
bench: $(SETUP_DEV) $(DEMO_KEY) $(DEMO_PII)
	$(PY) bench/run.py --size quick $(B)

bench-full: $(SETUP_DEV) $(DEMO_KEY) $(DEMO_PII)
	$(PY) bench/run.py --size full $(B)

$(DEMO_KEY):
	@mkdir -p var
	@umask 077 && $(PYTHON_FOR_KEY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@echo "demo SECRET_KEY generated in $@"

$(DEMO_PII):
	@mkdir -p var
	@umask 077 && $(PYTHON_FOR_KEY) -c "import base64, secrets; print('demo1:' + base64.b64encode(secrets.token_bytes(32)).decode())" > $(DEMO_PII)
	@umask 077 && $(PYTHON_FOR_KEY) -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())" > $(DEMO_PII).index
	@echo "demo PII keys generated in $(DEMO_PII) and $(DEMO_PII).index"

clean:
	rm -rf var .pytest_cache
