"""OTLP/HTTP receiver: the SDK's protobuf exporters, OTLP/JSON, gzip, and bad input."""

from __future__ import annotations

import gzip
import json
import os
import time

import pytest
import requests
from viewer_telemetry import emit_latest_conversation, emit_legacy_conversation, metric_exporter, query_rows

from otel_genai.viewer import queries


def _get(viewer, path: str):  # type: ignore[no-untyped-def]
    return requests.get(viewer.endpoints.page + path, timeout=10)


def test_sdk_protobuf_exporters_deliver_traces_logs_and_metrics(viewer, pipeline_factory) -> None:
    pipeline = pipeline_factory(viewer.endpoints, "http")
    trace_id = emit_latest_conversation(pipeline)

    detail = _get(viewer, f"/api/traces/{trace_id}").json()
    names = [s["name"] for s in detail["spans"]]
    assert names[0] == "weather agent turn"
    assert {"chat gpt-4o-mini", "chat claude-sonnet-4", "execute_tool get_weather"} <= set(names)
    claude = next(s for s in detail["spans"] if s["name"] == "chat claude-sonnet-4")
    assert claude["logs"][0]["event_name"] == "gen_ai.client.inference.operation.details"
    durations = "SELECT COUNT(*) FROM metric_points WHERE name = 'gen_ai.client.operation.duration'"
    assert query_rows(viewer.store, durations)[0][0]


def test_legacy_events_arrive_with_their_bodies(viewer, pipeline_factory) -> None:
    trace_id = emit_legacy_conversation(pipeline_factory(viewer.endpoints, "http"))
    span = _get(viewer, f"/api/traces/{trace_id}").json()["spans"][0]
    assert [log["event_name"] for log in span["logs"]][:2] == ["gen_ai.system.message", "gen_ai.user.message"]
    assert span["logs"][1]["body"] == {"content": "Legacy hello"}


def _json_trace_request(trace_id: str, span_id: str) -> dict:
    # OTLP/JSON as the spec defines it: hex ids, camelCase keys, enums as integers,
    # 64-bit integers as strings.
    now = time.time_ns()
    return {
        "resourceSpans": [{
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-app"}}]},
            "scopeSpans": [{
                "scope": {"name": "hand-built"},
                "spans": [{
                    "traceId": trace_id, "spanId": span_id, "parentSpanId": "",
                    "name": "chat mistral-large", "kind": 3,
                    "startTimeUnixNano": str(now - 2_000_000), "endTimeUnixNano": str(now),
                    "attributes": [
                        {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                        {"key": "gen_ai.provider.name", "value": {"stringValue": "mistral_ai"}},
                        {"key": "gen_ai.request.model", "value": {"stringValue": "mistral-large"}},
                        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}},
                        {"key": "gen_ai.response.finish_reasons",
                         "value": {"arrayValue": {"values": [{"stringValue": "stop"}]}}},
                    ],
                    "status": {"code": 1},
                    "someFutureField": {"ignored": True},
                }],
            }],
        }]
    }  # fmt: skip


@pytest.mark.parametrize("compress", [False, True])
def test_otlp_json_with_hex_ids_and_gzip(viewer, compress: bool) -> None:
    trace_id, span_id = os.urandom(16).hex(), os.urandom(8).hex()
    body = json.dumps(_json_trace_request(trace_id, span_id)).encode()
    headers = {"content-type": "application/json"}
    if compress:
        body, headers["content-encoding"] = gzip.compress(body), "gzip"
    response = requests.post(viewer.endpoints.otlp_http + "/v1/traces", data=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = viewer.store.trace_detail(trace_id)
    assert detail is not None
    span = detail["spans"][0]
    assert span["span_id"] == span_id
    assert span["kind"] == "client"
    assert span["genai"]["tokens"]["input"] == 42
    assert span["genai"]["finish_reasons"] == ["stop"]


def test_otlp_json_logs_with_hex_ids(viewer) -> None:
    trace_id, span_id = os.urandom(16).hex(), os.urandom(8).hex()
    request = {"resourceLogs": [{"scopeLogs": [{"logRecords": [{
        "timeUnixNano": str(time.time_ns()), "traceId": trace_id, "spanId": span_id,
        "eventName": "gen_ai.user.message", "body": {"kvlistValue": {"values": [
            {"key": "content", "value": {"stringValue": "hi from JSON"}}]}},
    }]}]}]}  # fmt: skip
    response = requests.post(viewer.endpoints.otlp_http + "/v1/logs", json=request)
    assert response.status_code == 200
    row = query_rows(viewer.store, "SELECT t.trace_id, l.span_id, l.body FROM logs l JOIN traces t USING (trace_no)")[0]
    assert (row[0], row[1], json.loads(row[2])) == (trace_id, span_id, {"content": "hi from JSON"})


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        (b"\x0a\xff\xff\xff\xff\x0f garbage", "application/x-protobuf", None),
        (b"{not json", "application/json", None),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}', "application/json", None),
        # A good span, then a bad one: the request is refused whole.
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "0af7651916cd43dd8448eb211c80319c", '
            b'"spanId": "b7ad6b7169203331", "name": "ok"}, {"traceId": "not-hex"}]}]}]}',
            "application/json",
            None,
        ),
        (b'{"resourceSpans": "nope"}', "application/json", None),
        (b"[1, 2]", "application/json", None),
        (b"not gzip at all", "application/x-protobuf", "gzip"),
        # mtime=0: the same bytes, and so the same test id, in every pytest-xdist worker.
        pytest.param(gzip.compress(b"x" * 100, mtime=0)[:-8], "application/x-protobuf", "gzip", id="gzip-cut-short"),
    ],
)
def test_malformed_requests_get_400_and_the_server_keeps_serving(viewer, body, content_type, encoding) -> None:
    headers = {"content-type": content_type}
    if encoding:
        headers["content-encoding"] = encoding
    response = requests.post(viewer.endpoints.otlp_http + "/v1/traces", data=body, headers=headers)
    assert response.status_code == 400
    assert query_rows(viewer.store, "SELECT COUNT(*) FROM spans")[0][0] == 0  # nothing of it was written
    assert _get(viewer, "/api/traces").status_code == 200
    ok = requests.post(viewer.endpoints.otlp_http + "/v1/traces", data=b"", headers={"content-type": content_type})
    assert ok.status_code == 200


def test_oversized_requests_get_413(viewer_factory) -> None:
    viewer = viewer_factory(max_request_bytes=64 * 1024)
    url = viewer.endpoints.otlp_http + "/v1/traces"
    big = b"\x00" * (64 * 1024 + 1)
    assert requests.post(url, data=big, headers={"content-type": "application/x-protobuf"}).status_code == 413
    # A small gzip body that inflates past the limit (a "zip bomb") is refused too.
    bomb = gzip.compress(b"\x00" * (10 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    headers = {"content-type": "application/x-protobuf", "content-encoding": "gzip"}
    assert requests.post(url, data=bomb, headers=headers).status_code == 413
    assert requests.post(url, data=b"", headers={"content-type": "application/x-protobuf"}).status_code == 200


def test_unknown_paths_methods_and_media_types(viewer) -> None:
    base = viewer.endpoints.otlp_http
    assert requests.post(base + "/v1/profiles", data=b"").status_code == 404
    assert requests.post(base + "/v2/traces", data=b"").status_code == 404
    assert requests.get(base + "/v1/traces").status_code == 405
    assert requests.post(base + "/v1/traces", data=b"x", headers={"content-type": "text/plain"}).status_code == 415


def test_retried_export_is_stored_once(viewer) -> None:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("root") as root, tracer.start_as_current_span("chat m") as chat:
        chat.set_attributes({"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 5})
    body = encode_spans(memory.get_finished_spans()).SerializeToString()
    headers = {"content-type": "application/x-protobuf"}
    for _ in range(2):  # the second post is what an exporter retry looks like
        assert requests.post(viewer.endpoints.otlp_http + "/v1/traces", data=body, headers=headers).status_code == 200
    trace_id = format(root.get_span_context().trace_id, "032x")
    detail = viewer.store.trace_detail(trace_id)
    assert detail is not None
    assert detail["trace"]["span_count"] == 2
    assert detail["trace"]["input_tokens"] == 5


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_every_metric_kind_is_stored(viewer, protocol: str) -> None:
    from opentelemetry.metrics import Observation
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

    reader = PeriodicExportingMetricReader(
        metric_exporter(viewer.endpoints, protocol), export_interval_millis=3_600_000
    )
    provider = MeterProvider(
        metric_readers=[reader],
        views=[View(instrument_name="exp.*", aggregation=ExponentialBucketHistogramAggregation())],
    )
    meter = provider.get_meter("kinds")
    meter.create_counter("gen_ai.test.calls").add(3, {"gen_ai.request.model": "m"})
    meter.create_up_down_counter("queue.depth").add(-2)
    meter.create_observable_gauge("temperature", callbacks=[lambda _: [Observation(21.5)]])
    meter.create_histogram("exp.latency").record(0.3)
    provider.force_flush()
    provider.shutdown()
    rows = query_rows(viewer.store, "SELECT name, kind, value, count, model FROM metric_points")
    by_name = {r[0]: tuple(r[1:]) for r in rows}
    assert by_name["gen_ai.test.calls"] == ("sum", 3.0, None, "m")
    assert by_name["queue.depth"] == ("sum", -2.0, None, None)
    assert by_name["temperature"] == ("gauge", 21.5, None, None)
    assert by_name["exp.latency"][0] == "exponential_histogram" and by_name["exp.latency"][2] == 1


def test_sdk_exporters_with_gzip(viewer) -> None:
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider()
    exporter = OTLPSpanExporter(endpoint=viewer.endpoints.otlp_http + "/v1/traces", compression=Compression.Gzip)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("chat zipped") as span:
        span.set_attribute("gen_ai.input.messages", '[{"role":"user","parts":[{"type":"text","content":"zipped"}]}]')
    provider.shutdown()
    viewer.store.index_content()  # the running viewer indexes in the background; don't wait for it
    found = viewer.store.list_traces(queries.TraceFilter(text="zipped"))["traces"]
    assert [t["trace_id"] for t in found] == [format(span.get_span_context().trace_id, "032x")]
