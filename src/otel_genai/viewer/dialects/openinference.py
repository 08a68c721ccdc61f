"""OpenInference (Arize Phoenix's instrumentations): ``llm.*`` attributes and a span kind.

``openinference.span.kind`` says what a span is (LLM, TOOL, AGENT, EMBEDDING, RETRIEVER,
CHAIN...); messages are flattened into ``llm.input_messages.N.message.*`` and
``llm.output_messages.N.message.*``; tokens are ``llm.token_count.*``; the model is
``llm.model_name`` (the one that answered) and ``llm.invocation_parameters`` holds the request's
parameters as JSON; ``session.id`` groups a conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.viewer.conversation import normalize_tool_definitions, parse_json_value, text_part, tool_call_parts
from otel_genai.viewer.dialects.flattened import indexed, path, texts_under, unflatten
from otel_genai.viewer.dialects.record import CallRecord, CallSummary, Message, Part, ToolExecution
from otel_genai.viewer.dialects.values import as_int, as_text, string_list

NAME = "OpenInference"
SOURCE = "llm.input_messages/llm.output_messages attributes"
SPAN_KIND = "openinference.span.kind"
MARKERS = frozenset({SPAN_KIND, "llm.model_name", "llm.input_messages.0.message.role"})

# OpenInference span kinds and the conventions' operation names.
OPERATIONS = {
    "LLM": "chat",
    "TOOL": "execute_tool",
    "AGENT": "invoke_agent",
    "EMBEDDING": "embeddings",
    "RETRIEVER": "retrieval",
}
# llm.provider / llm.system values whose conventions' name differs.
_PROVIDERS = {
    "azure": "azure.ai.openai",
    "google": "gcp.gen_ai",
    "vertexai": "gcp.vertex_ai",
    "aws": "aws.bedrock",
    "mistralai": "mistral_ai",
    "xai": "x_ai",
}
_MESSAGE_PREFIXES = ("llm.input_messages.", "llm.output_messages.")


def speaks(attributes: Mapping[str, Any]) -> bool:
    return not MARKERS.isdisjoint(attributes)


def _invocation_parameters(attributes: Mapping[str, Any]) -> dict[str, Any]:
    value = parse_json_value(attributes.get("llm.invocation_parameters"))
    return value if isinstance(value, dict) else {}


def summary(attributes: Mapping[str, Any]) -> CallSummary:
    kind = str(attributes.get(SPAN_KIND) or "").upper()
    provider = as_text(attributes.get("llm.provider") or attributes.get("llm.system"))
    model = attributes.get("llm.model_name") or attributes.get("embedding.model_name")
    return CallSummary(
        operation=OPERATIONS.get(kind),
        provider=_PROVIDERS.get(provider, provider) if provider else None,
        model=as_text(model or _invocation_parameters(attributes).get("model")),
        input_tokens=as_int(attributes.get("llm.token_count.prompt")),
        output_tokens=as_int(attributes.get("llm.token_count.completion")),
        cache_read_tokens=as_int(attributes.get("llm.token_count.prompt_details.cache_read")),
        cache_write_tokens=as_int(attributes.get("llm.token_count.prompt_details.cache_write")),
        reasoning_tokens=as_int(attributes.get("llm.token_count.completion_details.reasoning")),
        conversation_id=as_text(attributes.get("session.id")),
    )


def search_text(attributes: Mapping[str, Any]) -> str:
    found = texts_under(attributes, _MESSAGE_PREFIXES, (".content", ".text", ".arguments"))
    found += texts_under(attributes, ("embedding.embeddings.", "retrieval.documents."), (".text", ".content"))
    if str(attributes.get(SPAN_KIND)).upper() != "LLM":
        # Other kinds carry their input and output only as input.value / output.value.
        found += [v for v in (attributes.get("input.value"), attributes.get("output.value")) if isinstance(v, str)]
    return "\n".join(found)


def _parts(message: Any) -> list[Part]:
    parts: list[Part] = []
    content = path(message, "content")
    if content not in (None, ""):
        parts.append(text_part(content))
    for item in indexed(path(message, "contents")):
        kind = path(item, "message_content", "type")
        if kind == "image":
            url = path(item, "message_content", "image", "image", "url")
            parts.append({"type": "uri", "modality": "image", "uri": url})
        elif path(item, "message_content", "text") is not None:
            parts.append(text_part(path(item, "message_content", "text")))
    calls = [
        {"id": path(call, "tool_call", "id"), "function": path(call, "tool_call", "function") or {}}
        for call in indexed(path(message, "tool_calls"))
    ]
    parts += tool_call_parts(calls)
    return parts


def _messages(attributes: Mapping[str, Any], prefix: str, default_role: str) -> list[Message]:
    messages: list[Message] = []
    for item in indexed(unflatten(attributes, prefix)):
        message = path(item, "message")
        role = str(path(message, "role") or default_role)
        call_id = path(message, "tool_call_id")
        if role == "tool" and call_id:
            response = parse_json_value(path(message, "content"))
            messages.append({"role": role, "parts": [{"type": "tool_call_response", "id": call_id,
                                                      "response": response}]})  # fmt: skip
            continue
        shaped: Message = {"role": role, "parts": _parts(message)}
        if path(message, "name"):
            shaped["name"] = str(path(message, "name"))
        messages.append(shaped)
    return messages


def _value_message(attributes: Mapping[str, Any], name: str, role: str) -> list[Message]:
    value = attributes.get(name)
    return [{"role": role, "parts": [text_part(value)]}] if value not in (None, "") else []


def _tool_definitions(attributes: Mapping[str, Any]) -> list[dict[str, Any]]:
    definitions = []
    for tool in indexed(unflatten(attributes, "llm.tools.")):
        schema = parse_json_value(path(tool, "tool", "json_schema"))
        if isinstance(schema, dict) and isinstance(schema.get("function"), dict):
            definitions.append({"type": schema.get("type", "function"), **schema["function"]})
        elif isinstance(schema, dict):
            definitions.append(schema)
    return normalize_tool_definitions(definitions)


def _tool_execution(attributes: Mapping[str, Any]) -> ToolExecution:
    return ToolExecution(
        name=attributes.get("tool.name"),
        type=None,
        call_id=attributes.get("tool_call.id"),
        arguments=parse_json_value(attributes.get("input.value")),
        result=parse_json_value(attributes.get("output.value")),
    )


def _finish_reasons(attributes: Mapping[str, Any]) -> list[str]:
    reasons = string_list(attributes.get("llm.finish_reason"))
    if reasons:
        return reasons
    # The raw response, when the producer recorded it, has them per choice.
    output = parse_json_value(attributes.get("output.value"))
    choices = output.get("choices") if isinstance(output, dict) else None
    if isinstance(choices, list):
        return [str(c["finish_reason"]) for c in choices if isinstance(c, dict) and c.get("finish_reason")]
    return []


def read(attributes: Mapping[str, Any]) -> CallRecord:
    kind = str(attributes.get(SPAN_KIND) or "").upper()
    record = CallRecord(
        dialect=f"{NAME} ({kind})" if kind else NAME,
        summary=summary(attributes),
        request_model=_invocation_parameters(attributes).get("model"),
        response_model=attributes.get("llm.model_name"),
        finish_reasons=_finish_reasons(attributes),
    )
    conversation = record.conversation
    conversation.input_messages = _messages(attributes, "llm.input_messages.", "user")
    conversation.output_messages = _messages(attributes, "llm.output_messages.", "assistant")
    conversation.tool_definitions = _tool_definitions(attributes)
    if conversation.input_messages or conversation.output_messages:
        conversation.add_source(SOURCE)
    elif kind == "TOOL":
        record.tool = _tool_execution(attributes)
    elif kind != "LLM":
        # Agents, chains, retrievers and embedders carry their input and output as values.
        conversation.input_messages = _value_message(attributes, "input.value", "user")
        conversation.output_messages = _value_message(attributes, "output.value", "assistant")
        if conversation.input_messages or conversation.output_messages:
            conversation.add_source("input.value/output.value attributes")
    return record
