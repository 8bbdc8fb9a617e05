# The two commands of the README: `make demo` and `make test`. Both create .venv when missing.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8866

.PHONY: demo test install sample clean

$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 (python_too_old)")'
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## make demo: build the sample round (if missing), simulate scores, serve the meeting dashboard
demo: $(STAMP)
	$(BIN)/workbench demo --host $(HOST) --port $(PORT)

## make test: every test (unit, CLI end to end, notebooks with nbval, dashboards in Chromium;
## the store against PostgreSQL too when the machine has it)
test: $(STAMP)
	scripts/run-tests.sh $(BIN)/python -m pytest

## make sample: regenerate the committed sample round from its seed
sample: $(STAMP)
	rm -rf data/sample
	$(BIN)/workbench sample --out data/sample --seed 2022 --unions 35

clean:
	rm -rf $(VENV) .pytest_cache data/sample/*.sqlite* data/sample/out
