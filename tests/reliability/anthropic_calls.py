"""Every instrumented Anthropic client path, as rows of the reliability table (``method_table``):
the same runner, :class:`~application_record.Run` and :class:`~application_record.Outcome` as the
OpenAI rows, with Anthropic's clients and instrumentor."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from application_record import MESSAGES, REPLY, Context, Run
from method_table import ClientKind, Method

from local_http import anthropic_http
from otel_genai.instrumentation.anthropic import AnthropicInstrumentor

anthropic = pytest.importorskip("anthropic")

MODEL = "claude-sonnet-4-5"

ANTHROPIC = ClientKind(
    "anthropic",
    anthropic.__version__,
    lambda **options: anthropic.Anthropic(**options, http_client=anthropic_http()),
    lambda **options: anthropic.AsyncAnthropic(**options, http_client=anthropic_http(asynchronous=True)),
    lambda server: str(server.root_url),  # the client adds /v1 itself
    AnthropicInstrumentor,
)


def message_kwargs(run: Run, **extra: Any) -> dict[str, Any]:
    headers = {**run.headers, "x-mock-reply": REPLY}
    return {"model": MODEL, "max_tokens": 100, "messages": MESSAGES, "extra_headers": headers, **extra}


async def _parsed(raw: Any) -> Any:
    """``raw.parse()``: a coroutine on recent async clients, the value itself on older ones."""
    parsed = raw.parse()
    return await parsed if inspect.isawaitable(parsed) else parsed


# messages.create --------------------------------------------------------------------------


def create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(client.messages.create(**message_kwargs(run)))


async def acreate(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await client.messages.create(**message_kwargs(run)))


def create_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(client.messages.create(**message_kwargs(run, stream=True)))


async def acreate_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await client.messages.create(**message_kwargs(run, stream=True)))


def beta_create_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(client.beta.messages.create(**message_kwargs(run, stream=True)))


async def abeta_create_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await client.beta.messages.create(**message_kwargs(run, stream=True)))


# messages.stream() --------------------------------------------------------------------------


def stream_helper(client: Any, run: Run, ctx: Context) -> None:
    with client.messages.stream(**message_kwargs(run)) as stream:
        run.stream(stream)
        run.returned(stream.get_final_message())


async def astream_helper(client: Any, run: Run, ctx: Context) -> None:
    async with client.messages.stream(**message_kwargs(run)) as stream:
        await run.astream(stream)
        run.returned(await stream.get_final_message())


def stream_helper_text(client: Any, run: Run, ctx: Context) -> None:
    with client.messages.stream(**message_kwargs(run)) as stream:
        run.saw("text", list(stream.text_stream))
        run.returned(stream.get_final_message())


async def astream_helper_text(client: Any, run: Run, ctx: Context) -> None:
    async with client.messages.stream(**message_kwargs(run)) as stream:
        run.saw("text", [text async for text in stream.text_stream])
        run.returned(await stream.get_final_message())


# with_raw_response / with_streaming_response ---------------------------------------------------


def raw(client: Any, run: Run, ctx: Context) -> None:
    response = client.messages.with_raw_response.create(**message_kwargs(run))
    run.saw("raw", type(response), response.status_code)
    run.returned(response.parse())


async def araw(client: Any, run: Run, ctx: Context) -> None:
    response = await client.messages.with_raw_response.create(**message_kwargs(run))
    run.saw("raw", type(response), response.status_code)
    run.returned(await _parsed(response))


def raw_parsed_at_once(client: Any, run: Run, ctx: Context) -> None:
    # Nothing holds the raw response but the expression: its parse() must still work.
    run.returned(client.messages.with_raw_response.create(**message_kwargs(run)).parse())


async def araw_parsed_at_once(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await _parsed(await client.messages.with_raw_response.create(**message_kwargs(run))))


def streaming_response_stream(client: Any, run: Run, ctx: Context) -> None:
    with client.messages.with_streaming_response.create(**message_kwargs(run, stream=True)) as response:
        run.saw("raw", type(response), response.status_code)
        run.stream(response.parse())


async def astreaming_response_stream(client: Any, run: Run, ctx: Context) -> None:
    async with client.messages.with_streaming_response.create(**message_kwargs(run, stream=True)) as response:
        run.saw("raw", type(response), response.status_code)
        await run.astream(await response.parse())


def _always(client: Any) -> bool:
    return True


def _row(name: str, streamed: bool, sync: Any, async_: Any) -> Method:
    return Method(name, "chat", MODEL, streamed, sync, async_, _always, lambda: True, ANTHROPIC)


CREATE = _row("messages.create", False, create, acreate)
CREATE_STREAM = _row("messages.create(stream)", True, create_stream, acreate_stream)
STREAM_HELPER = _row("messages.stream()", True, stream_helper, astream_helper)
RAW = _row("messages.with_raw_response", False, raw, araw)
STREAMING_RESPONSE_STREAM = _row(
    "messages.with_streaming_response(stream)", True, streaming_response_stream, astreaming_response_stream
)
ANTHROPIC_METHODS: tuple[Method, ...] = (
    CREATE,
    CREATE_STREAM,
    STREAM_HELPER,
    _row("messages.stream().text_stream", True, stream_helper_text, astream_helper_text),
    RAW,
    _row("messages.with_raw_response.create().parse()", False, raw_parsed_at_once, araw_parsed_at_once),
    STREAMING_RESPONSE_STREAM,
    _row("beta.messages.create(stream)", True, beta_create_stream, abeta_create_stream),
)
