# destek: every command a developer or CI needs. Only Python 3.11 is assumed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run mail test unit integration e2e fuzz lint format bench package clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)  ## start the local stack (API, moto, queues, schedules) with demo data
	$(PY) -m devstack run $(ARGS)

mail: $(STAMP)  ## deliver an email to the running stack: make mail EML=tests/data/mail/x.eml
	$(PY) -m devstack mail $(EML)

test: $(STAMP) lint  ## every test: unit, integration, infra, e2e
	$(PY) -m pytest -n 2 --dist loadfile tests

unit: $(STAMP)
	$(PY) -m pytest tests/unit

integration: $(STAMP)
	$(PY) -m pytest tests/integration

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e

fuzz: $(STAMP)  ## schemathesis against a fresh local stack, from its /openapi.json: no 5xx
	$(PY) -m pytest tests/e2e/test_api_fuzz.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint infra/template.yaml

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)  ## AWS calls per operation, cold-start ratio
	$(PY) -m bench

package: $(STAMP)  ## build/template.yaml + build/deployment.zip, ready for cloudformation deploy
	$(PY) -m devstack.package

clean:
	rm -rf build .pytest_cache
