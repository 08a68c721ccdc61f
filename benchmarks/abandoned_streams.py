"""Bytes an abandoned stream leaves behind, per API, ours against the uninstrumented client.

A stream is opened, read for 0, 1 or 5 chunks and dropped (a user closing the tab
mid-answer), sync and async, for chat, legacy completions, Responses and (where the
``anthropic`` client is installed) Anthropic's Messages API. After
``gc.collect()`` (and, for async streams, the event loop's turn that closes the dropped
generator) ``tracemalloc`` says how many bytes the dropped streams still hold. Run it once
instrumented and once not, each in a fresh interpreter, against a running local endpoint:

    .venv/bin/otel-genai mock-openai --port 8765 &
    .venv/bin/python benchmarks/abandoned_streams.py http://127.0.0.1:8765/v1 off
    .venv/bin/python benchmarks/abandoned_streams.py http://127.0.0.1:8765/v1 on
    (optional arguments: streams a round, 20; streams of warm-up, 20; rounds, 3)

Each case is measured over a few rounds and reports the smallest: a leak shows in every
round, while a one-off allocation (a table grown to a new size) shows in one. The warm-up
drops as many streams as a round, so tables sized by the number of live streams have grown.

Prints one JSON object: per case, bytes retained per stream (and each round's figure), and
(instrumented) how many spans ended and how many of them as ``otel_genai.stream_abandoned``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import openai
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider

from otel_genai.instrumentation.openai import OpenAIInstrumentor

try:
    import anthropic

    from otel_genai.instrumentation.anthropic import AnthropicInstrumentor
except ImportError:  # the oldest-client environment has no anthropic
    anthropic = None  # type: ignore[assignment]

STREAMS = 20
ROUNDS = 3
WARM_UP = 20
DROP_AFTER = (0, 1, 5)
# The event loop's WeakSet of live async generators: its table is reallocated at sizes (1 to
# 4 KB) that vary from round to round, instrumented or not. No stream keeps that memory.
LOOP_BOOKKEEPING = tracemalloc.Filter(False, "*/_weakrefset.py")
# A stream read for some chunks has more than are read, so it is dropped unfinished. One never
# read gets its headers and no body: the connection it keeps holds no more than the headers,
# not however much of the body happened to arrive before the client stopped reading.
READ_SOME = {"x-mock-chunks": "12"}
READ_NONE = {"x-mock-scenario": "stall-stream:0"}


class Ends(SpanProcessor):
    """Counts ended spans, and those ended as abandoned, keeping none (they would be counted as retained)."""

    def __init__(self) -> None:
        self.ended = self.abandoned = 0

    def on_end(self, span: ReadableSpan) -> None:
        self.ended += 1
        self.abandoned += (span.attributes or {}).get("error.type") == "otel_genai.stream_abandoned"


Opener = Callable[[dict[str, str]], Any]  # opens a stream, sending these extra headers


def openers(client: Any) -> dict[str, Opener]:
    """How each API opens a stream on ``client`` (sync or async)."""
    found: dict[str, Opener] = {
        "chat": lambda headers: client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "A poem."}], stream=True, extra_headers=headers
        ),
        "completions": lambda headers: client.completions.create(
            model="gpt-3.5-turbo-instruct", prompt="A poem.", stream=True, extra_headers=headers
        ),
    }
    if hasattr(client, "responses"):
        found["responses"] = lambda headers: client.responses.create(
            model="gpt-4o-mini", input="A poem.", stream=True, extra_headers=headers
        )
    return found


def anthropic_openers(client: Any) -> dict[str, Opener]:
    """How Anthropic's Messages API opens a stream on ``client`` (sync or async)."""
    return {
        "messages": lambda headers: client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=500,
            messages=[{"role": "user", "content": "A poem."}],
            stream=True,
            extra_headers=headers,
        )
    }


def drop_sync(open_stream: Opener, headers: dict[str, str], read: int, count: int) -> None:
    for _ in range(count):
        stream = open_stream(headers)
        chunks = iter(stream)
        for _ in range(read):
            next(chunks)
        del stream, chunks
    gc.collect()


def drop_async(
    loop: asyncio.AbstractEventLoop, open_stream: Opener, headers: dict[str, str], read: int, count: int
) -> None:
    async def one() -> None:
        stream = await open_stream(headers)
        for _ in range(read):
            await stream.__anext__()

    for _ in range(count):
        loop.run_until_complete(one())
        loop.run_until_complete(asyncio.sleep(0))  # the loop closes the dropped generator
    for _ in range(2):
        gc.collect()
        loop.run_until_complete(asyncio.sleep(0))


def drop_streams(loop: asyncio.AbstractEventLoop | None, open_stream: Opener, read: int, count: int) -> None:
    """``count`` streams opened, read for ``read`` chunks and dropped; async ones on ``loop``."""
    headers = READ_SOME if read else READ_NONE
    if loop is None:
        drop_sync(open_stream, headers, read, count)
    else:
        drop_async(loop, open_stream, headers, read, count)


def retained_per_stream(loop: asyncio.AbstractEventLoop | None, open_stream: Opener, read: int, count: int) -> float:
    """Bytes still allocated after ``count`` streams were dropped and collected, per stream."""
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot().filter_traces([LOOP_BOOKKEEPING])
        drop_streams(loop, open_stream, read, count)
        after = tracemalloc.take_snapshot().filter_traces([LOOP_BOOKKEEPING])
    finally:
        tracemalloc.stop()
    return round(sum(d.size_diff for d in after.compare_to(before, "filename")) / count, 1)


def measure(
    base_url: str, instrumented: bool, streams: int = STREAMS, warm_up: int = WARM_UP, rounds: int = ROUNDS
) -> dict[str, Any]:
    ends = Ends()
    provider = TracerProvider()
    provider.add_span_processor(ends)
    instrumentors: list[Any] = [OpenAIInstrumentor()]
    client = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    aclient = openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    clients: list[tuple[str, Any, dict[str, Opener]]] = [
        ("sync", client, openers(client)),
        ("async", aclient, openers(aclient)),
    ]
    if anthropic is not None:
        instrumentors.append(AnthropicInstrumentor())
        root = base_url.removesuffix("/v1")
        claude = anthropic.Anthropic(base_url=root, api_key="sk-test", max_retries=0)
        aclaude = anthropic.AsyncAnthropic(base_url=root, api_key="sk-test", max_retries=0)
        clients += [("sync", claude, anthropic_openers(claude)), ("async", aclaude, anthropic_openers(aclaude))]
    if instrumented:
        for instrumentor in instrumentors:
            instrumentor.instrument(tracer_provider=provider)
    loop = asyncio.new_event_loop()
    # What exists before the first case (modules, clients) is left out of every later gc.collect():
    # 10.3 -> 5.1 CPU-s for a run of 30 streams a case, the same bytes within run-to-run noise.
    gc.collect()
    gc.freeze()
    results: dict[str, Any] = {}
    try:
        for mode, _, apis in clients:
            for api, open_stream in apis.items():
                on_loop = loop if mode == "async" else None
                for read in DROP_AFTER:
                    drop_streams(on_loop, open_stream, read, warm_up)
                    ends.ended = ends.abandoned = 0
                    retained = [retained_per_stream(on_loop, open_stream, read, streams) for _ in range(rounds)]
                    results[f"{api}-{mode}-{read}"] = {
                        "bytes": min(retained),
                        "rounds": retained,
                        "spans": ends.ended,
                        "abandoned": ends.abandoned,
                    }
    finally:
        if instrumented:
            for instrumentor in instrumentors:
                instrumentor.uninstrument()
        for mode, chosen, _ in clients:
            if mode == "sync":
                chosen.close()
            else:
                loop.run_until_complete(chosen.close())
        loop.close()
    return results


if __name__ == "__main__":
    url, switch = sys.argv[1:3]
    counts = [int(arg) for arg in sys.argv[3:6]]  # streams a round, streams of warm-up, rounds
    print(json.dumps(measure(url, switch == "on", *counts)))
