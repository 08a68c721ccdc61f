# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv (ignored by git) and installs what it needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-oldest-openai test-oldest-anthropic test-oldest-agents dialects-venv bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/otel-genai demo

# The suite runs in parallel (pytest-xdist). Many tests wait on servers, subprocesses, a browser
# or a 1 s timeout, so more workers than the 2 cores keep both cores busy; each worker also pays
# ~4 s of CPU to import and collect the suite. On 2 idle cores (2,618 tests), interleaved runs:
# 3 workers 1:54 twice (~155 CPU-s), 4 workers 1:50 and 1:48 (~165 CPU-s).
TEST_WORKERS ?= 4

test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS)

# Other projects' instrumentations (OpenInference, OpenLLMetry, the official ones), kept out
# of .venv: they patch the same client as ours. The viewer's dialect tests run them from here
# and skip when it is missing (except under CI=true).
DIALECTS := .venv-dialects
$(DIALECTS)/.installed: pyproject.toml
	$(PYTHON) -m venv $(DIALECTS)
	$(DIALECTS)/bin/python -m pip install -q --upgrade pip
	$(DIALECTS)/bin/python -m pip install -q -e '.[dialects]'
	touch $@

DIALECTS_LEGACY := .venv-dialects-legacy
$(DIALECTS_LEGACY)/.installed: pyproject.toml
	$(PYTHON) -m venv $(DIALECTS_LEGACY)
	$(DIALECTS_LEGACY)/bin/python -m pip install -q --upgrade pip
	$(DIALECTS_LEGACY)/bin/python -m pip install -q -e '.[dialects-legacy]'
	touch $@

dialects-venv: $(DIALECTS)/.installed $(DIALECTS_LEGACY)/.installed

# The same suite's OpenAI part against the oldest openai client we support (the reliability files'
# Anthropic cases run too, with the current anthropic client and its Bedrock extra).
OLDEST := .venv-oldest
test-oldest-openai:
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install -q --upgrade pip
	$(OLDEST)/bin/python -m pip install -q -e '.[demo]' 'anthropic[bedrock]' pytest pytest-asyncio 'pytest-xdist>=3.5' pyyaml hypothesis 'openai==1.26.0' 'httpx<0.28'
	$(OLDEST)/bin/python -m pytest -q -n $(TEST_WORKERS) tests/instrumentation tests/core tests/acceptance tests/reliability tests/mock_openai

# The Anthropic tests against the oldest anthropic client we support: these files' tests whose
# name or file name says anthropic (the reliability suites' shared files hold OpenAI cases too).
OLDEST_ANTHROPIC := .venv-oldest-anthropic
ANTHROPIC_TESTS := tests/instrumentation/test_anthropic_*.py tests/acceptance/test_anthropic_cassettes.py \
	tests/reliability/test_anthropic_*.py tests/reliability/test_instrumentor_lifecycle.py \
	tests/reliability/test_own_faults.py tests/reliability/test_privacy.py \
	tests/mock_openai/test_mock_anthropic*.py
test-oldest-anthropic:
	$(PYTHON) -m venv $(OLDEST_ANTHROPIC)
	$(OLDEST_ANTHROPIC)/bin/python -m pip install -q --upgrade pip
	$(OLDEST_ANTHROPIC)/bin/python -m pip install -q -e '.[demo]' pytest pytest-asyncio 'pytest-xdist>=3.5' pyyaml hypothesis 'anthropic[bedrock]==0.49.0'
	$(OLDEST_ANTHROPIC)/bin/python -m pytest -q -n $(TEST_WORKERS) -k anthropic $(ANTHROPIC_TESTS)

# The Agents SDK tests against its first release, with the openai client that release asked for
# (later clients changed models that the SDK's first releases build).
OLDEST_AGENTS := .venv-oldest-agents
test-oldest-agents:
	$(PYTHON) -m venv $(OLDEST_AGENTS)
	$(OLDEST_AGENTS)/bin/python -m pip install -q --upgrade pip
	$(OLDEST_AGENTS)/bin/python -m pip install -q -e '.[demo]' pytest pytest-asyncio 'pytest-xdist>=3.5' pyyaml hypothesis 'openai-agents==0.0.2' 'openai==1.66.0'
	$(OLDEST_AGENTS)/bin/python -m pytest -q -n $(TEST_WORKERS) tests/agents

bench: $(STAMP)
	$(PY) benchmarks/overhead.py
	$(PY) benchmarks/overhead.py --provider anthropic

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy

clean:
	rm -rf $(VENV) $(OLDEST) $(OLDEST_ANTHROPIC) $(OLDEST_AGENTS) $(DIALECTS) $(DIALECTS_LEGACY)
