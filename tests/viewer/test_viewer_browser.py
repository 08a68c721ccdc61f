"""The page in a real headless Chromium (Debian's), driven by Playwright.

Skips when Chromium or Playwright is missing, except under CI=true, where it fails:
CI must run these.

The page renders in the browser after it loads, and again after each navigation, so every
check goes through Playwright's ``expect``, which waits for the content it checks (a plain
``count()`` or ``inner_text()`` reads whatever is on the page at that moment).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from viewer_telemetry import HTML_PROMPT, emit_failed_call, emit_latest_conversation, emit_legacy_conversation

from otel_genai.viewer import trace_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def engine() -> str:
    """The page is the same over either engine: drive it over SQLite only."""
    return "sqlite"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


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


def test_trace_list_then_conversation_with_html_prompt_shown_as_text(
    viewer, pipeline_factory, page, screenshot
) -> None:
    from playwright.sync_api import expect

    pipeline = pipeline_factory(viewer.endpoints, "http")
    emit_legacy_conversation(pipeline)
    emit_failed_call(pipeline)
    trace_id = emit_latest_conversation(pipeline)

    page.goto(viewer.endpoints.page + "/")
    rows = page.locator("#trace-list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("weather agent turn")
    screenshot(page, "trace-list")

    page.click("text=weather agent turn")
    expect(page).to_have_url(trace_url(viewer.endpoints.page, trace_id))
    expect(page.locator(".genai-panel")).to_contain_text("It's rainy, 57°F in Paris.")  # the whole panel is in
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
    screenshot(page, "trace-detail")

    page.click("#span-tree >> text=execute_tool get_weather")
    expect(page.locator(".genai-panel")).to_contain_text("drizzle until noon")

    page.click("#span-tree >> text=chat claude-sonnet-4")
    panel = page.locator(".genai-panel")
    expect(panel).to_contain_text("Paris: rain.")
    expect(panel).to_contain_text("inference.operation.details event")


def test_legacy_trace_errors_filters_sessions_and_overview(viewer, pipeline_factory, page, screenshot) -> None:
    from playwright.sync_api import expect

    pipeline = pipeline_factory(viewer.endpoints, "http")
    legacy_id = emit_legacy_conversation(pipeline)
    failed_id = emit_failed_call(pipeline)
    emit_latest_conversation(pipeline)

    page.goto(trace_url(viewer.endpoints.page, legacy_id))
    panel = page.locator(".genai-panel")
    for text in ("Legacy hello", "Legacy answer", "lookup"):
        expect(panel).to_contain_text(text)

    page.goto(trace_url(viewer.endpoints.page, failed_id))
    errors = page.locator(".error-panel")
    expect(errors).to_contain_text("TimeoutError")
    expect(errors).to_contain_text("the model took too long")

    # Each filter re-renders the list in place, and the old rows stay until the new ones
    # replace them: wait for the rows that only the new result has, then count them.
    page.goto(viewer.endpoints.page + "/traces")
    rows = page.locator("#trace-list tbody tr")
    expect(rows).to_have_count(3)
    page.check("input[name=error]")
    page.click("#filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(["chat gpt-4o"])
    viewer.store.index_content()  # search trails ingest by a moment in a running viewer
    page.fill("input[name=q]", "Legacy")
    page.uncheck("input[name=error]")
    page.click("#filters button[type=submit]")
    expect(rows.filter(has_text="chat gpt-3.5-turbo")).to_have_count(1)
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=Legacy"))

    page.click("nav >> text=Sessions")
    page.click("#session-list >> text=conv-weather-1")
    expect(page.locator("main h1")).to_have_text("Session conv-weather-1")
    expect(page.locator("main tbody")).to_contain_text("weather agent turn")

    page.click("nav >> text=Overview")
    expect(page.locator("#model-table")).to_contain_text("gpt-4o-mini")
    expect(page.locator("#model-table")).to_contain_text("claude-sonnet-4")
    expect(page.locator("svg.chart rect").first).to_be_visible()
    screenshot(page, "overview")
