# destek: every command a developer or CI needs. Only Python 3.11 is assumed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run mail sql reset test unit integration conformance e2e fuzz lint lint-code format bench bench-restart bench-mail bench-search bench-text soak queues capacity package clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)  ## start the local stack (API, moto, queues, schedules) with demo data
	$(PY) -m devstack run $(ARGS)

mail: $(STAMP)  ## deliver an email to the running stack (found in .devstack/stack.json): make mail EML=tests/data/mail/x.eml
	$(PY) -m devstack mail $(EML) $(ARGS)

sql: $(STAMP)  ## read-only SQL over the running stack's case-event archive, as a supervisor: make sql Q="SELECT type, count(*) FROM events GROUP BY 1"
	$(PY) -m devstack sql "$(Q)" $(ARGS)

reset: $(STAMP)  ## forget the local stack's data (.devstack/data); the next run seeds the demo data anew
	$(PY) -m devstack reset $(ARGS)

# the suite runs lint's two template checks itself (tests/infra: test_package.py's cfn-lint of
# infra/template.yaml, test_queue_registry.py's `devstack.queues --check`): not twice, and not
# on one core before the three workers start
test: $(STAMP) lint-code  ## every test: unit, integration, infra, e2e
	$(PY) -m pytest -n 3 --dist loadfile tests

unit: $(STAMP)
	$(PY) -m pytest tests/unit

integration: $(STAMP)
	$(PY) -m pytest tests/integration

conformance: $(STAMP)  ## destek's DynamoDB operations on stock moto and on devstack/fast_dynamodb.py
	$(PY) -m pytest tests/conformance

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e

fuzz: $(STAMP)  ## schemathesis against a fresh local stack, from its /openapi.json: no 5xx
	$(PY) -m pytest tests/e2e/test_api_fuzz.py

lint: lint-code
	$(PY) -m devstack.queues --check
	$(PY) -m devstack.capacity --check
	$(VENV)/bin/cfn-lint infra/template.yaml

lint-code: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)  ## AWS calls, latency at 1k/10k/100k cases (BENCH_SIZES), events, restart, cold start, the zip, each function's memory: writes docs/performance.md
	$(PY) -m bench

bench-restart: $(STAMP)  ## how long `make run` takes to serve again with 100,000 cases (RESTART_CASES)
	$(PY) -m bench.restart

soak: $(STAMP)  ## mixed load with faults on the local stack for SOAK_SECONDS (180): 5xx, lost writes, notices sent twice
	$(PY) -m bench.soak

bench-search: $(STAMP)  ## search at 100,000 cases and 1,000 articles (SEARCH_CASES): build, size, p50/p95, memory
	$(PY) -m bench.search

bench-text: $(STAMP)  ## routing and sentiment on Turkish as customers write it (issue 20): per group, per kind, every miss
	$(PY) -m bench.turkish_text

bench-mail: $(STAMP)  ## every test mail through the intake: refused, files kept, right case
	$(PY) -m bench.mail_corpus

queues: $(STAMP)  ## infra/template.yaml's queues, dead-letter queues and alarms, from chalicelib/messaging/queue_registry.py
	$(PY) -m devstack.queues

capacity: $(STAMP)  ## infra/template.yaml's auto scaling of the table and each index (TableCapacityMode=provisioned), from the table's indexes
	$(PY) -m devstack.capacity

package: $(STAMP)  ## build/template.yaml + build/deployment.zip, ready for cloudformation deploy
	$(PY) -m devstack.package

clean:
	rm -rf build .pytest_cache
