# The two commands: `make run` serves the portal with demo data, `make test` runs the tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SETUP := $(VENV)/.setup-done
SETUP_DEV := $(VENV)/.setup-dev-done

.PHONY: run test lint system-deps demo bench clean

run: $(SETUP)
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@scripts/serve.sh

test: $(SETUP_DEV)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

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

demo: $(SETUP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

bench: $(SETUP_DEV)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf var .pytest_cache
