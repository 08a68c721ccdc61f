"""Run one third-party OpenAI instrumentation against the local endpoint, exporting OTLP.

Run by the viewer's dialect tests with the interpreter of a producer venv (`make dialects-venv`),
one process per producer: the instrumentations patch the same client and must not meet.

    python run_producer.py PRODUCER OPENAI_BASE_URL OTLP_HTTP_ENDPOINT

Four calls, each under its own root span named ``<producer> <step>``: a plain chat with a
system message, a streamed tool call, the turn that sends the tool's result back, and a
call to a model the endpoint does not know (a 404).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
SYSTEM = "You are a terse weather assistant."


def _instrument(producer: str, tracer_provider: Any, logger_provider: Any) -> Any:
    """Instrument the client the way each producer's documentation says; returns a session scope."""
    session: Any = _no_session
    if producer == "genai-openai":
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_AND_EVENT"
        from opentelemetry.instrumentation.genai.openai import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=tracer_provider, logger_provider=logger_provider)
    elif producer in ("openllmetry", "openllmetry-0.40"):
        os.environ["TRACELOOP_TRACE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor as OpenLLMetry

        OpenLLMetry().instrument(tracer_provider=tracer_provider)
    elif producer == "openinference":
        from openinference.instrumentation import using_session
        from openinference.instrumentation.openai import OpenAIInstrumentor as OpenInference

        OpenInference().instrument(tracer_provider=tracer_provider)
        session = using_session
    elif producer == "openai-v2-legacy":
        os.environ.pop("OTEL_SEMCONV_STABILITY_OPT_IN", None)
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor as OpenAIV2

        OpenAIV2().instrument(tracer_provider=tracer_provider, logger_provider=logger_provider)
    else:
        raise SystemExit(f"unknown producer {producer!r}")
    return session


@contextmanager
def _no_session(session_id: str) -> Iterator[None]:
    yield


def main(producer: str, base_url: str, otlp: str) -> None:
    from openai import NotFoundError, OpenAI
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    resource = Resource.create({"service.name": f"dialect-{producer}"})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp}/v1/traces")))
    trace.set_tracer_provider(tracer_provider)
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint=f"{otlp}/v1/logs")))
    session = _instrument(producer, tracer_provider, logger_provider)

    tracer = tracer_provider.get_tracer("dialect-producer")
    client = OpenAI(base_url=base_url, api_key="test-key", max_retries=0)
    ask = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Weather in Paris?"}]
    with session(f"session-{producer}"):
        with tracer.start_as_current_span(f"{producer} plain"):
            client.chat.completions.create(model="gpt-4o-mini", messages=ask)
        with tracer.start_as_current_span(f"{producer} tool call"):
            stream = client.chat.completions.create(
                model="gpt-4o-mini", messages=ask, tools=[WEATHER_TOOL], stream=True,
                stream_options={"include_usage": True},
            )  # fmt: skip
            calls: dict[int, dict[str, str]] = {}
            for chunk in stream:
                for choice in chunk.choices:
                    for delta in choice.delta.tool_calls or []:
                        call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                        call["id"] += delta.id or ""
                        call["name"] += (delta.function.name or "") if delta.function else ""
                        call["arguments"] += (delta.function.arguments or "") if delta.function else ""
        call = calls[0]
        with tracer.start_as_current_span(f"{producer} tool result"):
            client.chat.completions.create(
                model="gpt-4o-mini", tools=[WEATHER_TOOL],
                messages=[*ask,
                          {"role": "assistant", "content": None, "tool_calls": [
                              {"id": call["id"], "type": "function",
                               "function": {"name": call["name"], "arguments": call["arguments"]}}]},
                          {"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"forecast": "drizzle"})}],
            )  # fmt: skip
        with tracer.start_as_current_span(f"{producer} missing model"):
            try:
                client.chat.completions.create(model="does-not-exist-model", messages=ask)
            except NotFoundError:
                pass
            else:
                raise SystemExit("the endpoint answered a model it does not know")
    tracer_provider.shutdown()
    logger_provider.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:4])
