"""The Agents SDK's span data -> neutral records: agents, tools, model calls, tool call ids.

Reads the SDK's public span data classes defensively: what the SDK records depends on its
``trace_include_sensitive_data`` setting (the model's response and the tool's input and
output are there only when it is on, the SDK's default).
"""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.agent_records import AgentInvocation, ToolExecution
from otel_genai.core.invocation import Invocation
from otel_genai.instrumentation.fields import field, integer, items, string


def agent_record(data: Any) -> AgentInvocation:
    return AgentInvocation(name=getattr(data, "name", None) or None)


def tool_record(data: Any) -> ToolExecution:
    return ToolExecution(
        name=getattr(data, "name", None) or "tool",
        tool_type=semconv.TOOL_TYPE_FUNCTION,
    )


def _usage_tokens(inv: Invocation, usage: Any) -> None:
    if usage is None:
        return
    inv.input_tokens = integer(field(usage, "input_tokens"))
    inv.output_tokens = integer(field(usage, "output_tokens"))


def response_call(data: Any) -> Invocation:
    """A Responses API call from a ``ResponseSpanData``."""
    response = getattr(data, "response", None)
    # The SDK's response span has no request: the model asked for is unknown, only the one that answered.
    inv = Invocation(operation=semconv.OP_CHAT, provider=semconv.PROVIDER_OPENAI)
    inv.provider_metric_attributes[semconv.OPENAI_API_TYPE] = "responses"
    if response is not None:
        inv.response_id = string(field(response, "id"))
        inv.response_model = string(field(response, "model"))
        _usage_tokens(inv, field(response, "usage"))
    else:
        inv.response_id = string(getattr(data, "_response_id", None))
    if inv.input_tokens is None:
        _usage_tokens(inv, getattr(data, "usage", None))
    return inv


def generation_call(data: Any) -> Invocation:
    """A Chat Completions call from a ``GenerationSpanData``."""
    inv = Invocation(
        operation=semconv.OP_CHAT, provider=semconv.PROVIDER_OPENAI, request_model=string(getattr(data, "model", None))
    )
    inv.provider_metric_attributes[semconv.OPENAI_API_TYPE] = "chat_completions"
    _usage_tokens(inv, getattr(data, "usage", None))
    return inv


def response_tool_calls(data: Any) -> list[tuple[str, str]]:
    """(tool name, call id) of the function calls in a Responses output."""
    response = getattr(data, "response", None)
    calls: list[tuple[str, str]] = []
    for item in items(field(response, "output")):
        if field(item, "type") == "function_call":
            name, call_id = field(item, "name"), field(item, "call_id")
            if name and call_id:
                calls.append((name, call_id))
    return calls


def generation_tool_calls(data: Any) -> list[tuple[str, str]]:
    """(tool name, call id) of the tool calls in a Chat Completions output."""
    calls: list[tuple[str, str]] = []
    for message in items(getattr(data, "output", None)):
        for tool_call in items(field(message, "tool_calls")):
            name, call_id = field(field(tool_call, "function"), "name"), field(tool_call, "id")
            if name and call_id:
                calls.append((name, call_id))
    return calls


def error_of(span: Any) -> tuple[str | None, str | None]:
    """error.type and description from the SDK's span error: its fixed message names the
    kind of failure (``Error running tool``, ``Guardrail tripwire triggered``, ``Max turns exceeded``)."""
    error = getattr(span, "error", None)
    if not error:
        return None, None
    message = field(error, "message") or semconv.ERROR_TYPE_OTHER
    data = field(error, "data")
    detail = field(data, "error") if data is not None else None
    return message, str(detail) if detail else message
