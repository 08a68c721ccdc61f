"""The page in a real headless Chromium (Debian's), driven by Playwright.

Skips when Chromium or Playwright is missing, except under CI=true, where it fails:
CI must run these.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from viewer_telemetry import HTML_PROMPT, emit_failed_call, emit_latest_conversation, emit_legacy_conversation

from otel_genai.viewer import trace_url

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOT_DIR = Path(
    os.environ.get("VIEWER_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "otel-genai-viewer-screenshots")
)


def _require_browser() -> Any:
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem, sync_playwright = "playwright is not installed (run .ci/install-browser)", None
    if problem is None and not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (run .ci/install-browser)"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)
    return sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    context.close()


def _screenshot(page: Any, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_trace_list_then_conversation_with_html_prompt_shown_as_text(viewer, pipeline_factory, page) -> None:
    pipeline = pipeline_factory(viewer.endpoints, "http")
    emit_legacy_conversation(pipeline)
    emit_failed_call(pipeline)
    trace_id = emit_latest_conversation(pipeline)

    page.goto(viewer.endpoints.page + "/")
    page.wait_for_selector("#trace-list")
    rows = page.locator("#trace-list tbody tr")
    assert rows.count() == 3
    assert "weather agent turn" in rows.nth(0).inner_text()
    _screenshot(page, "trace-list")

    page.click("text=weather agent turn")
    page.wait_for_selector(".genai-panel .message")
    assert page.url == trace_url(viewer.endpoints.page, trace_id)
    conversation = page.locator(".genai-panel").inner_text()
    # The prompt's markup is text on the page, not elements: no <script>, no <b>, no alert.
    assert HTML_PROMPT in conversation
    assert page.locator(".genai-panel script, .genai-panel b").count() == 0
    assert page.dialogs == []
    assert "You are a weather assistant." in conversation
    assert "get_weather" in conversation and '"location": "Paris"' in conversation
    assert "rainy, 57°F" in conversation
    assert "It's rainy, 57°F in Paris." in conversation
    assert "finish: stop" in conversation
    assert "1,024" in conversation  # cached input tokens
    assert "250 ms" in conversation  # time to first chunk
    _screenshot(page, "trace-detail")

    page.click("#span-tree >> text=execute_tool get_weather")
    page.wait_for_selector("text=drizzle until noon")

    page.click("#span-tree >> text=chat claude-sonnet-4")
    page.wait_for_selector("text=Paris: rain.")
    assert "inference.operation.details event" in page.locator(".genai-panel").inner_text()


def test_legacy_trace_errors_filters_sessions_and_overview(viewer, pipeline_factory, page) -> None:
    from playwright.sync_api import expect

    pipeline = pipeline_factory(viewer.endpoints, "http")
    legacy_id = emit_legacy_conversation(pipeline)
    failed_id = emit_failed_call(pipeline)
    emit_latest_conversation(pipeline)

    page.goto(trace_url(viewer.endpoints.page, legacy_id))
    page.wait_for_selector(".genai-panel .message")
    text = page.locator(".genai-panel").inner_text()
    assert "Legacy hello" in text and "Legacy answer" in text and "lookup" in text

    page.goto(trace_url(viewer.endpoints.page, failed_id))
    page.wait_for_selector(".error-panel")
    assert "TimeoutError" in page.locator(".error-panel").inner_text()
    assert "the model took too long" in page.locator(".error-panel").inner_text()

    page.goto(viewer.endpoints.page + "/traces")
    page.wait_for_selector("#filters")
    page.check("input[name=error]")
    page.click("#filters button[type=submit]")
    expect(page.locator("#trace-list tbody tr")).to_have_count(1)
    assert "chat gpt-4o" in page.locator("#trace-list").inner_text()
    viewer.store.index_content()  # search trails ingest by a moment in a running viewer
    page.fill("input[name=q]", "Legacy")
    page.uncheck("input[name=error]")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**q=Legacy**")
    # The previous filter also left one row: wait for the searched trace itself.
    expect(page.locator("#trace-list")).to_contain_text("chat gpt-3.5-turbo")
    expect(page.locator("#trace-list tbody tr")).to_have_count(1)

    page.click("nav >> text=Sessions")
    page.wait_for_selector("#session-list")
    page.click("text=conv-weather-1")
    page.wait_for_selector("text=weather agent turn")

    page.click("nav >> text=Overview")
    page.wait_for_selector("#model-table")
    overview = page.locator("main").inner_text()
    assert "gpt-4o-mini" in overview and "claude-sonnet-4" in overview
    assert page.locator("svg.chart rect").count() > 0
    _screenshot(page, "overview")
