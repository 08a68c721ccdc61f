"""The few plain lines that end the demo: what the telemetry above says, and what to try next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from otel_genai import semconv
from otel_genai.demo.console_output import ConsoleOutput
from otel_genai.demo.providers import OPENAI, DemoProvider

NEXT_COMMAND = "otel-genai demo --ui"
_CONTENT = ((semconv.INPUT_MESSAGES, "the prompt"), (semconv.OUTPUT_MESSAGES, "the answer"))


def _seconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def _duration(span: dict[str, Any]) -> str:
    try:
        seconds = _seconds(span["end_time"]) - _seconds(span["start_time"])
    except (KeyError, TypeError, ValueError):
        return "duration unknown"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _span_line(span: dict[str, Any]) -> str:
    attributes = span.get("attributes") or {}
    line = f'"{span.get("name")}", {_duration(span)}'
    error_type = attributes.get(semconv.ERROR_TYPE)
    if error_type:
        line += f", failed with {error_type}"
    return line


def _tokens_line(span: dict[str, Any]) -> str:
    attributes = span.get("attributes") or {}
    tokens_in = attributes.get(semconv.USAGE_INPUT_TOKENS)
    tokens_out = attributes.get(semconv.USAGE_OUTPUT_TOKENS)
    if tokens_in is None and tokens_out is None:
        return "none reported" + (" (the call failed)" if attributes.get(semconv.ERROR_TYPE) else "")
    shown = ["?" if count is None else str(count) for count in (tokens_in, tokens_out)]
    return f"{shown[0]} input, {shown[1]} output"


def _content_line(output: ConsoleOutput) -> str:
    for event in output.events:
        attributes = event.data.get("attributes") or {}
        carried = [what for key, what in _CONTENT if key in attributes]
        if carried:
            return f"{' and '.join(carried)}, in the {event.data.get('event_name') or 'log'} event"
    return f"not captured (set {semconv.ENV_CAPTURE_MESSAGE_CONTENT}=SPAN_AND_EVENT)"


def summary_lines(output: ConsoleOutput, provider: DemoProvider = OPENAI) -> list[str]:
    """Span name and duration, tokens, the event with the content, the metrics and the next command."""
    if not output.spans:
        return [f"Summary: no span was printed (is the {provider.instrumentation} instrumentation installed?)"]
    span = output.spans[-1].data
    metric_names = sorted(
        {
            metric.get("name", "?")
            for document in output.metrics
            for resource in document.data.get("resource_metrics") or []
            for scope in resource.get("scope_metrics") or []
            for metric in scope.get("metrics") or []
        }
    )
    lines = [
        "Summary",
        f"  span:     {_span_line(span)}",
        f"  tokens:   {_tokens_line(span)}",
        f"  content:  {_content_line(output)}",
        f"  metrics:  {', '.join(metric_names) or 'none printed'}",
    ]
    if not (span.get("attributes") or {}).get(semconv.ERROR_TYPE):
        command = NEXT_COMMAND if provider is OPENAI else f"otel-genai demo --provider {provider.name} --ui"
        lines.append(f"  next:     {command}   (the same call, in the local trace viewer)")
    return lines
