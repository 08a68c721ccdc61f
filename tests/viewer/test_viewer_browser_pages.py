"""The page changes of issue 13 in a real headless Chromium: counts, finish reasons, unknown
cost, the trace list's new columns, the overview's window, the Logs page, the service-name
hint and a browser exporting through --cors-origin. Every check waits for its content."""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind
from test_viewer_browser import browser, page  # noqa: F401 (fixtures)
from viewer_telemetry import emit_failed_call, emit_latest_conversation, query_rows, trace_hex

from otel_genai.viewer import trace_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _tool_call_turn(endpoints: Any, service: str) -> str:
    """One chat call that asked for a tool, from an app named ``service``; returns its trace id."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoints.otlp_http}/v1/traces")))
    with provider.get_tracer("browser-pages").start_as_current_span("chat gpt-4o", kind=SpanKind.CLIENT) as span:
        span.set_attributes({
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.finish_reasons": ["tool_calls"],
            "gen_ai.usage.input_tokens": 40, "gen_ai.usage.output_tokens": 12,
            "gen_ai.output.messages": json.dumps([{"role": "assistant", "finish_reason": "tool_call", "parts": [
                {"type": "tool_call", "id": "call_7", "name": "get_weather", "arguments": {"city": "Oslo"}}]}]),
        })  # fmt: skip
    provider.shutdown()
    return trace_hex(span)


def test_one_span_and_one_failed_call_read_in_the_singular(viewer, pipeline_factory, page) -> None:  # noqa: F811
    expect = _expect()
    failed = emit_failed_call(pipeline_factory(viewer.endpoints))
    page.goto(trace_url(viewer.endpoints.page, failed))
    expect(page.locator(".trace-head")).to_contain_text("· 1 span ·")
    expect(page.locator(".genai-panel .tokens")).to_contain_text("Estimated cost")
    cost_row = page.locator(".genai-panel .tokens tr", has_text="Estimated cost")
    expect(cost_row).to_contain_text("unknown")
    expect(cost_row).to_contain_text("tokens not reported")
    expect(cost_row).not_to_contain_text("$")

    page.goto(viewer.endpoints.page + "/overview")
    expect(page.locator(".cards")).to_contain_text("1 failed call")
    expect(page.locator(".cards")).not_to_contain_text("1 failed calls")


def test_finish_reason_reads_the_same_in_the_header_and_on_the_message(viewer, page) -> None:  # noqa: F811
    expect = _expect()
    trace_id = _tool_call_turn(viewer.endpoints, "weather-app")
    page.goto(trace_url(viewer.endpoints.page, trace_id))
    meta = page.locator(".genai-panel .genai-grid table.kv").first
    expect(meta.locator("tr", has_text="Finish reasons")).to_contain_text("tool_call")
    expect(meta).not_to_contain_text("tool_calls")
    expect(page.locator(".genai-panel .message.output .badge")).to_have_text("finish: tool_call")


def test_trace_list_shows_cost_and_first_chunk_and_names_unnamed_apps(viewer, pipeline_factory, page) -> None:  # noqa: F811
    expect = _expect()
    conversation = emit_latest_conversation(pipeline_factory(viewer.endpoints))
    emit_failed_call(pipeline_factory(viewer.endpoints))
    page.goto(viewer.endpoints.page + "/traces")
    table = page.locator("#trace-list")
    expect(table.locator("thead")).to_contain_text("First chunk")
    expect(table.locator("thead")).to_contain_text("Est. cost")
    headers = table.locator("thead th").all_inner_texts()
    first_chunk, cost = headers.index("First chunk"), headers.index("Est. cost")
    row = table.locator("tbody tr", has=page.locator(f"a[href='/trace/{conversation}']"))
    expect(row.locator("td").nth(first_chunk)).to_have_text("250 ms")
    expect(row.locator("td").nth(cost)).to_have_text(re.compile(r"^\$\d"))
    failed_row = table.locator("tbody tr", has_text="chat gpt-4o").filter(has_not_text="gpt-4o-mini")
    expect(failed_row.locator("td").nth(cost)).to_have_text("–")
    expect(page.locator("#service-name-hint")).to_have_count(0)

    _tool_call_turn(viewer.endpoints, "unknown_service:python")
    page.reload()
    hint = page.locator("#service-name-hint")
    expect(hint).to_contain_text("unknown_service:python")
    expect(hint).to_contain_text("OTEL_SERVICE_NAME=my-app")


def test_overview_defaults_to_the_stored_data(viewer, pipeline_factory, page) -> None:  # noqa: F811
    expect = _expect()
    emit_latest_conversation(pipeline_factory(viewer.endpoints))
    page.goto(viewer.endpoints.page + "/overview")
    expect(page.locator(".filters button.active")).to_have_text("Stored data")
    expect(page.locator("#model-table")).to_contain_text("gpt-4o-mini")
    chart = page.locator("svg.chart").first
    bars = chart.locator("rect")
    expect(bars.first).to_be_attached()
    # Calls made within a minute: a wide bar amid a few empty ones, not a sliver at the end of 24 hours.
    chart_width = float(chart.get_attribute("viewBox").split()[2])
    x, width = (float(bars.first.get_attribute(a)) for a in ("x", "width"))
    assert width > chart_width / 20
    assert chart_width / 4 < x < chart_width * 3 / 4
    page.click(".filters button:text('Last 24 hours')")
    expect(page.locator(".filters button.active")).to_have_text("Last 24 hours")
    expect(page).to_have_url(re.compile(r"window=24h"))


def test_logs_without_a_trace_id_have_a_page(viewer, page) -> None:  # noqa: F811
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

    expect = _expect()
    provider = LoggerProvider(resource=Resource.create({"service.name": "nightly-batch"}))
    provider.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(f"{viewer.endpoints.otlp_http}/v1/logs")))
    provider.get_logger("batch").emit(body="index rebuilt outside any request", severity_text="INFO",
                                      event_name="batch.finished")  # fmt: skip
    provider.shutdown()
    page.goto(viewer.endpoints.page + "/")
    page.click("nav >> text=Logs")
    rows = page.locator("#log-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("index rebuilt outside any request")
    expect(rows.first).to_contain_text("nightly-batch")
    expect(rows.first).to_contain_text("batch.finished")


_EXPORT = """async ([url, body]) => {
  try {
    const reply = await fetch(url, {method: "POST", headers: {"content-type": "application/json"}, body});
    return String(reply.status);
  } catch (error) { return "blocked: " + error.name; }
}"""


async def _app_page(scope: Any, receive: Any, send: Any) -> None:
    """A browser app's page (no CSP, like a dev server's)."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": b"<!doctype html><title>app</title>"})


def _span_json(trace_id: str) -> str:
    now = time.time_ns()
    span = {"traceId": trace_id, "spanId": "00f067aa0ba902b7", "name": "chat from the browser", "kind": 3,
            "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 1_000_000)}  # fmt: skip
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]})


@pytest.mark.parametrize("allowed", [True, False])
def test_a_page_exports_otlp_through_cors_only_when_its_origin_is_allowed(viewer_factory, page, allowed) -> None:  # noqa: F811
    from otel_genai.mock_openai import LoopbackServer

    with LoopbackServer(_app_page) as app:
        viewer = viewer_factory(cors_origins=(app.root_url,) if allowed else ())
        page.goto(f"{app.root_url}/")
        trace_id = os.urandom(16).hex()
        outcome = page.evaluate(_EXPORT, [f"{viewer.endpoints.otlp_http}/v1/traces", _span_json(trace_id)])
    stored = query_rows(viewer.store, "SELECT span_count FROM traces WHERE trace_id = ?", (trace_id,))
    if allowed:
        assert outcome == "200"
        assert [row[0] for row in stored] == [1]
    else:
        assert outcome == "blocked: TypeError"
        assert stored == []  # the preflight failed, so the export was never sent
