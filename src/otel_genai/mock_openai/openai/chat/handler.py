"""``POST /v1/chat/completions``: the handler, and the non-streamed ``chat.completion`` object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.mock_openai.openai.azure import content_filter_results, prompt_filter_results
from otel_genai.mock_openai.openai.chat.plan import ChatChoice, ChatPlan, plan_chat
from otel_genai.mock_openai.openai.chat.stream import chat_stream_events
from otel_genai.mock_openai.openai.conversation import from_chat_messages
from otel_genai.mock_openai.openai.params import require_list, resolve_model, wants_stream
from otel_genai.mock_openai.pipeline.context import RequestContext
from otel_genai.mock_openai.pipeline.wire import JSONReply, Reply, StreamReply


def create_chat_completion(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """Handle one Chat Completions request."""
    model = resolve_model(body, ctx)
    conversation = from_chat_messages(require_list(body, "messages"))
    plan = plan_chat(body, ctx, model, conversation)
    if wants_stream(body):
        return StreamReply(chat_stream_events(plan, stream_error=ctx.scenario.stream_error))
    return JSONReply(chat_completion_body(plan))


def chat_completion_body(plan: ChatPlan) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` object."""
    body: dict[str, Any] = {
        "id": plan.completion_id,
        "object": "chat.completion",
        "created": plan.created,
        "model": plan.model,
        "choices": [_choice_body(choice, plan.azure) for choice in plan.choices],
        "usage": plan.usage(),
        "service_tier": plan.service_tier,
        "system_fingerprint": plan.fingerprint,
    }
    if plan.azure:
        body["prompt_filter_results"] = prompt_filter_results()
    return body


def _choice_body(choice: ChatChoice, azure: bool) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": choice.reply.text if choice.reply is not None else None,
        "refusal": None,
        "annotations": [],
    }
    if choice.tool_calls:
        message["tool_calls"] = [
            {"id": call.call_id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
            for call in choice.tool_calls
        ]
    body: dict[str, Any] = {
        "index": choice.index,
        "message": message,
        "logprobs": None,
        "finish_reason": choice.finish_reason,
    }
    if azure:
        body["content_filter_results"] = content_filter_results()
    return body
