"""Bytes retained per abandoned stream, measured in a fresh interpreter (no test runner
around it to keep log records or warnings): ``python abandoned_streams_probe.py URL on|off``.

Used by ``test_abandoned_streams.py``.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc

import openai

from otel_genai.instrumentation.openai import OpenAIInstrumentor
from telemetry_capture import Captured

STREAMS = 200
MESSAGES = [{"role": "user", "content": "Write a long poem."}]


def measure_sync(base_url: str, instrumented: bool) -> float:
    client = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    captured = Captured()

    def drop(count: int) -> None:
        for _ in range(count):
            stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
            next(iter(stream))
            del stream
        gc.collect()
        captured.spans_exporter.clear()

    instrumentor = OpenAIInstrumentor()
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
    print(measure_sync(url, switch == "on"))
