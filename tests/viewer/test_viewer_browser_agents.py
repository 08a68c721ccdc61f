"""The agent view in a real headless Chromium: the waterfall tells agent, model and tool
spans apart and nests them, tool calls link both ways, and the header totals the run.
Every check waits for its content."""

from __future__ import annotations

import re
from typing import Any

import openai
import pytest
from agent_runs import instrumented, run_weather_agent
from test_viewer_browser import browser, page  # noqa: F401 (fixtures)

from otel_genai import conversation
from otel_genai.viewer import trace_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def engine() -> str:
    """The page is the same over either engine: drive it over SQLite only."""
    return "sqlite"


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def agent_page(viewer, pipeline_factory, mock_server, monkeypatch, page) -> Any:  # noqa: F811 (the fixture)
    client = openai.OpenAI(base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0)
    run = run_weather_agent(pipeline_factory(viewer.endpoints), client, monkeypatch)
    page.goto(trace_url(viewer.endpoints.page, run.trace_id))
    _expect()(page.locator("#span-tree .span-row")).to_have_count(5)
    return page, run


def test_waterfall_labels_and_nests_agent_model_and_tool_spans(agent_page) -> None:
    expect = _expect()
    tab, run = agent_page
    rows = tab.locator("#span-tree .span-row")
    expect(rows.locator(".kind-badge")).to_have_text(["◆Agent", "✦Model", "⚙Tool", "⚙Tool", "✦Model"])
    agent_row = tab.locator(f'.span-row[data-span-id="{run.agent_span_id}"]')
    expect(agent_row).to_have_class(re.compile(r"\bkind-agent\b"))
    expect(agent_row).to_have_attribute("data-depth", "0")
    for index in range(1, 5):
        expect(rows.nth(index)).to_have_attribute("data-depth", "1")
    failed = tab.locator(".span-row.kind-tool.failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("execute_tool get_forecast")
    # The bars are coloured by kind: the agent's differs from the model call's.
    colour = "getComputedStyle(el.querySelector('.span-bar')).backgroundColor"
    assert agent_row.evaluate(f"el => {colour}") != rows.nth(1).evaluate(f"el => {colour}")


def test_tool_call_links_to_its_tool_span_and_back(agent_page) -> None:
    expect = _expect()
    tab, run = agent_page
    tab.locator("#span-tree .span-row.kind-model").first.click()
    call = tab.locator(".genai-panel .message.output .tool-call", has_text=run.call_id)
    call.locator("button.tool-link").click()
    tool_row = tab.locator(f'.span-row[data-span-id="{run.tool_span_id}"]')
    expect(tool_row).to_have_class(re.compile(r"\bkind-tool\b.*\bselected\b"))
    expect(tab.locator(".span-details h2")).to_contain_text("execute_tool get_weather")
    expect(tab.locator(".genai-panel .tool-call").first).to_contain_text("12 degrees, light rain")

    tab.locator(".genai-panel button.tool-link", has_text="model call").click()
    expect(tab.locator("#span-tree .span-row.kind-model").first).to_have_class(re.compile(r"\bselected\b"))
    expect(tab.locator(".span-details h2")).to_contain_text("chat gpt-4o-mini")


def test_header_totals_the_run(agent_page) -> None:
    expect = _expect()
    tab, _ = agent_page
    totals = tab.locator("#run-totals")
    expect(totals.locator('[data-total="agents"]')).to_have_text("1 agent")
    expect(totals.locator('[data-total="model_calls"]')).to_have_text("2 model calls")
    expect(totals.locator('[data-total="tool_calls"]')).to_have_text("2 tool calls")
    expect(totals.locator('[data-total="errors"]')).to_have_text("1 error")
    expect(totals.locator('[data-total="cost"]')).to_contain_text("$")


def test_trace_list_shows_the_root_agent_and_filters_by_agent(
    viewer, pipeline_factory, mock_server, monkeypatch, page  # noqa: F811 (the fixture)
) -> None:
    expect = _expect()
    client = openai.OpenAI(base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0)
    pipeline = pipeline_factory(viewer.endpoints)
    run_weather_agent(pipeline, client, monkeypatch, name="weather-bot")
    run_weather_agent(pipeline, client, monkeypatch, name="travel-bot")
    page.goto(viewer.endpoints.page + "/traces")
    agents = page.locator("#trace-list tbody td.root-agent")
    expect(agents).to_have_text(["◆Agenttravel-bot", "◆Agentweather-bot"])

    page.locator("#filters input[name=agent]").fill("weather-bot")
    page.locator("#filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/traces\?agent=weather-bot$"))
    expect(agents).to_have_text(["◆Agentweather-bot"])

    page.goto(viewer.endpoints.page + "/traces")
    agents.filter(has_text="travel-bot").locator("a").click()
    expect(agents).to_have_text(["◆Agenttravel-bot"])
    expect(page.locator("#filters input[name=agent]")).to_have_value("travel-bot")


def test_a_session_page_shows_the_transcript(viewer, pipeline_factory, mock_server, monkeypatch, page) -> None:  # noqa: F811
    expect = _expect()
    client = openai.OpenAI(base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0)
    with instrumented(pipeline_factory(viewer.endpoints), monkeypatch), conversation("trip-7"):
        for question in ("Plan a day in Oslo", "Now one in Bergen"):
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    page.goto(viewer.endpoints.page + "/session/trip-7")
    turns = page.locator("#transcript .turn")
    expect(turns).to_have_count(2)
    expect(turns.nth(0).locator(".message.role-user")).to_have_text("userPlan a day in Oslo")
    expect(turns.nth(1).locator(".message.role-user")).to_have_text("userNow one in Bergen")
    expect(turns.nth(1).locator(".message.role-assistant .text")).not_to_be_empty()
