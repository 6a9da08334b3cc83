# Everything runs from a project virtualenv; `make` targets create it on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= deploy/tocsin.example.toml

.PHONY: run test test-unit test-integration demo kafka-start kafka-stop clean

$(BIN)/tocsin: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

## Start the local Kafka (first time: jars from Maven Central) and the daemon.
run: $(BIN)/tocsin
	$(BIN)/tocsin --config $(CONFIG) run

## The whole test suite: unit tests, then integration tests on a real local broker.
test: $(BIN)/tocsin
	$(BIN)/pytest

test-unit: $(BIN)/tocsin
	$(BIN)/pytest tests/unit

test-integration: $(BIN)/tocsin
	$(BIN)/pytest tests/integration

## Offline demo: a bundled sample feed and a webhook receiver on localhost.
demo: $(BIN)/tocsin
	$(BIN)/python deploy/demo/run_demo.py --stay

kafka-start: $(BIN)/tocsin
	$(BIN)/tocsin --config $(CONFIG) kafka start

kafka-stop: $(BIN)/tocsin
	$(BIN)/tocsin --config $(CONFIG) kafka stop

clean:
	rm -rf $(VENV) .pytest_cache
