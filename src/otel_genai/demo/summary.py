"""The few plain lines that end the demo: what the telemetry above says, and what to try next.

A single call (the poem apps) gets its span, tokens, content and metrics; a run of several
spans (the agent app) gets its span tree, and the tokens of all its model calls.
"""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.demo.console_output import ConsoleOutput
from otel_genai.demo.providers import OPENAI, DemoProvider
from otel_genai.demo.span_tree import duration_text, span_tree_lines

# The spans of a run that are not model calls: the agents and their tools.
_NOT_MODEL_CALLS = (semconv.OP_INVOKE_AGENT, semconv.OP_EXECUTE_TOOL)
_CONTENT = ((semconv.INPUT_MESSAGES, "the prompt"), (semconv.OUTPUT_MESSAGES, "the answer"))


def _span_line(span: dict[str, Any]) -> str:
    attributes = span.get("attributes") or {}
    line = f'"{span.get("name")}", {duration_text(span)}'
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


def _metric_names(output: ConsoleOutput) -> str:
    names = sorted(
        {
            metric.get("name", "?")
            for document in output.metrics
            for resource in document.data.get("resource_metrics") or []
            for scope in resource.get("scope_metrics") or []
            for metric in scope.get("metrics") or []
        }
    )
    return ", ".join(names) or "none printed"


def summary_lines(output: ConsoleOutput, provider: DemoProvider = OPENAI) -> list[str]:
    """Span name and duration (or the run's span tree), tokens, the event with the content,
    the metrics and the next command."""
    if not output.spans:
        return [f"Summary: no span was printed (is the {provider.instrumentation} instrumentation installed?)"]
    if len(output.spans) > 1:
        return _run_summary(output, provider)
    span = output.spans[-1].data
    lines = [
        "Summary",
        f"  span:     {_span_line(span)}",
        f"  tokens:   {_tokens_line(span)}",
        f"  content:  {_content_line(output)}",
        f"  metrics:  {_metric_names(output)}",
    ]
    if not (span.get("attributes") or {}).get(semconv.ERROR_TYPE):
        lines.append(f"  next:     {provider.command} --ui   (the same call, in the local trace viewer)")
    return lines


def _run_summary(output: ConsoleOutput, provider: DemoProvider) -> list[str]:
    spans = [document.data for document in output.spans]
    traces = {(span.get("context") or {}).get("trace_id") for span in spans}
    calls = [
        span.get("attributes") or {}
        for span in spans
        if (span.get("attributes") or {}).get(semconv.OPERATION_NAME) not in _NOT_MODEL_CALLS
    ]
    input_tokens = sum(call.get(semconv.USAGE_INPUT_TOKENS) or 0 for call in calls)
    output_tokens = sum(call.get(semconv.USAGE_OUTPUT_TOKENS) or 0 for call in calls)
    in_traces = "one trace" if len(traces) == 1 else f"{len(traces)} traces"
    model_calls = "one model call" if len(calls) == 1 else f"{len(calls)} model calls"
    lines = [
        "Summary",
        f"  spans:    {len(spans)}, in {in_traces}",
        *(f"    {line}" for line in span_tree_lines(spans)),
        f"  tokens:   {input_tokens} input, {output_tokens} output, over {model_calls}",
        f"  content:  {_content_line(output)}",
        f"  metrics:  {_metric_names(output)}",
    ]
    if not any((span.get("attributes") or {}).get(semconv.ERROR_TYPE) for span in spans):
        lines.append(f"  next:     {provider.command} --ui   (the same run, in the local trace viewer)")
    return lines
