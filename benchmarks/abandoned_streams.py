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
    (optional third and fourth arguments: streams measured per case, 60; of warm-up, 15)

Prints one JSON object: per case, bytes retained per stream, and (instrumented) how many
spans ended and how many of them as ``otel_genai.stream_abandoned``.
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

STREAMS = 60
WARM_UP = 15
DROP_AFTER = (0, 1, 5)
LONG = {"x-mock-chunks": "12"}  # more chunks than are read: the stream is dropped unfinished


class Ends(SpanProcessor):
    """Counts ended spans, and those ended as abandoned, keeping none (they would be counted as retained)."""

    def __init__(self) -> None:
        self.ended = self.abandoned = 0

    def on_end(self, span: ReadableSpan) -> None:
        self.ended += 1
        self.abandoned += (span.attributes or {}).get("error.type") == "otel_genai.stream_abandoned"


def openers(client: Any) -> dict[str, Callable[[], Any]]:
    """How each API opens a stream on ``client`` (sync or async)."""
    found = {
        "chat": lambda: client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "A poem."}], stream=True, extra_headers=LONG
        ),
        "completions": lambda: client.completions.create(
            model="gpt-3.5-turbo-instruct", prompt="A poem.", stream=True, extra_headers=LONG
        ),
    }
    if hasattr(client, "responses"):
        found["responses"] = lambda: client.responses.create(
            model="gpt-4o-mini", input="A poem.", stream=True, extra_headers=LONG
        )
    return found


def anthropic_openers(client: Any) -> dict[str, Callable[[], Any]]:
    """How Anthropic's Messages API opens a stream on ``client`` (sync or async)."""
    return {
        "messages": lambda: client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=500,
            messages=[{"role": "user", "content": "A poem."}],
            stream=True,
            extra_headers=LONG,
        )
    }


def drop_sync(open_stream: Callable[[], Any], read: int, count: int) -> None:
    for _ in range(count):
        stream = open_stream()
        chunks = iter(stream)
        for _ in range(read):
            next(chunks)
        del stream, chunks
    gc.collect()


def drop_async(loop: asyncio.AbstractEventLoop, open_stream: Callable[[], Any], read: int, count: int) -> None:
    async def one() -> None:
        stream = await open_stream()
        for _ in range(read):
            await stream.__anext__()

    for _ in range(count):
        loop.run_until_complete(one())
        loop.run_until_complete(asyncio.sleep(0))  # the loop closes the dropped generator
    for _ in range(2):
        gc.collect()
        loop.run_until_complete(asyncio.sleep(0))


def drop_streams(loop: asyncio.AbstractEventLoop | None, open_stream: Callable[[], Any], read: int, count: int) -> None:
    """``count`` streams opened, read for ``read`` chunks and dropped; async ones on ``loop``."""
    if loop is None:
        drop_sync(open_stream, read, count)
    else:
        drop_async(loop, open_stream, read, count)


def measure(base_url: str, instrumented: bool, streams: int = STREAMS, warm_up: int = WARM_UP) -> dict[str, Any]:
    ends = Ends()
    provider = TracerProvider()
    provider.add_span_processor(ends)
    instrumentors: list[Any] = [OpenAIInstrumentor()]
    client = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    aclient = openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    clients: list[tuple[str, Any, dict[str, Callable[[], Any]]]] = [
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
    results: dict[str, Any] = {}
    try:
        for mode, _, apis in clients:
            for api, open_stream in apis.items():
                on_loop = loop if mode == "async" else None
                for read in DROP_AFTER:
                    drop_streams(on_loop, open_stream, read, warm_up)
                    ends.ended = ends.abandoned = 0
                    tracemalloc.start()
                    try:
                        before = tracemalloc.take_snapshot()
                        drop_streams(on_loop, open_stream, read, streams)
                        after = tracemalloc.take_snapshot()
                    finally:
                        tracemalloc.stop()
                    retained = sum(d.size_diff for d in after.compare_to(before, "filename")) / streams
                    results[f"{api}-{mode}-{read}"] = {
                        "bytes": round(retained, 1),
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
    counts = [int(arg) for arg in sys.argv[3:5]]  # streams measured, streams of warm-up
    print(json.dumps(measure(url, switch == "on", *counts)))
