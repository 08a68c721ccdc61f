"""``POST /v1/completions``: the legacy ``text_completion`` API, plain and streamed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.generation.replies import FILLER_WORDS, answer_for
from otel_genai.mock_openai.generation.tokens import TextReply, count_tokens, shape_reply
from otel_genai.mock_openai.openai.azure import AZURE, content_filter_results, prompt_filter_results
from otel_genai.mock_openai.openai.errors import invalid_value, mid_stream_error
from otel_genai.mock_openai.openai.identifiers import text_completion_id
from otel_genai.mock_openai.openai.model_catalogue import snapshot_of
from otel_genai.mock_openai.openai.params import (
    choice_count,
    optional_int,
    resolve_model,
    stop_sequences,
    wants_stream,
    wants_stream_usage,
)
from otel_genai.mock_openai.pipeline.context import RequestContext
from otel_genai.mock_openai.pipeline.wire import (
    DONE,
    JSONReply,
    Reply,
    StreamEvent,
    StreamReply,
    broken_off,
    interleave,
)

# The legacy API stops at 16 tokens unless told otherwise, so replies are often cut short.
_DEFAULT_MAX_TOKENS = 16


@dataclass(frozen=True)
class _Prompt:
    text: str
    tokens: int


@dataclass(frozen=True)
class _Choice:
    index: int
    echo: str
    reply: TextReply


def create_completion(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """Handle one legacy Completions request."""
    model = resolve_model(body, ctx)
    prompts = _prompts(body.get("prompt", ""))
    count = choice_count(body)
    limit = optional_int(body, "max_tokens")
    echo = body.get("echo") is True
    choices = [
        _Choice(
            index=position * count + variant,
            echo=prompt.text if echo else "",
            reply=_reply(prompt.text, variant, ctx, limit, stop_sequences(body)),
        )
        for position, prompt in enumerate(prompts)
        for variant in range(count)
    ]
    prompt_tokens = sum(prompt.tokens for prompt in prompts)
    completion_tokens = sum(len(choice.reply.tokens) for choice in choices)
    head = {"id": text_completion_id(), "object": "text_completion", "created": ctx.now, "model": snapshot_of(model)}
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if wants_stream(body):
        stream_usage = usage if wants_stream_usage(body) else None
        return StreamReply(_stream_events(head, choices, stream_usage, ctx.scenario.stream_error))
    body_out: dict[str, Any] = {
        **head,
        "choices": [
            _choice_body(choice.index, choice.echo + choice.reply.text, choice.reply.finish_reason)
            for choice in choices
        ],
        "usage": usage,
    }
    if ctx.platform == AZURE:
        body_out["prompt_filter_results"] = prompt_filter_results(len(prompts))
        for choice in body_out["choices"]:
            choice["content_filter_results"] = content_filter_results()
    return JSONReply(body_out)


def _reply(prompt: str, variant: int, ctx: RequestContext, limit: int | None, stop: tuple[str, ...]) -> TextReply:
    # The instruct models answer on a fresh paragraph after the prompt.
    text = ctx.forced_reply if ctx.forced_reply is not None else "\n\n" + answer_for(prompt, variant)
    max_tokens = _DEFAULT_MAX_TOKENS if limit is None and ctx.forced_chunks is None else limit
    return shape_reply(text, max_tokens=max_tokens, stop=stop, exact_tokens=ctx.forced_chunks, filler=FILLER_WORDS)


def _prompts(value: Any) -> list[_Prompt]:
    """The prompts: a string, strings, one token array, or token arrays."""
    if isinstance(value, str):
        return [_Prompt(value, count_tokens(value))]
    if isinstance(value, list) and value:
        if all(isinstance(item, str) for item in value):
            return [_Prompt(item, count_tokens(item)) for item in value]
        if all(isinstance(item, int) for item in value):
            return [_Prompt("", len(value))]
        if all(isinstance(item, list) for item in value):
            return [_Prompt("", len(item)) for item in value]
    raise invalid_value("prompt", "Invalid 'prompt': expected a string, an array of strings or token arrays.")


def _choice_body(index: int, text: str, finish_reason: str | None) -> dict[str, Any]:
    return {"text": text, "index": index, "logprobs": None, "finish_reason": finish_reason}


def _stream_events(
    head: dict[str, Any], choices: list[_Choice], usage: dict[str, Any] | None, stream_error: bool
) -> list[StreamEvent]:
    def chunk(parts: list[dict[str, Any]], chunk_usage: dict[str, Any] | None = None) -> StreamEvent:
        payload = {**head, "choices": parts}
        if usage is not None:
            payload["usage"] = chunk_usage
        return StreamEvent(payload)

    pieces = interleave([[*([c.echo] if c.echo else []), *c.reply.tokens] for c in choices])
    events = [chunk([_choice_body(choices[position].index, text, None)]) for position, text in pieces]
    if stream_error:
        return broken_off(events, mid_stream_error())
    events.extend(chunk([_choice_body(c.index, "", c.reply.finish_reason)]) for c in choices)
    if usage is not None:
        events.append(chunk([], usage))
    events.append(DONE)
    return events
