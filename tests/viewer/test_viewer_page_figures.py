"""What the page's JSON API adds for issue 13: cost and first chunk per trace, no cost without
tokens, an overview window that fits the stored data, and log records outside any trace."""

from __future__ import annotations

import time

import pytest
import requests
from genai_prices import Usage, calc_price
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from viewer_telemetry import emit_failed_call, emit_latest_conversation, kv, trace_request

from otel_genai.viewer.ingest import ingest

HOUR_NS = 3_600 * 10**9


def _price(usage: Usage, model: str, provider: str) -> float:
    return float(calc_price(usage, model, provider_id=provider).total_price)


def test_trace_list_has_cost_and_time_to_first_chunk(viewer, pipeline_factory) -> None:
    pipeline = pipeline_factory(viewer.endpoints)
    conversation = emit_latest_conversation(pipeline)
    failed = emit_failed_call(pipeline)
    traces = requests.get(viewer.endpoints.page + "/api/traces", timeout=10).json()["traces"]
    by_id = {t["trace_id"]: t for t in traces}
    expected = _price(Usage(input_tokens=1200, cache_read_tokens=1024, output_tokens=80), "gpt-4o-mini", "openai")
    expected += _price(Usage(input_tokens=50, output_tokens=20), "claude-sonnet-4", "anthropic")
    assert by_id[conversation]["cost_usd"] == pytest.approx(expected)
    assert by_id[conversation]["time_to_first_chunk_ms"] == pytest.approx(250.0)
    # A failed call reported no tokens: its cost is unknown, not $0.
    assert by_id[failed]["cost_usd"] is None
    assert by_id[failed]["time_to_first_chunk_ms"] is None
    detail = requests.get(f"{viewer.endpoints.page}/api/traces/{failed}", timeout=10).json()
    genai = detail["spans"][0]["genai"]
    assert genai["cost_usd"] is None and genai["cost_note"] == "tokens not reported"


def test_the_trace_lists_first_chunk_falls_back_to_the_first_chunk_event(viewer, pipeline_factory) -> None:
    """A producer that marks the first chunk with a span event (OpenInference) and sets no attribute."""
    pipeline = pipeline_factory(viewer.endpoints)
    tracer = pipeline.tracer_provider.get_tracer("openinference-like")
    start = time.time_ns()
    span = tracer.start_span("ChatCompletion", start_time=start)
    span.set_attributes({"openinference.span.kind": "LLM", "llm.provider": "openai", "llm.model_name": "gpt-4o",
                         "llm.token_count.prompt": 10, "llm.token_count.completion": 5})  # fmt: skip
    span.add_event("First Token Stream Event", timestamp=start + 420_000_000)
    span.end(end_time=start + 900_000_000)
    pipeline.flush()
    (listed,) = requests.get(viewer.endpoints.page + "/api/traces", timeout=10).json()["traces"]
    assert listed["time_to_first_chunk_ms"] == pytest.approx(420.0)
    detail = requests.get(f"{viewer.endpoints.page}/api/traces/{listed['trace_id']}", timeout=10).json()
    assert detail["spans"][0]["genai"]["time_to_first_chunk_ms"] == pytest.approx(420.0)


def test_the_default_overview_window_spans_the_stored_calls(store) -> None:
    now = time.time_ns()
    first = now - 3 * HOUR_NS
    ingest(store, "traces", trace_request(5, first, step_ns=HOUR_NS // 2)[0])  # calls from -3 h to -1 h
    last = first + 4 * HOUR_NS // 2 + 1_000
    window = store.data_window()
    assert window is not None
    since, until = window
    assert since <= first and until > last
    # Whole bars around the data, not the last 24 hours: a few minutes of margin at most.
    assert first - since < HOUR_NS / 4 and until - last < HOUR_NS / 4


def test_overview_api_without_a_window_fits_the_data(viewer) -> None:
    now = time.time_ns()
    ingest(viewer.store, "traces", trace_request(2, now - 5 * HOUR_NS, step_ns=HOUR_NS)[0])
    result = requests.get(viewer.endpoints.page + "/api/overview", timeout=10).json()
    assert result["fits_data"] is True
    assert result["totals"]["calls"] == 2
    filled = [b for b in result["series"] if b["by_model"]]
    assert result["series"][0] == filled[0]
    assert result["series"][-1] == filled[-1]
    explicit = requests.get(
        viewer.endpoints.page + f"/api/overview?since={(now - HOUR_NS) // 10**6}&until={now // 10**6}", timeout=10
    ).json()
    assert explicit["fits_data"] is False and explicit["totals"]["calls"] == 0
    # since=0 is a window from the epoch, not a missing bound.
    everything = requests.get(viewer.endpoints.page + f"/api/overview?since=0&until={now // 10**6}", timeout=10).json()
    assert everything["fits_data"] is False and everything["totals"]["calls"] == 2


def test_an_empty_store_has_no_data_window(store) -> None:
    assert store.data_window() is None


def _log_request(bodies: list[str], start_ns: int, trace_id: bytes = b"") -> ExportLogsServiceRequest:
    request = ExportLogsServiceRequest()
    resource_logs = request.resource_logs.add()
    resource_logs.resource.attributes.append(kv("service.name", "batch-job"))
    scope_logs = resource_logs.scope_logs.add()
    for i, body in enumerate(bodies):
        record = scope_logs.log_records.add(time_unix_nano=start_ns + i, severity_number=9, severity_text="INFO")
        record.body.string_value = body
        if trace_id:
            record.trace_id = trace_id
            record.span_id = b"\x01" * 8
    return request


def test_logs_without_a_trace_id_are_listed_newest_first_in_pages(store) -> None:
    now = time.time_ns()
    ingest(store, "logs", _log_request([f"untraced {i}" for i in range(5)], now))
    ingest(store, "logs", _log_request(["inside a trace"], now + 100, trace_id=b"\x02" * 16))
    first = store.untraced_logs(limit=3)
    assert [r["body"] for r in first["logs"]] == ["untraced 4", "untraced 3", "untraced 2"]
    assert first["logs"][0]["service"] == "batch-job"
    second = store.untraced_logs(before=first["next"], limit=3)
    assert [r["body"] for r in second["logs"]] == ["untraced 1", "untraced 0"]
    assert second["next"] is None


def test_a_single_call_sits_mid_window(store) -> None:
    from otel_genai.viewer.overview import MIN_WINDOW_BARS

    start = time.time_ns()
    ingest(store, "traces", trace_request(1, start)[0])
    window = store.data_window()
    assert window is not None
    since, until = window
    assert until - since == MIN_WINDOW_BARS * 60 * 10**9  # twelve one-minute bars
    assert since + (until - since) / 4 < start < until - (until - since) / 4
