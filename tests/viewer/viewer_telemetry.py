"""GenAI telemetry for the viewer's tests, built with the OpenTelemetry SDK directly.

The semantic-convention attributes are set by hand, so the tests depend on no
instrumentation; the SDK's own OTLP exporters carry it to the viewer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from otel_genai.viewer.server import Endpoints

HTML_PROMPT = "<script>alert('pwned')</script><b>bold?</b> What is the weather in Paris?"


@dataclass
class Pipeline:
    """SDK providers exporting to a viewer; ``flush()`` pushes everything out."""

    tracer_provider: TracerProvider
    logger_provider: LoggerProvider
    meter_provider: MeterProvider

    def flush(self) -> None:
        self.tracer_provider.force_flush()
        self.logger_provider.force_flush()
        self.meter_provider.force_flush()

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.logger_provider.shutdown()
        self.meter_provider.shutdown()


def metric_exporter(endpoints: Endpoints, protocol: str = "http") -> Any:
    """The SDK's OTLP metric exporter aimed at the viewer."""
    if protocol == "http":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        return OTLPMetricExporter(endpoint=f"{endpoints.otlp_http}/v1/metrics")
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GMetrics

    return GMetrics(endpoint=endpoints.otlp_grpc, insecure=True)


def make_pipeline(endpoints: Endpoints, protocol: str = "http", headers: dict[str, str] | None = None) -> Pipeline:
    """Providers with the SDK's own OTLP exporters (``http`` = protobuf over HTTP, or ``grpc``)."""
    resource = Resource.create({"service.name": "viewer-test-app"})
    if protocol == "http":
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        base = endpoints.otlp_http
        span_exporter = OTLPSpanExporter(endpoint=f"{base}/v1/traces", headers=headers)
        log_exporter = OTLPLogExporter(endpoint=f"{base}/v1/logs", headers=headers)
        metric_exporter = OTLPMetricExporter(endpoint=f"{base}/v1/metrics", headers=headers)
    else:
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GLogs
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GMetrics
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GSpans

        grpc_headers = tuple(headers.items()) if headers else None
        span_exporter = GSpans(endpoint=endpoints.otlp_grpc, insecure=True, headers=grpc_headers)
        log_exporter = GLogs(endpoint=endpoints.otlp_grpc, insecure=True, headers=grpc_headers)
        metric_exporter = GMetrics(endpoint=endpoints.otlp_grpc, insecure=True, headers=grpc_headers)
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
    reader = PeriodicExportingMetricReader(metric_exporter, export_interval_millis=3_600_000)
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    return Pipeline(tracer_provider, logger_provider, meter_provider)


def trace_hex(span: Any) -> str:
    return format(span.get_span_context().trace_id, "032x")


def emit_latest_conversation(
    pipeline: Pipeline, prompt: str = HTML_PROMPT, conversation_id: str | None = "conv-weather-1"
) -> str:
    """A tool-using chat in the latest conventions: content as JSON strings on the span,
    plus a second call whose content travels only on the details log event. Returns the trace id."""
    tracer = pipeline.tracer_provider.get_tracer("viewer-tests")
    logger = pipeline.logger_provider.get_logger("viewer-tests")
    meter = pipeline.meter_provider.get_meter("viewer-tests")
    duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s")
    token_usage = meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
    with tracer.start_as_current_span("weather agent turn", kind=SpanKind.INTERNAL) as root:
        with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as chat:
            attributes: dict[str, Any] = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
                "gen_ai.response.id": "chatcmpl-123",
                "gen_ai.response.finish_reasons": ["stop"],
                "gen_ai.response.time_to_first_chunk": 0.25,
                "gen_ai.request.stream": True,
                "gen_ai.usage.input_tokens": 1200,
                "gen_ai.usage.output_tokens": 80,
                "gen_ai.usage.cache_read.input_tokens": 1024,
                "gen_ai.usage.reasoning.output_tokens": 16,
                "server.address": "api.openai.com",
                "server.port": 443,
                "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "You are a weather assistant."}]),
                "gen_ai.input.messages": json.dumps(
                    [
                        {"role": "user", "parts": [{"type": "text", "content": prompt}]},
                        {
                            "role": "assistant",
                            "parts": [
                                {
                                    "type": "tool_call",
                                    "id": "call_1",
                                    "name": "get_weather",
                                    "arguments": {"location": "Paris"},
                                }
                            ],
                        },
                        {
                            "role": "tool",
                            "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"}],
                        },
                    ]
                ),  # fmt: skip
                "gen_ai.output.messages": json.dumps(
                    [
                        {
                            "role": "assistant",
                            "parts": [{"type": "text", "content": "It's rainy, 57°F in Paris."}],
                            "finish_reason": "stop",
                        }
                    ]
                ),  # fmt: skip
                "gen_ai.tool.definitions": json.dumps([{"type": "function", "name": "get_weather"}]),
            }
            if conversation_id:
                attributes["gen_ai.conversation.id"] = conversation_id
            chat.set_attributes(attributes)
        with tracer.start_as_current_span("chat claude-sonnet-4", kind=SpanKind.CLIENT) as second:
            second.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "anthropic",
                    "gen_ai.request.model": "claude-sonnet-4",
                    "gen_ai.usage.input_tokens": 50,
                    "gen_ai.usage.output_tokens": 20,
                }
            )
            logger.emit(
                event_name="gen_ai.client.inference.operation.details",
                attributes={
                    "gen_ai.operation.name": "chat",
                    "gen_ai.input.messages": [
                        {"role": "user", "parts": [{"type": "text", "content": "Summarise: rainy in Paris"}]}
                    ],
                    "gen_ai.output.messages": [
                        {
                            "role": "assistant",
                            "parts": [{"type": "text", "content": "Paris: rain."}],
                            "finish_reason": "stop",
                        }
                    ],
                },  # fmt: skip
            )
        with tracer.start_as_current_span("execute_tool get_weather", kind=SpanKind.INTERNAL) as tool:
            tool.set_attributes(
                {
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": "get_weather",
                    "gen_ai.tool.type": "function",
                    "gen_ai.tool.call.id": "call_1",
                    "gen_ai.tool.call.arguments": json.dumps({"location": "Paris"}),
                    "gen_ai.tool.call.result": json.dumps({"forecast": "drizzle until noon"}),
                }
            )
    common = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini"}
    duration.record(0.8, common)
    duration.record(1.6, common)
    token_usage.record(1200, {**common, "gen_ai.token.type": "input"})
    token_usage.record(80, {**common, "gen_ai.token.type": "output"})
    pipeline.flush()
    return trace_hex(root)


def emit_legacy_conversation(pipeline: Pipeline) -> str:
    """A chat in the older conventions: gen_ai.system and per-message log events."""
    tracer = pipeline.tracer_provider.get_tracer("legacy-instrumentation")
    logger = pipeline.logger_provider.get_logger("legacy-instrumentation")
    with tracer.start_as_current_span("chat gpt-3.5-turbo", kind=SpanKind.CLIENT) as span:
        span.set_attributes(
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.system": "openai",
                "gen_ai.request.model": "gpt-3.5-turbo",
                "gen_ai.usage.prompt_tokens": 30,
                "gen_ai.usage.completion_tokens": 12,
            }
        )
        system = {"gen_ai.system": "openai"}
        logger.emit(event_name="gen_ai.system.message", body={"content": "Be terse."}, attributes=system)
        logger.emit(event_name="gen_ai.user.message", body={"content": "Legacy hello"}, attributes=system)
        logger.emit(
            event_name="gen_ai.assistant.message",
            body={"tool_calls": [{"id": "call_9", "type": "function",
                                  "function": {"name": "lookup", "arguments": '{"q": "x"}'}}]},
            attributes=system,
        )  # fmt: skip
        logger.emit(event_name="gen_ai.tool.message", body={"content": "found x", "id": "call_9"}, attributes=system)
        logger.emit(
            event_name="gen_ai.choice",
            body={"index": 0, "finish_reason": "stop", "message": {"content": "Legacy answer"}},
            attributes=system,
        )
    pipeline.flush()
    return trace_hex(span)


def emit_failed_call(pipeline: Pipeline, model: str = "gpt-4o") -> str:
    """A model call that failed with a timeout."""
    tracer = pipeline.tracer_provider.get_tracer("viewer-tests")
    with tracer.start_as_current_span(f"chat {model}", kind=SpanKind.CLIENT, record_exception=False) as span:
        span.set_attributes(
            {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": model,
             "error.type": "TimeoutError"}
        )  # fmt: skip
        span.record_exception(TimeoutError("the model took too long"))
        span.set_status(Status(StatusCode.ERROR, "the model took too long"))
    pipeline.flush()
    return trace_hex(span)


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until ``predicate`` returns something truthy (exports are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def kv(key: str, value: Any) -> Any:
    """An OTLP KeyValue protobuf message for a Python scalar."""
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


def trace_request(
    count: int,
    start_ns: int,
    *,
    model: str = "gpt-4o-mini",
    provider: str = "openai",
    error: bool = False,
    text: str = "hello",
    conversation_id: str | None = None,
    step_ns: int = 1_000_000,
    padding: int = 0,
    input_tokens: int = 10,
) -> tuple[Any, list[str]]:
    """An ExportTraceServiceRequest of ``count`` two-span traces (root + chat), and their ids.

    Trace ``i`` starts at ``start_ns + i * step_ns``; ``padding`` adds that many bytes of
    captured content per chat span (to grow the store).
    """
    import os

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.append(kv("service.name", "store-test"))
    scope_spans = resource_spans.scope_spans.add()
    ids = []
    for i in range(count):
        trace_id, root_id = os.urandom(16), os.urandom(8)
        begin = start_ns + i * step_ns
        scope_spans.spans.add(
            trace_id=trace_id, span_id=root_id, name="handle", kind=2,
            start_time_unix_nano=begin, end_time_unix_nano=begin + 900_000,
        )  # fmt: skip
        chat = scope_spans.spans.add(
            trace_id=trace_id, span_id=os.urandom(8), parent_span_id=root_id, name=f"chat {model}", kind=3,
            start_time_unix_nano=begin + 1_000, end_time_unix_nano=begin + 800_000,
        )  # fmt: skip
        messages = [{"role": "user", "parts": [{"type": "text", "content": f"{text} {'x' * padding}"}]}]
        attributes = {
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": provider, "gen_ai.request.model": model,
            "gen_ai.usage.input_tokens": input_tokens, "gen_ai.usage.output_tokens": 5,
            "gen_ai.input.messages": json.dumps(messages),
        }  # fmt: skip
        if error:
            attributes["error.type"] = "500"
            chat.status.code = 2
        if conversation_id:
            attributes["gen_ai.conversation.id"] = conversation_id
        chat.attributes.extend(kv(k, v) for k, v in attributes.items())
        ids.append(trace_id.hex())
    return request, ids


def query_rows(store: Any, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
    """All rows of one query on a store of either engine (``?`` placeholders)."""
    with store.reading() as reader:
        return list(reader.execute(sql, parameters).fetchall())


def search_all_pages(store: Any, text: str, page_size: int) -> list[str]:
    """The trace ids a text search lists, following the page's "Older" cursor to the end."""
    from otel_genai.viewer.queries import TraceFilter

    seen: list[str] = []
    cursor = None
    while True:
        page = store.list_traces(TraceFilter(text=text, limit=page_size, before=cursor))
        seen += [t["trace_id"] for t in page["traces"]]
        cursor = page["next"]
        if cursor is None:
            return seen
