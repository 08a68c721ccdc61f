"""The Agents SDK's span data -> neutral records: agents, tools, model calls, tool call ids.

Reads the SDK's public span data classes defensively: what the SDK records depends on its
``trace_include_sensitive_data`` setting (the model's response and the tool's input and
output are there only when it is on, the SDK's default).
"""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.agent_records import AgentInvocation, ModelTurn, ToolExecution
from otel_genai.core.invocation import Invocation, Message, ToolDefinition
from otel_genai.instrumentation.fields import field, integer, items, server_of, string
from otel_genai.instrumentation.openai import messages, responses, responses_items
from otel_genai.instrumentation.openai.request_params import read_sampling_parameters


def agent_record(data: Any) -> AgentInvocation:
    return AgentInvocation(name=getattr(data, "name", None) or None)


def agent_tools(data: Any) -> list[ToolDefinition] | None:
    """The agent's tools, known once it ran: the SDK keeps their names only."""
    names = [name for name in items(getattr(data, "tools", None)) if isinstance(name, str) and name]
    return [ToolDefinition(semconv.TOOL_TYPE_FUNCTION, name) for name in names] or None


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
    inv = Invocation(operation=semconv.OP_CHAT, provider=semconv.PROVIDER_OPENAI)
    inv.provider_metric_attributes[semconv.OPENAI_API_TYPE] = "responses"
    if response is not None:
        inv.response_id = string(field(response, "id"))
        inv.response_model = string(field(response, "model"))
        # The SDK's response span keeps no request, only the Response, which names the model
        # that answered (often a dated version of the one asked for): the nearest it has.
        inv.request_model = inv.response_model
        _usage_tokens(inv, field(response, "usage"))
    else:
        inv.response_id = string(getattr(data, "_response_id", None))
    if inv.input_tokens is None:
        _usage_tokens(inv, getattr(data, "usage", None))
    return inv


def generation_call(data: Any) -> Invocation:
    """A Chat Completions call from a ``GenerationSpanData``: its model, and the request's
    settings and server from its ``model_config`` (the agent's model settings and client URL)."""
    inv = Invocation(
        operation=semconv.OP_CHAT, provider=semconv.PROVIDER_OPENAI, request_model=string(getattr(data, "model", None))
    )
    inv.provider_metric_attributes[semconv.OPENAI_API_TYPE] = "chat_completions"
    config = getattr(data, "model_config", None)
    if isinstance(config, dict):
        read_sampling_parameters(inv, config)
        inv.reasoning_level = string(field(config.get("reasoning"), "effort"))
        inv.server_address, inv.server_port = server_of(config.get("base_url"))
    _usage_tokens(inv, getattr(data, "usage", None))
    return inv


def response_turn(data: Any) -> ModelTurn:
    """A Responses call's content: its instructions, input items and output (the SDK keeps
    them only with its ``trace_include_sensitive_data``)."""
    response = getattr(data, "response", None)
    model_input = getattr(data, "input", None)
    output = items(field(response, "output"))
    turn = ModelTurn(
        system_instructions=responses_items.instruction_parts(field(response, "instructions")) or None,
        input_messages=responses_items.input_messages(model_input) if model_input else None,
    )
    if output:
        reason = messages.message_finish_reason(responses.finish_reason(response, output))
        turn.output_messages = [Message("assistant", responses_items.output_parts(output), finish_reason=reason)]
    return turn


def generation_turn(data: Any) -> ModelTurn:
    """A Chat Completions call's content: its messages (system ones included, as on the
    client's own spans) and the message it answered."""
    model_input = items(getattr(data, "input", None))
    turn = ModelTurn(input_messages=[messages.input_message(m) for m in model_input] or None)
    answers = []
    for message in items(getattr(data, "output", None)):
        # The SDK keeps the message without its choice's finish reason: a message that calls
        # tools stopped for them, any other stopped.
        reason = "tool_calls" if field(message, "tool_calls") else "stop"
        answers.append(messages.output_message(message, reason))
    turn.output_messages = answers or None
    return turn


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
