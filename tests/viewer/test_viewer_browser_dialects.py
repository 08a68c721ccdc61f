"""One conversation per dialect, in a real headless Chromium: each producer's tool-result turn.

The live producers (live_producers.py) and the recorded Node.js instrumentation feed a viewer;
the page must show the conversation, the tool call and its result, the answer, and the
dialect it was read from. Chromium and Playwright as in test_viewer_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import test_viewer_browser as browser_tests
from dialect_checks import BEFORE_1_37_EVENTS, LATEST, Producer, get
from live_producers import IDS, PRODUCERS, run_producer
from test_viewer_dialect_fixtures import NODEJS, replay

from otel_genai.viewer import trace_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def engine() -> str:
    """The page reads the same rows from either engine; the store tests cover PostgreSQL."""
    return "sqlite"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    sync_playwright = browser_tests._require_browser()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(browser_tests.CHROMIUM), args=browser_tests.CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def tab(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def _open_step(tab: Any, viewer: Any, producer: str, step: str) -> str:
    """Open the trace of one step; returns the GenAI panel's text once its messages are shown."""
    (summary,) = [t for t in get(viewer, "/api/traces")["traces"] if t["root_name"] == f"{producer} {step}"]
    tab.goto(trace_url(viewer.endpoints.page, summary["trace_id"]))
    tab.wait_for_selector(".genai-panel .message.output")
    tab.wait_for_selector(".genai-panel .dialect")
    return str(tab.locator(".genai-panel").inner_text())


def _assert_tool_result_turn(text: str, dialect: str) -> None:
    assert "Weather in Paris?" in text
    assert "get_weather" in text and '"city": "Paris"' in text  # the tool call, arguments as JSON
    assert "Tool result" in text and '"forecast": "drizzle"' in text
    assert "Based on the tool results, get_weather returned" in text  # the answer
    assert f"Dialect: {dialect}" in text


@pytest.mark.parametrize(("producer", "venv"), PRODUCERS, ids=IDS)
def test_each_live_producer_shows_its_conversation(
    producer: Producer, venv: str, mock_server: Any, viewer: Any, tab: Any, screenshot: Any
) -> None:
    run_producer(producer, venv, mock_server, viewer)
    text = _open_step(tab, viewer, producer.name, "tool result")
    _assert_tool_result_turn(text, producer.dialect)
    assert text.count("You are a terse weather assistant.") == 1
    screenshot(tab, f"dialect-{producer.name}")


def test_nodejs_instrumentation_shows_its_conversations(viewer: Any, tab: Any) -> None:
    replay(viewer, NODEJS)
    _assert_tool_result_turn(_open_step(tab, viewer, "nodejs", "tool result"), BEFORE_1_37_EVENTS)
    # The Responses call: instructions on the span, input and answer in two details events.
    text = _open_step(tab, viewer, "nodejs", "plain")
    assert "system instructions" in text.lower() and "You are a terse weather assistant." in text
    assert "Weather in Paris?" in text and "deterministic reply" in text
    assert f"Dialect: {LATEST}" in text
