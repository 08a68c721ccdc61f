"""Decide what a Messages reply holds: thinking, text, tool calls, why it stopped, what it cost."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.anthropic import params
from otel_genai.mock_openai.anthropic.caching import InputUsage, input_usage
from otel_genai.mock_openai.anthropic.identifiers import message_id, thinking_signature, tool_use_id
from otel_genai.mock_openai.anthropic.models import snapshot_of
from otel_genai.mock_openai.anthropic.prompt import Prompt, added_prompt_tokens, read_prompt
from otel_genai.mock_openai.generation.replies import (
    FILLER_WORDS,
    answer_for,
    reasoning_summary,
    structured_answer,
    tool_results_answer,
)
from otel_genai.mock_openai.generation.tokens import TextReply, count_tokens, shape_reply, split_tokens
from otel_genai.mock_openai.generation.tool_calls import FunctionTool, ToolCall, plan_tool_calls
from otel_genai.mock_openai.pipeline.context import RequestContext


@dataclass(frozen=True)
class Block:
    """One content block of the reply: ``thinking``, ``text`` or ``tool_use``."""

    kind: str
    pieces: tuple[str, ...] = ()
    """The text (or the tool input's JSON) as it streams, one piece per delta."""
    signature: str = ""
    call: ToolCall | None = None

    @property
    def text(self) -> str:
        """The whole text (or JSON input)."""
        return "".join(self.pieces)

    def body(self) -> dict[str, Any]:
        """The block as the non-streamed message shows it."""
        if self.kind == "thinking":
            return {"type": "thinking", "thinking": self.text, "signature": self.signature}
        if self.call is not None:
            return {"type": "tool_use", "id": self.call.call_id, "name": self.call.name, "input": json.loads(self.text)}
        return {"type": "text", "text": self.text}


@dataclass(frozen=True)
class MessagePlan:
    """Everything needed to render the message, streamed or not."""

    message_id: str
    model: str
    blocks: tuple[Block, ...]
    stop_reason: str
    stop_sequence: str | None
    input: InputUsage
    output_tokens: int

    def usage(self) -> dict[str, Any]:
        """The ``usage`` object."""
        return {**self.input.fields(), "output_tokens": self.output_tokens, "service_tier": "standard"}


def plan_message(body: Mapping[str, Any], ctx: RequestContext, model: str) -> MessagePlan:
    """Check the request and decide the whole reply."""
    limit = params.max_tokens(body)
    offered = params.tools(body)
    choice = params.tool_choice(body)
    budget = params.thinking_budget(body, limit)
    structured, schema = params.output_schema(body)
    added = added_prompt_tokens(
        tools=bool(offered),
        forced_tool=choice.kind in ("any", "tool"),
        thinking=budget is not None,
        structured=structured,
    )
    prompt = read_prompt(offered, params.system_prompt(body), params.messages(body), added_tokens=added)
    stops = params.stop_sequences(body)
    blocks: list[Block] = []
    if budget is not None:
        blocks.append(_thinking_block(prompt, budget))
    room = limit - sum(len(block.pieces) for block in blocks)
    calls = _tool_calls(offered, choice, ctx, prompt)
    if calls:
        if choice.kind == "auto":
            blocks.append(Block("text", tuple(split_tokens(_preamble(calls)))))
        blocks.extend(Block("tool_use", tuple(_json_pieces(call.arguments)), call=call) for call in calls)
        stop_reason, stop_sequence = "tool_use", None
    else:
        reply = _text_reply(ctx, prompt, room, stops, structured, schema)
        blocks.append(Block("text", reply.tokens))
        stop_sequence = reply.stop_sequence
        if reply.finish_reason == "length":
            stop_reason = "max_tokens"
        else:
            stop_reason = "stop_sequence" if stop_sequence is not None else "end_turn"
    output_tokens = sum(_output_tokens(block) for block in blocks)
    return MessagePlan(
        message_id=message_id(ctx.state.serials),
        model=snapshot_of(model),
        blocks=tuple(blocks),
        stop_reason=stop_reason,
        stop_sequence=stop_sequence,
        input=input_usage(prompt, model, ctx.state.prompt_cache),
        output_tokens=output_tokens,
    )


def _thinking_block(prompt: Prompt, budget: int) -> Block:
    thinking = reasoning_summary(prompt.last_user_text).replace("**", "")
    pieces = tuple(split_tokens(thinking)[:budget])
    return Block("thinking", pieces, signature=thinking_signature("".join(pieces)))


def _tool_calls(offered: list[Any], choice: params.ToolChoice, ctx: RequestContext, prompt: Prompt) -> list[ToolCall]:
    # A forced reply is text by definition; tool results call for an answer, not more calls
    # (as Claude did in the recordings, which the mock's Messages replies are checked against).
    if choice.kind == "none" or ctx.forced_reply is not None or prompt.ends_with_tool_results:
        return []
    custom = [
        FunctionTool(str(tool["name"]), tool.get("input_schema"))
        for tool in offered
        # Server tools (web search, code execution...) carry a dated "type"; custom tools none, or "custom".
        if isinstance(tool, Mapping) and tool.get("type", "custom") == "custom" and tool.get("name")
    ]
    return plan_tool_calls(
        custom,
        named=choice.name if choice.kind == "tool" else None,
        parallel=choice.parallel,
        new_id=lambda: tool_use_id(ctx.state.serials),
    )


def _preamble(calls: list[ToolCall]) -> str:
    names = " and ".join(call.name for call in calls)
    return f"I'll use {names} to answer that."


def _json_pieces(arguments: str) -> list[str]:
    # The first input_json_delta of a tool_use block is empty, as the real stream's is.
    return ["", *split_tokens(arguments)]


def _output_tokens(block: Block) -> int:
    if block.call is not None:
        return count_tokens(block.call.name) + count_tokens(block.call.arguments)
    return len(block.pieces)


def _text_reply(
    ctx: RequestContext,
    prompt: Prompt,
    room: int,
    stops: tuple[str, ...],
    structured: bool,
    schema: Mapping[str, Any] | None,
) -> TextReply:
    if ctx.forced_reply is not None:
        text = ctx.forced_reply
    elif structured:
        text = structured_answer(prompt.last_user_text, schema)
    elif prompt.ends_with_tool_results:
        text = tool_results_answer(prompt.tool_results)
    else:
        text = answer_for(prompt.last_user_text)
    return shape_reply(
        text,
        max_tokens=max(room, 0),
        stop=stops,
        # Padding JSON with filler words would make it invalid; only plain text is stretched.
        exact_tokens=None if structured else ctx.forced_chunks,
        filler=FILLER_WORDS,
    )
