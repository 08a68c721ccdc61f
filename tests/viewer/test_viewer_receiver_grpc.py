"""OTLP/gRPC receiver, driven by the SDK's own gRPC exporters."""

from __future__ import annotations

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from viewer_telemetry import emit_latest_conversation, emit_legacy_conversation

from otel_genai.viewer import queries


def test_sdk_grpc_exporters_deliver_traces_logs_and_metrics(viewer, pipeline_factory) -> None:
    pipeline = pipeline_factory(viewer.endpoints, "grpc")
    trace_id = emit_latest_conversation(pipeline)
    legacy_id = emit_legacy_conversation(pipeline)
    conn = viewer.store.reader()
    detail = queries.trace_detail(conn, trace_id)
    assert detail is not None
    assert detail["trace"]["span_count"] == 4
    claude = next(s for s in detail["spans"] if s["name"] == "chat claude-sonnet-4")
    assert claude["genai"]["conversation"]["input_messages"][0]["parts"][0]["content"] == "Summarise: rainy in Paris"
    legacy = queries.trace_detail(conn, legacy_id)
    assert legacy is not None and len(legacy["spans"][0]["logs"]) == 5
    names = {r[0] for r in conn.execute("SELECT DISTINCT name FROM metric_points")}
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
    assert queries.trace_detail(viewer.store.reader(), trace_id) is not None
