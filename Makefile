# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv (ignored by git) and installs what it needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-oldest-openai bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/otel-genai demo

# The suite runs in parallel (pytest-xdist). Many tests wait on servers, subprocesses, a browser
# or a 1 s timeout, so more workers than the 2 cores keep both cores busy.
TEST_WORKERS ?= 4

test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS)

# The same suite's OpenAI part against the oldest openai client we support.
OLDEST := .venv-oldest
test-oldest-openai:
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install -q --upgrade pip
	$(OLDEST)/bin/python -m pip install -q -e '.[demo]' pytest pytest-asyncio 'pytest-xdist>=3.5' pyyaml hypothesis 'openai==1.26.0' 'httpx<0.28'
	$(OLDEST)/bin/python -m pytest -q -n $(TEST_WORKERS) tests/instrumentation tests/core tests/acceptance tests/reliability tests/mock_openai

bench: $(STAMP)
	$(PY) benchmarks/overhead.py

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy

clean:
	rm -rf $(VENV) $(OLDEST)
