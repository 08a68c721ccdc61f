"""Every instrumented OpenAI client method, sync and async, as a runner for the reliability table
(:mod:`method_table`): each makes its call the way an application would and records what came back."""

from __future__ import annotations

import asyncio
import inspect
import json
import urllib.request
from typing import Any

from application_record import API_KEY, MESSAGES, REPLY, Context, Run
from pydantic import BaseModel

CHAT_MODEL = "gpt-4o-mini"
TEXT_MODEL = "gpt-3.5-turbo-instruct"
EMBEDDING_MODEL = "text-embedding-3-small"


class Answer(BaseModel):
    """The structured output ``parse`` asks for."""

    answer: str


def _with_reply(run: Run) -> dict[str, str]:
    return {**run.headers, "x-mock-reply": REPLY}


def _chat(client: Any) -> Any:
    return client.chat.completions


def chat_parse_owner(client: Any) -> Any:
    """What holds ``parse`` on this client: ``chat.completions``, or ``beta.chat.completions`` on older ones."""
    completions = client.chat.completions
    if hasattr(completions, "parse"):
        return completions
    beta = getattr(client, "beta", None)
    chat = getattr(beta, "chat", None)
    return getattr(chat, "completions", None)


def _beta_chat(client: Any) -> Any:
    return getattr(getattr(getattr(client, "beta", None), "chat", None), "completions", None)


def chat_kwargs(run: Run, **extra: Any) -> dict[str, Any]:
    return {"model": CHAT_MODEL, "messages": MESSAGES, "extra_headers": _with_reply(run), **extra}


# chat.completions.create ---------------------------------------------------------------------


def chat_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(_chat(client).create(**chat_kwargs(run)))


async def achat_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await _chat(client).create(**chat_kwargs(run)))


def chat_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(_chat(client).create(**chat_kwargs(run, stream=True)))


async def achat_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await _chat(client).create(**chat_kwargs(run, stream=True)))


def chat_raw(client: Any, run: Run, ctx: Context) -> None:
    raw = _chat(client).with_raw_response.create(**chat_kwargs(run))
    run.saw("raw", type(raw), raw.status_code)
    run.returned(raw.parse())


async def achat_raw(client: Any, run: Run, ctx: Context) -> None:
    raw = await _chat(client).with_raw_response.create(**chat_kwargs(run))
    run.saw("raw", type(raw), raw.status_code)
    parsed = raw.parse()
    run.returned(await parsed if inspect.isawaitable(parsed) else parsed)


def chat_raw_stream(client: Any, run: Run, ctx: Context) -> None:
    raw = _chat(client).with_raw_response.create(**chat_kwargs(run, stream=True))
    run.saw("raw", type(raw), raw.status_code)
    run.stream(raw.parse())


async def achat_raw_stream(client: Any, run: Run, ctx: Context) -> None:
    raw = await _chat(client).with_raw_response.create(**chat_kwargs(run, stream=True))
    run.saw("raw", type(raw), raw.status_code)
    parsed = raw.parse()
    await run.astream(await parsed if inspect.isawaitable(parsed) else parsed)


def chat_streaming_response(client: Any, run: Run, ctx: Context) -> None:
    with _chat(client).with_streaming_response.create(**chat_kwargs(run)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        run.returned(raw.parse())


async def achat_streaming_response(client: Any, run: Run, ctx: Context) -> None:
    async with _chat(client).with_streaming_response.create(**chat_kwargs(run)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        run.returned(await raw.parse())


def chat_streaming_response_stream(client: Any, run: Run, ctx: Context) -> None:
    with _chat(client).with_streaming_response.create(**chat_kwargs(run, stream=True)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        run.stream(raw.parse())


async def achat_streaming_response_stream(client: Any, run: Run, ctx: Context) -> None:
    async with _chat(client).with_streaming_response.create(**chat_kwargs(run, stream=True)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        await run.astream(await raw.parse())


def chat_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    with _chat(client).stream(**chat_kwargs(run)) as stream:
        run.stream(stream)
        run.returned(stream.get_final_completion())


async def achat_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    async with _chat(client).stream(**chat_kwargs(run)) as stream:
        await run.astream(stream)
        run.returned(await stream.get_final_completion())


# The structured answer comes from the schema, so no x-mock-reply here.
def chat_parse(client: Any, run: Run, ctx: Context) -> None:
    owner = chat_parse_owner(client)
    run.returned(owner.parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers))


async def achat_parse(client: Any, run: Run, ctx: Context) -> None:
    owner = chat_parse_owner(client)
    parsed = await owner.parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers)
    run.returned(parsed)


def beta_chat_parse(client: Any, run: Run, ctx: Context) -> None:
    run.returned(
        _beta_chat(client).parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers)
    )


async def abeta_chat_parse(client: Any, run: Run, ctx: Context) -> None:
    owner = _beta_chat(client)
    parsed = await owner.parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers)
    run.returned(parsed)


# embeddings / completions ----------------------------------------------------------------------


def embeddings_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(client.embeddings.create(model=EMBEDDING_MODEL, input="reliable telemetry", extra_headers=run.headers))


async def aembeddings_create(client: Any, run: Run, ctx: Context) -> None:
    result = await client.embeddings.create(
        model=EMBEDDING_MODEL, input="reliable telemetry", extra_headers=run.headers
    )
    run.returned(result)


def completions_kwargs(run: Run, **extra: Any) -> dict[str, Any]:
    return {"model": TEXT_MODEL, "prompt": "Reliable telemetry is", "extra_headers": _with_reply(run), **extra}


def completions_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(client.completions.create(**completions_kwargs(run)))


async def acompletions_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await client.completions.create(**completions_kwargs(run)))


def completions_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(client.completions.create(**completions_kwargs(run, stream=True)))


async def acompletions_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await client.completions.create(**completions_kwargs(run, stream=True)))


# responses ------------------------------------------------------------------------------------


def responses_kwargs(run: Run, **extra: Any) -> dict[str, Any]:
    return {
        "model": CHAT_MODEL,
        "input": "Tell me about reliable telemetry.",
        "extra_headers": _with_reply(run),
        **extra,
    }


def responses_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(client.responses.create(**responses_kwargs(run)))


async def aresponses_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await client.responses.create(**responses_kwargs(run)))


def responses_create_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(client.responses.create(**responses_kwargs(run, stream=True)))


async def aresponses_create_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await client.responses.create(**responses_kwargs(run, stream=True)))


def responses_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    with client.responses.stream(**responses_kwargs(run)) as stream:
        run.stream(stream)
        run.returned(stream.get_final_response())


async def aresponses_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    async with client.responses.stream(**responses_kwargs(run)) as stream:
        await run.astream(stream)
        run.returned(await stream.get_final_response())


def responses_parse(client: Any, run: Run, ctx: Context) -> None:
    kwargs = {**responses_kwargs(run), "extra_headers": run.headers}
    run.returned(client.responses.parse(text_format=Answer, **kwargs))


async def aresponses_parse(client: Any, run: Run, ctx: Context) -> None:
    kwargs = {**responses_kwargs(run), "extra_headers": run.headers}
    run.returned(await client.responses.parse(text_format=Answer, **kwargs))


def stored_response_id(base_url: str) -> str:
    """A response stored on the server, created over plain HTTP so no client method is involved."""
    body = json.dumps({"model": CHAT_MODEL, "input": "Store this answer.", "store": True}).encode()
    request = urllib.request.Request(
        f"{base_url}/responses",
        data=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {API_KEY}", "x-mock-reply": REPLY},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the local mock server
        return str(json.loads(answer.read())["id"])


def responses_retrieve(client: Any, run: Run, ctx: Context) -> None:
    run.requested_id = stored_response_id(ctx.base_url)
    run.returned(client.responses.retrieve(run.requested_id, extra_headers=run.headers))


async def aresponses_retrieve(client: Any, run: Run, ctx: Context) -> None:
    run.requested_id = await asyncio.to_thread(stored_response_id, ctx.base_url)
    run.returned(await client.responses.retrieve(run.requested_id, extra_headers=run.headers))
