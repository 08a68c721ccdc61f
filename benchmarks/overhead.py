"""What otel-genai adds to an OpenAI call, measured against the same call uninstrumented.

The HTTP layer is an in-process transport answering with realistic bodies, so the
figures are the instrumentation's own cost, not the network's. Baseline and
instrumented batches are interleaved (A B A B ...) in one run so that drift of the
shared machine cancels out; the report gives medians over rounds of the added
microseconds per call, the ratio, and CPU time beside wall time.

    .venv/bin/python benchmarks/overhead.py            # full run, writes benchmarks/results/overhead.md
    .venv/bin/python benchmarks/overhead.py --quick    # a short smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
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
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from otel_genai.instrumentation.openai import OpenAIInstrumentor

RESULTS = Path(__file__).parent / "results" / "overhead.md"
POEM = [{"role": "user", "content": "Write a short poem on OpenTelemetry."}]


# --- realistic bodies ------------------------------------------------------------------


def chat_body() -> bytes:
    text = "Signals weave through silent code,\nspans and metrics light the road." * 2
    return json.dumps(
        {
            "id": "chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012",
            "object": "chat.completion",
            "created": 1731368634,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": 16,
                "completion_tokens": 24,
                "total_tokens": 40,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {
                    "reasoning_tokens": 0,
                    "audio_tokens": 0,
                    "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                },
            },
            "service_tier": "default",
            "system_fingerprint": "fp_0ba0d124f1",
        }
    ).encode()


def stream_body(chunks: int) -> bytes:
    base = {
        "id": "chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012",
        "object": "chat.completion.chunk",
        "created": 1731368634,
        "model": "gpt-4o-mini-2024-07-18",
        "service_tier": "default",
        "system_fingerprint": "fp_0ba0d124f1",
    }
    lines = []
    for i in range(chunks):
        if i == 0:
            delta: dict[str, Any] = {"role": "assistant", "content": "", "refusal": None}
        else:
            delta = {"content": " word"}
        finish = "stop" if i == chunks - 1 else None
        if finish:
            delta = {}
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        lines.append(f"data: {json.dumps({**base, 'choices': [choice]})}\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def embeddings_body() -> bytes:
    vector = [((i * 7919) % 1000) / 1000.0 - 0.5 for i in range(1536)]
    return json.dumps(
        {
            "object": "list",
            "data": [{"object": "embedding", "index": 0, "embedding": vector}],
            "model": "text-embedding-3-small",
            "usage": {"prompt_tokens": 5, "total_tokens": 5},
        }
    ).encode()


def transport(body: bytes, content_type: str) -> Any:
    def answer(request: Any) -> Any:
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    return httpx.MockTransport(answer)


# --- the telemetry pipeline a user would have ---------------------------------------------


class DroppingSpanExporter(SpanExporter):
    def export(self, spans: Any) -> SpanExportResult:
        return SpanExportResult.SUCCESS


class DroppingLogExporter(LogRecordExporter):
    def export(self, batch: Any) -> LogRecordExportResult:
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def providers() -> dict[str, Any]:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(DroppingSpanExporter()))
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(DroppingLogExporter()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return {"tracer_provider": tracer_provider, "meter_provider": meter_provider, "logger_provider": logger_provider}


# --- scenarios -----------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    run: Callable[[], Any]
    chunks: int = 0


def scenarios(quick: bool) -> list[Scenario]:
    def client(body: bytes, content_type: str = "application/json") -> openai.OpenAI:
        return openai.OpenAI(
            api_key="sk-bench",
            base_url="http://bench.invalid/v1",
            http_client=openai.DefaultHttpxClient(transport=transport(body, content_type)),
            max_retries=0,
        )

    def async_client(body: bytes) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key="sk-bench",
            base_url="http://bench.invalid/v1",
            http_client=openai.DefaultAsyncHttpxClient(transport=transport(body, "application/json")),
            max_retries=0,
        )

    chat = client(chat_body())
    stream_clients = {n: client(stream_body(n), "text/event-stream") for n in (1, 20, 200)}
    embed = client(embeddings_body())
    achat = async_client(chat_body())
    loop = asyncio.new_event_loop()

    def run_stream(n: int) -> Callable[[], Any]:
        c = stream_clients[n]

        def run() -> None:
            for _ in c.chat.completions.create(model="gpt-4o-mini", messages=POEM, stream=True):
                pass

        return run

    async def async_chat_call() -> None:
        await achat.chat.completions.create(model="gpt-4o-mini", messages=POEM)

    result = [
        Scenario("chat", lambda: chat.chat.completions.create(model="gpt-4o-mini", messages=POEM)),
        Scenario("stream 200 chunks", run_stream(200), chunks=200),
        Scenario("embeddings", lambda: embed.embeddings.create(model="text-embedding-3-small", input="hello")),
    ]
    if not quick:
        result[2:2] = [
            Scenario("stream 1 chunk", run_stream(1), chunks=1),
            Scenario("stream 20 chunks", run_stream(20), chunks=20),
        ]
        result.append(Scenario("async chat", lambda: loop.run_until_complete(async_chat_call())))
    return result


# --- measuring -----------------------------------------------------------------------------


def time_batch(run: Callable[[], Any], calls: int) -> tuple[float, float]:
    """Per-call wall and CPU seconds over one batch."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(calls):
        run()
    return (time.perf_counter() - wall0) / calls, (time.process_time() - cpu0) / calls


@dataclass
class Row:
    scenario: str
    capture: str
    base_us: float
    inst_us: float
    added_us: float
    added_cpu_us: float
    ratio: float
    per_chunk_us: float | None


def measure(scenario: Scenario, capture: str, rounds: int, calls: int) -> Row:
    instrumentor = OpenAIInstrumentor()
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = capture
    pipeline = providers()
    for _ in range(max(3, calls // 4)):  # warm both paths
        scenario.run()
    base, inst, added, added_cpu = [], [], [], []
    for _ in range(rounds):
        b_wall, b_cpu = time_batch(scenario.run, calls)
        instrumentor.instrument(**pipeline)
        i_wall, i_cpu = time_batch(scenario.run, calls)
        instrumentor.uninstrument()
        base.append(b_wall)
        inst.append(i_wall)
        added.append(i_wall - b_wall)
        added_cpu.append(i_cpu - b_cpu)
    b, i = statistics.median(base), statistics.median(inst)
    add = statistics.median(added)
    return Row(
        scenario.name,
        capture,
        b * 1e6,
        i * 1e6,
        add * 1e6,
        statistics.median(added_cpu) * 1e6,
        i / b,
        add * 1e6 / scenario.chunks if scenario.chunks > 1 else None,
    )


def report(rows: list[Row], rounds: int, calls: int) -> str:
    versions = f"openai {openai.__version__}, Python {platform.python_version()}"
    lines = [
        "# otel-genai overhead",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({os.cpu_count()} cores), {versions}.",
        f"Medians over {rounds} interleaved rounds of {calls} calls each; in-process transport.",
        "",
        "| scenario | content | uninstrumented µs | instrumented µs | added µs | added CPU µs | ratio | added µs/chunk |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        per_chunk = f"{r.per_chunk_us:.2f}" if r.per_chunk_us is not None else ""
        lines.append(
            f"| {r.scenario} | {r.capture} | {r.base_us:.1f} | {r.inst_us:.1f} | {r.added_us:+.1f} | "
            f"{r.added_cpu_us:+.1f} | {r.ratio:.3f} | {per_chunk} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few rounds, core scenarios only")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--calls", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="print only; do not rewrite results/overhead.md")
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 21)
    calls = args.calls or (20 if args.quick else 50)
    rows = []
    for scenario in scenarios(args.quick):
        for capture in ("NO_CONTENT", "SPAN_AND_EVENT"):
            row = measure(scenario, capture, rounds, calls)
            rows.append(row)
            print(f"{row.scenario:>20} {row.capture:>15}: {row.added_us:+8.1f} µs ({row.ratio:.3f}x)", file=sys.stderr)
    text = report(rows, rounds, calls)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
