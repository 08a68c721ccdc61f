"""Bytes retained per abandoned stream, measured in a fresh interpreter (no test runner
around it to keep log records or warnings):
``python abandoned_streams_probe.py URL on|off [openai|anthropic]``.

Used by ``test_abandoned_streams.py``.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import openai

from otel_genai.instrumentation.openai import OpenAIInstrumentor
from telemetry_capture import Captured

STREAMS = 200
MESSAGES = [{"role": "user", "content": "Write a long poem."}]


def _openai_streams(base_url: str) -> tuple[Any, Callable[[], Any], Any]:
    client = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    return (
        client,
        lambda: client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True),
        OpenAIInstrumentor(),
    )


def _anthropic_streams(base_url: str) -> tuple[Any, Callable[[], Any], Any]:
    import anthropic

    from otel_genai.instrumentation.anthropic import AnthropicInstrumentor

    client = anthropic.Anthropic(base_url=base_url.removesuffix("/v1"), api_key="sk-test", max_retries=0)

    def open_stream() -> Any:
        return client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=MESSAGES, stream=True)

    return client, open_stream, AnthropicInstrumentor()


def measure_sync(base_url: str, instrumented: bool, provider: str = "openai") -> float:
    client, open_stream, instrumentor = (_anthropic_streams if provider == "anthropic" else _openai_streams)(base_url)
    captured = Captured()

    def drop(count: int) -> None:
        for _ in range(count):
            stream = open_stream()
            next(iter(stream))
            del stream
        gc.collect()
        captured.spans_exporter.clear()

    if instrumented:
        instrumentor.instrument(**captured.providers())
    try:
        drop(30)
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            drop(STREAMS)
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        return sum(d.size_diff for d in after.compare_to(before, "filename")) / STREAMS
    finally:
        if instrumented:
            instrumentor.uninstrument()
        client.close()


if __name__ == "__main__":
    url, switch = sys.argv[1:3]
    print(measure_sync(url, switch == "on", sys.argv[3] if len(sys.argv) > 3 else "openai"))
