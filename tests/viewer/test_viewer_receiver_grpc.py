"""OTLP/gRPC receiver, driven by the SDK's own gRPC exporters."""

from __future__ import annotations

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from viewer_telemetry import emit_latest_conversation, emit_legacy_conversation, query_rows


def test_sdk_grpc_exporters_deliver_traces_logs_and_metrics(viewer, pipeline_factory) -> None:
    pipeline = pipeline_factory(viewer.endpoints, "grpc")
    trace_id = emit_latest_conversation(pipeline)
    legacy_id = emit_legacy_conversation(pipeline)
    detail = viewer.store.trace_detail(trace_id)
    assert detail is not None
    assert detail["trace"]["span_count"] == 4
    claude = next(s for s in detail["spans"] if s["name"] == "chat claude-sonnet-4")
    assert claude["genai"]["conversation"]["input_messages"][0]["parts"][0]["content"] == "Summarise: rainy in Paris"
    legacy = viewer.store.trace_detail(legacy_id)
    assert legacy is not None and len(legacy["spans"][0]["logs"]) == 5
    names = {r[0] for r in query_rows(viewer.store, "SELECT DISTINCT name FROM metric_points")}
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage"} <= names


def test_grpc_requires_the_token_when_one_is_set(viewer_factory, pipeline_factory) -> None:
    viewer = viewer_factory(token="s3cret-token")
    channel = grpc.insecure_channel(viewer.endpoints.otlp_grpc)
    stub = trace_service_pb2_grpc.TraceServiceStub(channel)
    with pytest.raises(grpc.RpcError) as error:
        stub.Export(trace_service_pb2.ExportTraceServiceRequest(), timeout=5)
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    stub.Export(
        trace_service_pb2.ExportTraceServiceRequest(),
        metadata=(("authorization", "Bearer s3cret-token"),),
        timeout=5,
    )
    channel.close()
    pipeline = pipeline_factory(viewer.endpoints, "grpc", {"authorization": "Bearer s3cret-token"})
    trace_id = emit_legacy_conversation(pipeline)
    assert viewer.store.trace_detail(trace_id) is not None


def test_grpc_gzip_and_oversized_messages(viewer_factory) -> None:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    viewer = viewer_factory(max_request_bytes=64 * 1024)
    provider = TracerProvider()
    exporter = OTLPSpanExporter(endpoint=viewer.endpoints.otlp_grpc, insecure=True, compression=grpc.Compression.Gzip)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("chat zipped") as span:
        span.set_attributes({"gen_ai.operation.name": "chat", "gen_ai.request.model": "m"})
    provider.shutdown()
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert viewer.store.trace_detail(trace_id) is not None

    channel = grpc.insecure_channel(viewer.endpoints.otlp_grpc)
    stub = trace_service_pb2_grpc.TraceServiceStub(channel)
    big = trace_service_pb2.ExportTraceServiceRequest()
    big.resource_spans.add().scope_spans.add().spans.add(name="x" * (100 * 1024))
    with pytest.raises(grpc.RpcError) as error:
        stub.Export(big, timeout=5)
    assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    stub.Export(trace_service_pb2.ExportTraceServiceRequest(), timeout=5)  # still serving
    channel.close()
