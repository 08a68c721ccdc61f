"""Soak: 100,000 instrumented calls and 10,000 abandoned streams, memory flat after warm-up.

The OpenAI client talks to an in-process transport (``httpx.MockTransport``) that answers
every request with a small, realistic body carrying a fresh response id, so the run
measures otel-genai and the SDK, not a network. Telemetry goes through the real SDK:
``BatchSpanProcessor`` and ``BatchLogRecordProcessor`` into exporters that drop what they
get, and a metric reader collected at every checkpoint. Content capture is on for spans
and events (the heaviest setting).

The operations cycle through: chat, chat streamed to the end, embeddings, legacy
completions, a stream closed early with ``with``, async chat, async streamed chat,
Responses (when the client has it); after every ten calls one 20-chunk stream is opened,
read for 0, 1 or 3 chunks and dropped (chat, legacy completions and Responses, sync and
async, in turn), to be ended by garbage collection. The bytes each such stream leaves,
per API and against the uninstrumented client over real HTTP, are measured by
``benchmarks/abandoned_streams.py``.

Memory is read at checkpoints (every ``--checkpoint`` calls) after the batch processors
were flushed and a full garbage collection: VmRSS from ``/proc/self/status`` and the
bytes ``tracemalloc`` still holds that were allocated after warm-up (it starts when
warm-up ends). The run fails (exit status 1) when memory grows over the second half of
the calls by more than the bounds, or when any span did not end exactly once.

    .venv/bin/python benchmarks/soak.py                 # the full run (a few minutes)
    .venv/bin/python benchmarks/soak.py --calls 2000 --abandoned 200 --checkpoint 200   # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import os
import platform
import re
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import openai

try:  # openai 3.x speaks httpx2; 1.x and 2.x speak httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from otel_genai import semconv
from otel_genai.instrumentation.openai import OpenAIInstrumentor

MiB = 1024 * 1024
#: Allowed growth over the second half of the calls (a leak of one object per call fails all of them).
RSS_BOUND = 8 * MiB
BLOCKS_PER_CALL = 0.2
OBJECTS_PER_CALL = 0.05
# A window may keep what bounded caches of the client and the SDK churn (~27 KiB measured),
# plus a little per call; a leak of 32 bytes per call over a 2,000-call window exceeds it.
TRACED_ALLOWANCE = 48 * 1024
TRACED_BYTES_PER_CALL = 8
OURS_BYTES_PER_WINDOW = 4096

# --- the in-process server ------------------------------------------------------------------

_USAGE = {
    "prompt_tokens": 14,
    "completion_tokens": 9,
    "total_tokens": 23,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
}
_CHAT = {
    "id": "chatcmpl-@ID@",
    "object": "chat.completion",
    "created": 1731368634,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Spans end once, on every path.", "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": _USAGE,
    "service_tier": "default",
    "system_fingerprint": "fp_0ba0d124f1",
}
_COMPLETION = {
    "id": "cmpl-@ID@",
    "object": "text_completion",
    "created": 1731368634,
    "model": "gpt-3.5-turbo-instruct",
    "choices": [{"index": 0, "text": " and nothing leaks.", "finish_reason": "stop", "logprobs": None}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
}
_EMBEDDINGS = {
    "object": "list",
    "data": [{"object": "embedding", "index": 0, "embedding": [round(i / 16 - 0.5, 4) for i in range(16)]}],
    "model": "text-embedding-3-small",
    "usage": {"prompt_tokens": 5, "total_tokens": 5},
}
_RESPONSE = {
    "id": "resp_@ID@",
    "object": "response",
    "created_at": 1731368634,
    "status": "completed",
    "model": "gpt-4o-mini-2024-07-18",
    "output": [
        {
            "id": "msg_@ID@",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Spans end once.", "annotations": []}],
        }
    ],
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
    "usage": {
        "input_tokens": 12,
        "output_tokens": 4,
        "total_tokens": 16,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens_details": {"reasoning_tokens": 0},
    },
}


def _chat_stream(chunks: int) -> str:
    base = {
        "id": "chatcmpl-@ID@",
        "object": "chat.completion.chunk",
        "created": 1731368634,
        "model": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_0ba0d124f1",
    }
    events = []
    for i in range(chunks):
        delta: dict[str, Any] = {"role": "assistant", "content": ""} if i == 0 else {"content": f" word{i}"}
        events.append({**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}]})
    events.append({**base, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]})
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


def _completion_stream(chunks: int) -> str:
    base = {"id": "cmpl-@ID@", "object": "text_completion", "created": 1731368634, "model": "gpt-3.5-turbo-instruct"}
    events = [
        {**base, "choices": [{"index": 0, "text": f" word{i}", "finish_reason": None, "logprobs": None}]}
        for i in range(chunks)
    ]
    events.append({**base, "choices": [{"index": 0, "text": "", "finish_reason": "stop", "logprobs": None}]})
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


def _responses_stream(chunks: int) -> str:
    opening = {**_RESPONSE, "status": "in_progress", "output": [], "usage": None}
    events: list[dict[str, Any]] = [{"type": "response.created", "sequence_number": 0, "response": opening}]
    for i in range(chunks):
        events.append(
            {
                "type": "response.output_text.delta",
                "sequence_number": i + 1,
                "item_id": "msg_@ID@",
                "output_index": 0,
                "content_index": 0,
                "delta": f" word{i}",
                "logprobs": [],
            }
        )
    events.append({"type": "response.completed", "sequence_number": chunks + 1, "response": _RESPONSE})
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)


class Server:
    """Answers each request with its body template and a fresh id, in process."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.requests = 0
        self.templates = {
            "chat": json.dumps(_CHAT),
            "stream": _chat_stream(5),
            "long-stream": _chat_stream(20),
            "long-completions-stream": _completion_stream(20),
            "long-responses-stream": _responses_stream(20),
            "completions": json.dumps(_COMPLETION),
            "embeddings": json.dumps(_EMBEDDINGS),
            "responses": json.dumps(_RESPONSE),
        }

    def handle(self, request: Any) -> Any:
        self.requests += 1
        path = request.url.path
        body = json.loads(request.content) if request.content else {}
        if path.endswith("/chat/completions"):
            if body.get("stream"):
                kind = "long-stream" if body.get("max_tokens") == 20 else "stream"
                return self._reply(kind, "text/event-stream")
            return self._reply("chat")
        if path.endswith("/completions"):
            if body.get("stream"):
                return self._reply("long-completions-stream", "text/event-stream")
            return self._reply("completions")
        if path.endswith("/embeddings"):
            return self._reply("embeddings")
        if path.endswith("/responses"):
            if body.get("stream"):
                return self._reply("long-responses-stream", "text/event-stream")
            return self._reply("responses")
        return httpx.Response(404, json={"error": {"message": f"no route {path}"}})

    def _reply(self, kind: str, content_type: str = "application/json") -> Any:
        text = self.templates[kind].replace("@ID@", f"{next(self.ids):012d}")
        return httpx.Response(200, content=text.encode(), headers={"content-type": content_type})


# --- the telemetry pipeline ---------------------------------------------------------------------


class DroppingSpanExporter(SpanExporter):
    def __init__(self) -> None:
        self.received = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.received += len(spans)
        return SpanExportResult.SUCCESS


class DroppingLogExporter(LogRecordExporter):
    def __init__(self) -> None:
        self.received = 0

    def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
        self.received += len(batch)
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class Tally(SpanProcessor):
    """Counts, in O(1) memory, what ended: spans started, ended, and ended as abandoned."""

    def __init__(self) -> None:
        self.started = 0
        self.ended = 0
        self.abandoned = 0
        self.errors = 0

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        self.started += 1

    def on_end(self, span: ReadableSpan) -> None:
        self.ended += 1
        error = (span.attributes or {}).get(semconv.ERROR_TYPE)
        if error == semconv.ERROR_STREAM_ABANDONED:
            self.abandoned += 1
        elif error is not None:
            self.errors += 1


class Warnings(logging.Handler):
    """Counts our warnings and the SDK's complaint about a span ended twice."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.ours = 0
        self.double_ends = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("otel_genai"):
            self.ours += 1
        if "ended span" in record.getMessage():
            self.double_ends += 1


@dataclass
class Pipeline:
    tracer_provider: TracerProvider
    logger_provider: LoggerProvider
    meter_provider: MeterProvider
    metric_reader: InMemoryMetricReader
    spans: DroppingSpanExporter
    logs: DroppingLogExporter
    tally: Tally

    @classmethod
    def build(cls) -> Pipeline:
        spans, logs, tally = DroppingSpanExporter(), DroppingLogExporter(), Tally()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(tally)
        tracer_provider.add_span_processor(BatchSpanProcessor(spans))
        logger_provider = LoggerProvider()
        logger_provider.add_log_record_processor(BatchLogRecordProcessor(logs))
        metric_reader = InMemoryMetricReader()
        meter_provider = MeterProvider(metric_readers=[metric_reader])
        return cls(tracer_provider, logger_provider, meter_provider, metric_reader, spans, logs, tally)

    def providers(self) -> dict[str, Any]:
        return {
            "tracer_provider": self.tracer_provider,
            "logger_provider": self.logger_provider,
            "meter_provider": self.meter_provider,
        }

    def settle(self) -> None:
        """Export what is queued and collect metrics, as a periodic exporter would."""
        self.tracer_provider.force_flush()
        self.logger_provider.force_flush()
        self.metric_reader.get_metrics_data()


# --- the operations --------------------------------------------------------------------------------

MESSAGES = [{"role": "system", "content": "You are terse."}]


class Workload:
    """The calls of the soak, sync and async, on clients that share the in-process server."""

    def __init__(self, server: Server) -> None:
        options: dict[str, Any] = {"api_key": "sk-soak", "base_url": "http://soak.invalid/v1", "max_retries": 0}
        transport = httpx.MockTransport(server.handle)
        self.client = openai.OpenAI(**options, http_client=openai.DefaultHttpxClient(transport=transport))
        self.aclient = openai.AsyncOpenAI(**options, http_client=openai.DefaultAsyncHttpxClient(transport=transport))
        self.loop = asyncio.new_event_loop()
        self.has_responses = hasattr(self.client, "responses")
        self.ops: list[Callable[[int], None]] = [
            self.chat,
            self.chat_stream,
            self.chat,
            self.embeddings,
            self.chat,
            self.completions,
            self.stream_closed_early,
            self.async_chat,
            self.responses if self.has_responses else self.chat,
            self.async_chat_stream,
        ]

    @staticmethod
    def _messages(n: int) -> list[dict[str, str]]:
        # A fresh prompt per call: nothing keyed on content may accumulate.
        return [*MESSAGES, {"role": "user", "content": f"Question number {n}?"}]

    def chat(self, n: int) -> None:
        self.client.chat.completions.create(model="gpt-4o-mini", messages=self._messages(n))

    def chat_stream(self, n: int) -> None:
        for _ in self.client.chat.completions.create(model="gpt-4o-mini", messages=self._messages(n), stream=True):
            pass

    def stream_closed_early(self, n: int) -> None:
        with self.client.chat.completions.create(model="gpt-4o-mini", messages=self._messages(n), stream=True) as s:
            next(iter(s))

    def embeddings(self, n: int) -> None:
        self.client.embeddings.create(model="text-embedding-3-small", input=f"text {n}")

    def completions(self, n: int) -> None:
        self.client.completions.create(model="gpt-3.5-turbo-instruct", prompt=f"Prompt {n}")

    def responses(self, n: int) -> None:
        self.client.responses.create(model="gpt-4o-mini", input=f"Question number {n}?")

    def async_chat(self, n: int) -> None:
        self.loop.run_until_complete(
            self.aclient.chat.completions.create(model="gpt-4o-mini", messages=self._messages(n))
        )

    def async_chat_stream(self, n: int) -> None:
        async def run() -> None:
            stream = await self.aclient.chat.completions.create(
                model="gpt-4o-mini", messages=self._messages(n), stream=True
            )
            async for _ in stream:
                pass

        self.loop.run_until_complete(run())

    def abandon(self, n: int) -> None:
        """Open a 20-chunk stream, read 0, 1 or 3 chunks and drop it: chat, legacy completions
        and Responses (when the client has it), sync and async, in turn."""
        apis = ["chat", "completions", "responses"] if self.has_responses else ["chat", "completions"]
        api = apis[n % len(apis)]
        read = (0, 1, 3)[n // len(apis) % 3]
        if n // (3 * len(apis)) % 2:
            stream = self._open_stream(self.client, api, n)
            for _ in range(read):
                next(stream)
            del stream
            return

        async def run() -> None:
            stream = await self._open_stream(self.aclient, api, n)
            for _ in range(read):
                await stream.__anext__()

        self.loop.run_until_complete(run())
        # The loop closes the dropped async generator on its next turn.
        self.loop.run_until_complete(asyncio.sleep(0))

    def _open_stream(self, client: Any, api: str, n: int) -> Any:
        if api == "completions":
            return client.completions.create(model="gpt-3.5-turbo-instruct", prompt=f"Prompt {n}", stream=True)
        if api == "responses":
            return client.responses.create(model="gpt-4o-mini", input=f"Question number {n}?", stream=True)
        kwargs = {"model": "gpt-4o-mini", "messages": self._messages(n), "stream": True, "max_tokens": 20}
        return client.chat.completions.create(**kwargs)

    def drain(self) -> None:
        for _ in range(3):
            gc.collect()
            self.loop.run_until_complete(asyncio.sleep(0))

    def close(self) -> None:
        self.client.close()
        self.loop.run_until_complete(self.aclient.close())
        self.loop.close()


# --- measuring -------------------------------------------------------------------------------------


def rss_bytes() -> int:
    """Current resident set size (VmRSS); the peak from getrusage where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class Checkpoint:
    calls: int
    abandoned: int
    seconds: float
    rss: int
    blocks: int  # sys.getallocatedblocks(): every live allocation of the Python allocator
    objects: int  # objects the garbage collector tracks
    window: int | None = None  # bytes tracemalloc saw retained by the traced window that ended here
    window_ops: int = 0
    window_ours: int = 0  # of which allocated by a line of otel_genai


def settle(workload: Workload, pipeline: Pipeline) -> None:
    """Let finalizers run, empty the export queues, collect: what is left is what is kept."""
    workload.drain()
    pipeline.settle()
    gc.collect()


def reading(workload: Workload, pipeline: Pipeline, calls: int, abandoned: int, started: float) -> Checkpoint:
    settle(workload, pipeline)
    return Checkpoint(
        calls, abandoned, time.perf_counter() - started, rss_bytes(), sys.getallocatedblocks(), len(gc.get_objects())
    )


_OURS = os.sep + "otel_genai" + os.sep


def fmt_mib(value: int | None) -> str:
    return "" if value is None else f"{value / MiB:.2f}"


def _without_prefix(site: str) -> str:
    """An allocation site from where the package lives on (site-packages/..., src/...), not this machine's path."""
    return re.sub(r"^\S*?/(site-packages|src)/", "", site)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--abandoned", type=int, default=10_000)
    parser.add_argument("--checkpoint", type=int, default=10_000, help="calls between memory readings")
    parser.add_argument(
        "--window", type=int, default=2_000, help="calls traced by tracemalloc after each checkpoint (0: none)"
    )
    args = parser.parse_args(argv)
    abandon_every = max(1, args.calls // args.abandoned) if args.abandoned else 0

    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_AND_EVENT"
    os.environ["OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"] = "true"
    warnings = Warnings()
    for name in ("otel_genai", "opentelemetry"):
        logging.getLogger(name).addHandler(warnings)
    pipeline = Pipeline.build()
    server = Server()
    workload = Workload(server)
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(**pipeline.providers())

    print(
        f"soak: {args.calls:,} calls, {args.abandoned:,} abandoned streams; openai {openai.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()} ({os.cpu_count()} cores)",
        file=sys.stderr,
    )
    points: list[Checkpoint] = []
    abandoned = 0
    window_end: int | None = None
    window_start = 0
    top_sites: list[str] = []
    started = time.perf_counter()
    ops = workload.ops
    for n in range(1, args.calls + 1):
        ops[n % len(ops)](n)
        if abandon_every and n % abandon_every == 0 and abandoned < args.abandoned:
            abandoned += 1
            workload.abandon(abandoned)
        if n == window_end:
            settle(workload, pipeline)
            retained = tracemalloc.get_traced_memory()[0]
            snapshot = tracemalloc.take_snapshot()
            tracemalloc.stop()
            stats = snapshot.statistics("lineno")
            top_sites = [_without_prefix(str(stat)) for stat in stats[:5]]
            ours = sum(stat.size for stat in stats if _OURS in stat.traceback[0].filename)
            points[-1].window, points[-1].window_ops, points[-1].window_ours = retained, n - window_start, ours
            window_end = None
        if n % args.checkpoint == 0:
            point = reading(workload, pipeline, n, abandoned, started)
            points.append(point)
            print(
                f"  {n:>9,} calls {abandoned:>7,} abandoned {point.seconds:7.1f} s  RSS {fmt_mib(point.rss)} MiB  "
                f"blocks {point.blocks:,}  objects {point.objects:,}",
                file=sys.stderr,
            )
            # The first checkpoint ends warm-up; after each one a window of calls is traced.
            if args.window > 0 and len(points) > 1 and n + args.window <= args.calls:
                tracemalloc.start()
                window_start, window_end = n, n + args.window
    while abandoned < args.abandoned:
        abandoned += 1
        workload.abandon(abandoned)
    final = reading(workload, pipeline, args.calls, abandoned, started)
    if (final.calls, final.abandoned) != (points[-1].calls, points[-1].abandoned):
        points.append(final)
    elapsed = time.perf_counter() - started
    instrumentor.uninstrument()
    workload.close()

    # Growth over the second half of the calls, from the checkpoint nearest the middle.
    middle = min(points, key=lambda p: abs(p.calls - args.calls / 2))
    last = points[-1]
    half = max(1, last.calls - middle.calls)
    rss_growth = last.rss - middle.rss
    block_growth = last.blocks - middle.blocks
    object_growth = last.objects - middle.objects
    windows = [p for p in points if p.window is not None and p.calls >= middle.calls]
    worst_window = max((p.window / p.window_ops for p in windows if p.window is not None), default=0.0)
    over_allowance = [
        p
        for p in windows
        if p.window is not None and p.window >= TRACED_ALLOWANCE + TRACED_BYTES_PER_CALL * p.window_ops
    ]
    ours_kept = max((p.window_ours for p in windows), default=0)
    tally = pipeline.tally
    expected_spans = args.calls + args.abandoned
    checks = {
        "every call and abandoned stream gave one ended span": tally.started == tally.ended == expected_spans,
        "every abandoned stream ended as abandoned": tally.abandoned == args.abandoned,
        "no call recorded an error": tally.errors == 0,
        "no span ended twice": warnings.double_ends == 0,
        "otel_genai logged no warning": warnings.ours == 0,
        f"RSS growth over the second half < {RSS_BOUND / MiB:.0f} MiB": rss_growth < RSS_BOUND,
        f"allocated blocks over the second half < {BLOCKS_PER_CALL} per call": block_growth < BLOCKS_PER_CALL * half,
        f"GC-tracked objects over the second half < {OBJECTS_PER_CALL} per call": object_growth
        < OBJECTS_PER_CALL * half,
    }
    if windows:  # none with --window 0
        allowance = f"{TRACED_ALLOWANCE // 1024} KiB + {TRACED_BYTES_PER_CALL} B per call"
        checks[f"tracemalloc: every traced window in the second half keeps < {allowance}"] = not over_allowance
        checks[f"tracemalloc: lines of otel_genai keep < {OURS_BYTES_PER_WINDOW} B per window"] = (
            ours_kept < OURS_BYTES_PER_WINDOW
        )

    print("\n| calls | abandoned streams | seconds | RSS MiB | allocated blocks | GC objects | traced window |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for p in points:
        window = ""
        if p.window is not None:
            window = (
                f"{p.window / 1024:.1f} KiB kept by the {p.window_ops:,} calls before "
                f"({p.window / p.window_ops:.1f} B/call; allocated in otel_genai: {p.window_ours} B)"
            )
        print(
            f"| {p.calls:,} | {p.abandoned:,} | {p.seconds:.1f} | {fmt_mib(p.rss)} | {p.blocks:,} | {p.objects:,} "
            f"| {window} |"
        )
    print(
        f"\n{args.calls:,} calls + {args.abandoned:,} abandoned streams in {elapsed:.1f} s "
        f"({elapsed / (args.calls + args.abandoned) * 1e6:.0f} µs per operation, traced windows included); "
        f"{server.requests:,} HTTP requests"
    )
    print(
        f"spans: {tally.started:,} started, {tally.ended:,} ended, {tally.abandoned:,} abandoned; "
        f"the exporters received {pipeline.spans.received:,} spans and {pipeline.logs.received:,} log records"
    )
    print(
        f"growth over the second half ({middle.calls:,} -> {last.calls:,} calls): RSS {rss_growth / MiB:+.2f} MiB, "
        f"allocated blocks {block_growth:+,} ({block_growth / half:+.3f} per call), "
        f"GC objects {object_growth:+,} ({object_growth / half:+.3f} per call)"
        + (
            f"; worst traced window {worst_window:.2f} B/call, of which allocated in otel_genai at most {ours_kept} B"
            if windows
            else "; no tracemalloc windows"
        )
    )
    if top_sites:
        print("largest allocations kept by the last traced window:")
        for site in top_sites:
            print(f"  {site}")
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
