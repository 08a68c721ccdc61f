"""Memory of ours over many calls: RSS and tracemalloc, sampled along the way.

Run by :mod:`benchmarks.harness.memory` in ours' environment:
``python -m benchmarks.harness.memory_worker BODIES.json OUT.json CALLS STREAMS``.
Two phases, each after a warm-up: ``CALLS`` chat calls (content off, sampled), then ``STREAMS``
streams of 20 chunks abandoned after their first chunk (dropped, never closed: our recorder
must end each call when the stream is collected). Each phase reports RSS and tracemalloc's
current size at evenly spaced checkpoints, and how many spans the exporter received.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tracemalloc
from typing import Any

CHECKPOINTS = 10


def rss_kib() -> int:
    """Resident set size now (not the peak), from /proc."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def phase(run_one: Any, count: int, warmup: int, spans: Any, flush: Any) -> dict[str, Any]:
    for _ in range(warmup):
        run_one()
    gc.collect()  # collects the abandoned streams, whose recorders end their calls
    flush()
    exported_before = spans.exported
    tracemalloc.start()
    points = []
    step = max(1, count // CHECKPOINTS)
    for done in range(count + 1):
        if done % step == 0 or done == count:
            gc.collect()
            flush()  # the batch processors' queues are not retention: empty them before looking
            current, _peak = tracemalloc.get_traced_memory()
            points.append({"calls": done, "rss_kib": rss_kib(), "traced_kib": current / 1024})
        if done < count:
            run_one()
    snapshot_top = [
        f"{stat.traceback[0].filename}:{stat.traceback[0].lineno} {stat.size / 1024:.1f} KiB"
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:5]
    ]
    tracemalloc.stop()
    return {
        "points": points,
        "spans_exported": spans.exported - exported_before,
        "calls": count,
        "warmup": warmup,
        "top_allocations": snapshot_top,
    }


def main() -> None:
    bodies_path, out_path, calls, streams = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    from benchmarks.harness import scenarios
    from benchmarks.harness.worker import Worker

    with open(bodies_path, encoding="utf-8") as handle:
        bodies = json.load(handle)
    worker = Worker("ours")
    worker.init(bodies)
    pipe = worker.pipelines["sampled"]
    worker._on("off")
    chat = scenarios.build(scenarios.BY_KEY["chat"], bodies)
    stream_client = scenarios._client(bodies["chat_stream_20"], "text/event-stream", False)
    stream_args = {
        "model": scenarios.CHAT_MODEL,
        "messages": scenarios.MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    def one_chat() -> None:
        chat(1)

    def one_abandoned() -> None:
        stream = stream_client.chat.completions.create(**stream_args)
        next(iter(stream))
        del stream  # neither consumed nor closed

    result = {
        "chat": phase(one_chat, calls, max(500, calls // 50), pipe.spans, pipe.flush),
        "abandoned_streams": phase(one_abandoned, streams, max(200, streams // 50), pipe.spans, pipe.flush),
    }
    worker._off()
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
