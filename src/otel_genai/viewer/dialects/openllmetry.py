"""OpenLLMetry before its move to the latest conventions: content flattened into attribute names.

``gen_ai.prompt.N.role`` / ``.content`` / ``.tool_calls.M.{id,name,arguments}`` /
``.tool_call_id``, ``gen_ai.completion.N.*`` with ``.finish_reason``,
``llm.request.functions.N.*`` for the tools offered, ``llm.request.type`` for the operation,
``llm.usage.*`` and OpenLLMetry's own ``gen_ai.usage.cache_*_input_tokens`` for tokens. The
oldest releases said ``llm.prompts`` / ``llm.completions`` and ``llm.vendor``. Everything the
span also says in the conventions' names (``gen_ai.system``, ``gen_ai.request.model``...) is
read as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.viewer.conversation import normalize_messages, normalize_tool_definitions, parse_json_value
from otel_genai.viewer.dialects import semconv
from otel_genai.viewer.dialects.flattened import indexed, texts_under, unflatten
from otel_genai.viewer.dialects.record import CallRecord, CallSummary, Message
from otel_genai.viewer.dialects.values import as_int, as_text

NAME = "OpenLLMetry (flat gen_ai.prompt/completion attributes)"
SOURCE = "gen_ai.prompt/gen_ai.completion attributes"

_PROMPT_PREFIXES = ("gen_ai.prompt.", "llm.prompts.")
_COMPLETION_PREFIXES = ("gen_ai.completion.", "llm.completions.")
MARKERS = frozenset({
    "llm.request.type", "llm.usage.total_tokens", "gen_ai.prompt.0.role", "gen_ai.prompt.0.content",
    "gen_ai.completion.0.role", "gen_ai.completion.0.content", "gen_ai.completion.0.finish_reason",
    "llm.prompts.0.content", "llm.completions.0.content",
})  # fmt: skip
# llm.request.type values and the conventions' operation names.
_OPERATIONS = {"chat": "chat", "completion": "text_completion", "embedding": "embeddings"}


def speaks(attributes: Mapping[str, Any]) -> bool:
    return not MARKERS.isdisjoint(attributes)


def summary(attributes: Mapping[str, Any]) -> CallSummary:
    base = semconv.summary(attributes)
    provider = base.provider or as_text(attributes.get("llm.vendor"))
    request_type = attributes.get("llm.request.type")
    return base._replace(
        operation=base.operation or _OPERATIONS.get(str(request_type), as_text(request_type)),
        # "OpenAI" in these releases; the conventions' provider names are lower case.
        provider=provider.lower() if provider else None,
        model=base.model or as_text(attributes.get("llm.request.model") or attributes.get("llm.response.model")),
        input_tokens=_first_int(base.input_tokens, attributes.get("llm.usage.prompt_tokens")),
        output_tokens=_first_int(base.output_tokens, attributes.get("llm.usage.completion_tokens")),
        cache_read_tokens=_first_int(base.cache_read_tokens, attributes.get("gen_ai.usage.cache_read_input_tokens")),
        cache_write_tokens=_first_int(
            base.cache_write_tokens, attributes.get("gen_ai.usage.cache_creation_input_tokens")
        ),
        reasoning_tokens=_first_int(base.reasoning_tokens, attributes.get("gen_ai.usage.reasoning_tokens")),
    )


def _first_int(known: int | None, fallback: Any) -> int | None:
    return known if known is not None else as_int(fallback)


def search_text(attributes: Mapping[str, Any]) -> str:
    found = texts_under(attributes, _PROMPT_PREFIXES + _COMPLETION_PREFIXES, (".content", ".arguments"))
    return "\n".join(filter(None, (semconv.search_text(attributes), *found)))


def _messages(attributes: Mapping[str, Any], prefixes: tuple[str, ...], *, output: bool) -> list[Message]:
    for prefix in prefixes:
        flat = indexed(unflatten(attributes, prefix))
        if flat:
            shaped = []
            for item in flat:
                if not isinstance(item, dict):
                    continue
                message = dict(item)
                calls = [dict(call) for call in indexed(item.get("tool_calls"))]
                if isinstance(item.get("function_call"), dict):
                    calls.append(dict(item["function_call"]))
                message["tool_calls"] = calls
                shaped.append(message)
            return normalize_messages(shaped, output=output)
    return []


def read(attributes: Mapping[str, Any]) -> CallRecord:
    record = semconv.read(attributes)
    record.dialect = NAME
    record.summary = summary(attributes)
    record.request_model = record.request_model or attributes.get("llm.request.model")
    record.response_model = record.response_model or attributes.get("llm.response.model")
    conversation = record.conversation
    if not conversation.input_messages and not conversation.output_messages:
        conversation.input_messages = _messages(attributes, _PROMPT_PREFIXES, output=False)
        conversation.output_messages = _messages(attributes, _COMPLETION_PREFIXES, output=True)
        if conversation.input_messages or conversation.output_messages:
            conversation.add_source(SOURCE)
    if not conversation.tool_definitions:
        functions = [dict(f) for f in indexed(unflatten(attributes, "llm.request.functions.")) if isinstance(f, dict)]
        for function in functions:
            if "parameters" in function:
                function["parameters"] = parse_json_value(function["parameters"])
        conversation.tool_definitions = normalize_tool_definitions(functions)
    if not record.finish_reasons:
        record.finish_reasons = [m["finish_reason"] for m in conversation.output_messages if m.get("finish_reason")]
    return record
