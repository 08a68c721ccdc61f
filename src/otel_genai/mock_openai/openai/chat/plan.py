"""Chat Completions: decide what each choice of a completion says or calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.generation.replies import (
    FILLER_WORDS,
    answer_for,
    requested_json_output,
    structured_answer,
    tool_results_answer,
)
from otel_genai.mock_openai.generation.tokens import TextReply, count_tokens, shape_reply
from otel_genai.mock_openai.generation.tool_calls import ToolCall, definition_tokens
from otel_genai.mock_openai.openai.azure import AZURE
from otel_genai.mock_openai.openai.conversation import Conversation
from otel_genai.mock_openai.openai.identifiers import chat_completion_id, system_fingerprint
from otel_genai.mock_openai.openai.model_catalogue import is_reasoning_model, snapshot_of
from otel_genai.mock_openai.openai.params import (
    choice_count,
    optional_int,
    service_tier,
    stop_sequences,
    wants_stream_usage,
)
from otel_genai.mock_openai.openai.tools import chat_function_tools, openai_tool_calls
from otel_genai.mock_openai.openai.usage import REASONING_TOKENS_PER_OUTPUT_TOKEN, cached_tokens
from otel_genai.mock_openai.pipeline.context import RequestContext


@dataclass(frozen=True)
class ChatChoice:
    """One choice: either a text reply or tool calls."""

    index: int
    reply: TextReply | None
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def finish_reason(self) -> str:
        """Why generation stopped."""
        if self.tool_calls or self.reply is None:
            return "tool_calls"
        return self.reply.finish_reason

    @property
    def output_tokens(self) -> int:
        """Tokens this choice generated."""
        if self.reply is not None:
            return len(self.reply.tokens)
        return sum(count_tokens(call.name) + count_tokens(call.arguments) for call in self.tool_calls)


@dataclass(frozen=True)
class ChatPlan:
    """Everything needed to render the completion, streamed or not."""

    completion_id: str
    created: int
    model: str
    fingerprint: str
    service_tier: str
    choices: tuple[ChatChoice, ...]
    prompt_tokens: int
    reasoning: bool
    azure: bool
    stream_usage: bool

    def usage(self) -> dict[str, Any]:
        """The ``usage`` object, with the detail objects current models report."""
        visible = sum(choice.output_tokens for choice in self.choices)
        reasoning = visible * REASONING_TOKENS_PER_OUTPUT_TOKEN if self.reasoning else 0
        completion = visible + reasoning
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": cached_tokens(self.prompt_tokens), "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": reasoning,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }


def plan_chat(body: Mapping[str, Any], ctx: RequestContext, model: str, conversation: Conversation) -> ChatPlan:
    """Decide every choice of the completion."""
    tools = chat_function_tools(body.get("tools"))
    # A forced reply is text by definition.
    may_call = bool(tools) and ctx.forced_reply is None
    parallel = body.get("parallel_tool_calls") is not False
    choices: list[ChatChoice] = []
    answered = conversation.answered_tools
    for index in range(choice_count(body)):
        calls = openai_tool_calls(tools, body.get("tool_choice"), parallel, answered) if may_call else []
        if calls:
            choices.append(ChatChoice(index, None, tuple(calls)))
        else:
            choices.append(ChatChoice(index, _text_reply(body, ctx, conversation, index)))
    return ChatPlan(
        completion_id=chat_completion_id(),
        created=ctx.now,
        model=snapshot_of(model),
        fingerprint=system_fingerprint(),
        service_tier=service_tier(body),
        choices=tuple(choices),
        prompt_tokens=conversation.prompt_tokens + definition_tokens(body.get("tools")),
        reasoning=is_reasoning_model(model),
        azure=ctx.platform == AZURE,
        stream_usage=wants_stream_usage(body),
    )


def _text_reply(body: Mapping[str, Any], ctx: RequestContext, conversation: Conversation, variant: int) -> TextReply:
    structured, schema = requested_json_output(body.get("response_format"))
    if ctx.forced_reply is not None:
        text = ctx.forced_reply
    elif structured:
        text = structured_answer(conversation.last_user_text, schema)
    elif conversation.ends_with_tool_output:
        text = tool_results_answer(conversation.tool_results, variant)
    else:
        text = answer_for(conversation.last_user_text, variant)
    limit = optional_int(body, "max_completion_tokens")
    if limit is None:
        limit = optional_int(body, "max_tokens")
    return shape_reply(
        text,
        max_tokens=limit,
        stop=stop_sequences(body),
        # Padding JSON with filler words would make it invalid; only plain text is stretched.
        exact_tokens=None if structured else ctx.forced_chunks,
        filler=FILLER_WORDS,
    )
