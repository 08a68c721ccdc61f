"""Shared fixtures (the local OpenAI-compatible server, in-memory telemetry, instrumenting) and
the hooks of the parallel runner (pytest-xdist): scheduling, and the workers' Hypothesis counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fuzz_examples import FUZZ_EXAMPLES, add_counts, write_summary
from local_http import openai_http
from telemetry_capture import ALWAYS_ON, Captured

# The two suites of the reliability matrix (tests/reliability) check the same cases; a case run
# once in a worker is cached there (``case_result``), so both suites' tests of a case go to one worker.
_MATRIX_TESTS = (
    "tests/reliability/test_transparency.py::test_same_outcome_with_and_without_instrumentation[",
    "tests/reliability/test_server_faults.py::test_server_fault_gives_one_truthful_span[",
)


# A browser test module runs whole on one worker: it starts Chromium once, not once in each worker.
_WHOLE_MODULES = "tests/viewer/test_viewer_browser"


def _waits_out_a_timeout(nodeid: str) -> bool:
    """A matrix case that waits for the client's read timeout: about a second, using no CPU."""
    return nodeid.startswith(_MATRIX_TESTS) and nodeid.endswith("-timeout]")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The matrix's timeout cases first, then tests marked ``slow``, the rest in their order: a
    long test started last would keep the whole run waiting on it."""
    items.sort(key=lambda item: (not _waits_out_a_timeout(item.nodeid), item.get_closest_marker("slow") is None))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's load scheduling, with each reliability-matrix case and each browser module
    as one unit of work, handed out in collection order (slow tests first).

    The matrix's timeout cases are one unit, given out first: one worker waits out their 34
    seconds while the others keep both cores busy. Spread over every worker, they left the
    cores half idle for 20 seconds of the run."""
    from xdist.scheduler import LoadScopeScheduling

    class CaseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if _waits_out_a_timeout(nodeid):
                return "matrix timeout cases"
            for prefix in _MATRIX_TESTS:
                if nodeid.startswith(prefix):
                    return "matrix case " + nodeid[len(prefix) :]
            if nodeid.startswith(_WHOLE_MODULES):
                return nodeid.split("::", 1)[0]
            return nodeid

    config.option.loadscopereorder = False  # by default the scheduler puts the largest units first
    return CaseScheduling(config, log)


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker_output = getattr(session.config, "workeroutput", None)  # set in pytest-xdist workers only
    if worker_output is not None:
        worker_output["fuzz_examples"] = dict(FUZZ_EXAMPLES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    add_counts(getattr(node, "workeroutput", {}).get("fuzz_examples", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write_summary(terminalreporter)


@pytest.fixture(scope="session")
def mock_server() -> Iterator[Any]:
    from otel_genai.mock_openai import MockOpenAIServer

    with MockOpenAIServer() as server:
        yield server


@pytest.fixture
def captured() -> Captured:
    return Captured()


def _instrumenting(
    instrumentor: Any, monkeypatch: pytest.MonkeyPatch, captured: Captured
) -> Iterator[Callable[..., Captured]]:
    """``start(capture=..., conventions=..., sampler=..., env=..., **instrument_kwargs)``, then uninstrument."""

    def start(
        capture: str | None = None,
        conventions: str | None = None,
        sampler: Any = ALWAYS_ON,
        env: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Captured:
        for key in (
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
            "OTEL_SEMCONV_STABILITY_OPT_IN",
            "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT",
            "OTEL_INSTRUMENTATION_GENAI_EMIT_EXCEPTION_EVENT",
        ):
            monkeypatch.delenv(key, raising=False)
        if capture is not None:
            monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", capture)
        if conventions is not None:
            monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", conventions)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        target = captured if sampler is ALWAYS_ON else Captured(sampler=sampler)
        instrumentor.instrument(**target.providers(), **kwargs)
        return target

    yield start
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()


@pytest.fixture
def instrument(monkeypatch: pytest.MonkeyPatch, captured: Captured) -> Iterator[Callable[..., Captured]]:
    """Instrument the OpenAI client with in-memory providers and the given environment.

    ``instrument(capture="SPAN_AND_EVENT", conventions="gen_ai_legacy", sampler=ALWAYS_OFF)``
    """
    from otel_genai.instrumentation.openai import OpenAIInstrumentor

    yield from _instrumenting(OpenAIInstrumentor(), monkeypatch, captured)


@pytest.fixture
def instrument_anthropic(monkeypatch: pytest.MonkeyPatch, captured: Captured) -> Iterator[Callable[..., Captured]]:
    """Instrument the Anthropic client, as ``instrument`` does the OpenAI one."""
    from otel_genai.instrumentation.anthropic import AnthropicInstrumentor

    yield from _instrumenting(AnthropicInstrumentor(), monkeypatch, captured)


@pytest.fixture
def client(mock_server: Any) -> Any:
    import openai

    return openai.OpenAI(base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0, http_client=openai_http())


@pytest.fixture
def async_client(mock_server: Any) -> Any:
    import openai

    return openai.AsyncOpenAI(
        base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0, http_client=openai_http(asynchronous=True)
    )
