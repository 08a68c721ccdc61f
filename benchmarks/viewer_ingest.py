"""Benchmark of `otel-genai ui`: sustained OTLP/HTTP ingest, then page queries, on either store.

The viewer runs as the real command in subprocesses (each its own interpreter and core);
this process plays the exporters: it posts OTLP/HTTP protobuf export requests of 512 spans
each, the SDK BatchSpanProcessor's default batch size, one request at a time per sender as
the SDK's exporter thread does. Each trace is a GenAI request: a server root span, a chat
span with captured messages, an HTTP client span and a tool span.

SQLite: one `otel-genai ui` process receives and serves the page. PostgreSQL: ``--receivers``
processes run `otel-genai ui --no-page` (one exporter each) into one database, and one
`otel-genai ui --no-receivers` serves the page; without ``--postgres-url`` a throwaway
PostgreSQL server is started (fsync on, so commits are as durable as SQLite's).

Each time the store holds one of the ``--traces`` counts, it times the page's JSON API calls.
Every figure is a median over repetitions (the machine is shared and noisy).

    .venv/bin/python benchmarks/viewer_ingest.py                          # SQLite, 100,000 traces
    .venv/bin/python benchmarks/viewer_ingest.py --engine postgresql --receivers 2 --traces 100000,250000
    .venv/bin/python benchmarks/viewer_ingest.py --traces 20000 --query-repeats 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

# The tests' helpers for starting `otel-genai ui` and a throwaway PostgreSQL.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "viewer"))

SPANS_PER_TRACE = 4
SPANS_PER_REQUEST = 512
TRACES_PER_REQUEST = SPANS_PER_REQUEST // SPANS_PER_TRACE
MODELS = [("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4"), ("openai", "o3-mini")]
WORDS = [
    "weather",
    "paris",
    "london",
    "invoice",
    "refund",
    "order",
    "shipping",
    "delay",
    "password",
    "reset",
    "account",
    "billing",
    "summary",
    "translate",
    "poem",
    "haiku",
    "recipe",
    "pasta",
    "budget",
    "report",
    "quarterly",
    "sales",
    "forecast",
    "contract",
    "clause",
    "privacy",
    "policy",
    "flight",
    "hotel",
    "booking",
    "cancel",
    "upgrade",
    "subscription",
    "error",
    "stacktrace",
    "python",
    "function",
    "bug",
]


def _kv(key: str, value: object) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


def build_request(rng: random.Random, first_start_ns: int, spread_ns: int) -> bytes:
    """One export request: TRACES_PER_REQUEST GenAI traces of SPANS_PER_TRACE spans."""
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.extend(
        [_kv("service.name", "bench-app"), _kv("telemetry.sdk.language", "python")]
    )
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = "bench"
    for _ in range(TRACES_PER_REQUEST):
        trace_id, root_id, chat_id = rng.randbytes(16), rng.randbytes(8), rng.randbytes(8)
        start = first_start_ns + rng.randrange(spread_ns)
        provider, model = rng.choice(MODELS)
        failed = rng.random() < 0.03
        duration = rng.randrange(200_000_000, 4_000_000_000)
        question = " ".join(rng.choices(WORDS, k=24))
        if rng.random() < 0.001:  # a rare word, for a selective text search
            question += " zebra"
        answer = " ".join(rng.choices(WORDS, k=40))
        end = start + duration
        root = scope_spans.spans.add(trace_id=trace_id, span_id=root_id, name="POST /chat", kind=2,
                                     start_time_unix_nano=start, end_time_unix_nano=end + 5_000_000)  # fmt: skip
        root.attributes.extend([_kv("http.request.method", "POST"), _kv("http.route", "/chat"),
                                _kv("http.response.status_code", 500 if failed else 200)])  # fmt: skip
        chat = scope_spans.spans.add(trace_id=trace_id, span_id=chat_id, parent_span_id=root_id,
                                     name=f"chat {model}", kind=3, start_time_unix_nano=start + 1_000_000,
                                     end_time_unix_nano=start + duration)  # fmt: skip
        input_messages = [{"role": "user", "parts": [{"type": "text", "content": question}]}]
        output_messages = [{"role": "assistant", "parts": [{"type": "text", "content": answer}],
                            "finish_reason": "stop"}]  # fmt: skip
        chat.attributes.extend(
            [_kv("gen_ai.operation.name", "chat"), _kv("gen_ai.provider.name", provider),
             _kv("gen_ai.request.model", model), _kv("gen_ai.response.model", model),
             _kv("gen_ai.usage.input_tokens", rng.randrange(50, 4000)),
             _kv("gen_ai.usage.output_tokens", rng.randrange(10, 800)),
             _kv("gen_ai.usage.cache_read.input_tokens", rng.randrange(0, 40)),
             _kv("gen_ai.response.finish_reasons", "stop"), _kv("server.address", "api.example.com"),
             _kv("server.port", 443), _kv("gen_ai.conversation.id", f"conv-{rng.randrange(5000)}"),
             _kv("gen_ai.input.messages", json.dumps(input_messages)),
             _kv("gen_ai.output.messages", json.dumps(output_messages))]
        )  # fmt: skip
        if failed:
            chat.attributes.append(_kv("error.type", "RateLimitError"))
            chat.status.code = 2
        http = scope_spans.spans.add(trace_id=trace_id, span_id=rng.randbytes(8), parent_span_id=chat_id,
                                     name="POST", kind=3, start_time_unix_nano=start + 2_000_000,
                                     end_time_unix_nano=start + duration - 1_000_000)  # fmt: skip
        http.attributes.extend([_kv("http.request.method", "POST"), _kv("server.address", "api.example.com"),
                                _kv("url.full", "https://api.example.com/v1/chat/completions")])  # fmt: skip
        tool = scope_spans.spans.add(trace_id=trace_id, span_id=rng.randbytes(8), parent_span_id=root_id,
                                     name="execute_tool lookup", kind=1, start_time_unix_nano=start + duration,
                                     end_time_unix_nano=start + duration + 4_000_000)  # fmt: skip
        tool.attributes.extend([_kv("gen_ai.operation.name", "execute_tool"), _kv("gen_ai.tool.name", "lookup")])
    return request.SerializeToString()


def start_viewer(options: list[str]) -> tuple[subprocess.Popen[str], str | None, str | None]:
    """Run `otel-genai ui` on free ports; returns the process, its receiver and page URLs (or None)."""
    from ui_process import start_ui

    process, output = start_ui(["--no-grpc", "--http-port", "0", "--port", "0", "--retention-days", "30",
                                "--max-size-mb", "100000", *options])  # fmt: skip
    receiver = re.search(r"OTLP/HTTP:\s+(http://\S+)", output)
    page = re.search(r"page:\s+(http://\S+)/", output)
    if not (receiver or page):
        process.kill()
        raise RuntimeError(f"the viewer did not start:\n{output}")
    return process, receiver.group(1) if receiver else None, page.group(1) if page else None


def start_postgres() -> tuple[object, str]:
    """A throwaway PostgreSQL server (the tests' helper), with settings for a write-heavy load."""
    from postgres_server import PostgresServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed: run .ci/install-postgres, or pass --postgres-url")
    settings = {"fsync": "on", "shared_buffers": "256MB", "max_wal_size": "4GB", "checkpoint_timeout": "15min"}
    server = PostgresServer(bin_dir, settings=settings)
    server.start()
    return server, server.url()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), or NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (PostgreSQL's server and its backends)."""
    total = cpu_seconds(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(cpu_seconds(int(child)) for child in children)


def post_all(urls: list[str], bodies: list[bytes], senders: int) -> float:
    """Post every body (``senders`` concurrent exporters per receiver URL); returns elapsed seconds."""
    streams = len(urls) * senders
    chunks = [(urls[i % len(urls)], bodies[i::streams]) for i in range(streams)]
    errors: list[str] = []

    def send(url: str, chunk: list[bytes]) -> None:
        with requests.Session() as session:
            for body in chunk:
                response = session.post(url, data=body, headers={"content-type": "application/x-protobuf"})
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=send, args=chunk) for chunk in chunks]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} export requests failed, first: {errors[0]}")
    return elapsed


def time_get(session: requests.Session, url: str, repeats: int) -> dict[str, float]:
    """Median and p95 wall time (ms) of GET ``url``, after one warm-up call."""
    session.get(url).raise_for_status()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        session.get(url).raise_for_status()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {"median_ms": statistics.median(samples), "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)]}


def time_queries(page: str, repeats: int, newest_ms: int) -> dict[str, dict[str, float]]:
    """The page's JSON API calls, each timed ``repeats`` times.

    Time windows end at ``newest_ms``, the newest stored span: a store that holds only the
    first part of the traffic would otherwise have nothing in "the last 24 hours".
    """
    with requests.Session() as session:
        listing = session.get(page + "/api/traces?limit=50").json()
        sample_trace = listing["traces"][25]["trace_id"]
        older = session.get(page + "/api/traces?limit=50&before=" + listing["next"]).json()
        assert len(older["traces"]) == 50
        day_ago = newest_ms - 86_400_000
        checks = {
            "list (first page)": "/api/traces?limit=50",
            "list (page 2, keyset)": "/api/traces?limit=50&before=" + listing["next"],
            "list filtered by model": "/api/traces?limit=50&model=claude-sonnet-4",
            "list errors only": "/api/traces?limit=50&error=1",
            "list last 24 h": f"/api/traces?limit=50&since={day_ago}",
            "list text search, rare word": "/api/traces?limit=50&q=zebra",
            "list text search, common words": "/api/traces?limit=50&q=invoice%20refund",
            "trace detail": f"/api/traces/{sample_trace}",
            "filter menus (facets)": "/api/facets",
            "sessions": "/api/sessions",
            "overview (24 h)": f"/api/overview?since={day_ago}&until={newest_ms}",
        }
        timings = {}
        for label, path in checks.items():
            timings[label] = time_get(session, page + path, repeats)
            print(f"{label:32s} median {timings[label]['median_ms']:8.1f} ms   p95 "
                  f"{timings[label]['p95_ms']:8.1f} ms", flush=True)  # fmt: skip
    return timings


def database_mb(engine: str, store: str) -> float:
    if engine == "sqlite":
        return round(Path(store).stat().st_size / 2**20, 1)
    import psycopg

    with psycopg.connect(store) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return round(int(row[0]) / 2**20, 1) if row else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--receivers", type=int, default=None,
                        help="receiver processes (PostgreSQL only; default 2)")  # fmt: skip
    parser.add_argument("--postgres-url", default=None, help="an existing database (default: a throwaway server)")
    parser.add_argument("--traces", default="100000",
                        help="comma-separated stored-trace counts at which the queries are timed")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5, help="each stretch of ingest is measured in this many rounds")
    parser.add_argument("--senders", type=int, default=1, help="concurrent exporters per receiver")
    parser.add_argument("--query-repeats", type=int, default=30)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary directory")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    checkpoints = sorted(int(n) for n in args.traces.split(","))
    receivers_count = 1 if args.engine == "sqlite" else (args.receivers or 2)

    rng = random.Random(4319)
    now = time.time_ns()
    requests_needed = -(-checkpoints[-1] // TRACES_PER_REQUEST)
    print(f"building {requests_needed} export requests of {SPANS_PER_REQUEST} spans...", flush=True)
    # Like live exporters, each request carries recent spans: request i covers the i-th
    # slice of the last six days, so the store ends up holding six days of history.
    history = 6 * 86_400 * 10**9
    step = history // requests_needed
    bodies = [build_request(rng, now - history + i * step, step) for i in range(requests_needed)]
    print(f"request size: {statistics.median(len(b) for b in bodies) / 1024:.0f} KiB (median)", flush=True)

    postgres = None
    processes: list[subprocess.Popen[str]] = []
    figures: dict[str, object] = {"engine": args.engine, "receivers": receivers_count, "cpu_count": os.cpu_count(),
                                  "senders_per_receiver": args.senders}  # fmt: skip
    try:
        if args.engine == "sqlite":
            data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="viewer-bench-"))
            store = str(data_dir / "viewer.sqlite3")
            process, receiver, page = start_viewer(["--store", store])
            processes.append(process)
            receivers, receiver_pids = [receiver], [process.pid]
        else:
            store = args.postgres_url
            if store is None:
                postgres, store = start_postgres()
            receivers, receiver_pids = [], []
            for _ in range(receivers_count):
                process, receiver, _ = start_viewer(["--store", store, "--no-page"])
                processes.append(process)
                receivers.append(receiver)
                receiver_pids.append(process.pid)
            process, _, page = start_viewer(["--store", store, "--no-receivers"])
            processes.append(process)
        assert page is not None and all(receivers)
        database_pid = postgres.postmaster_pid() if postgres is not None else None  # type: ignore[attr-defined]

        stretches = []
        sent = 0
        for stored_traces in checkpoints:
            upto = -(-stored_traces // TRACES_PER_REQUEST)
            stretch = bodies[sent:upto]
            sent = upto
            rates, capacities, database_cpu = [], [], []
            per_round = -(-len(stretch) // args.rounds)
            for n in range(args.rounds):
                chunk = stretch[n * per_round : (n + 1) * per_round]
                if not chunk:
                    break
                cpu_before = sum(cpu_seconds(pid) for pid in receiver_pids)
                db_before = tree_cpu_seconds(database_pid) if database_pid else 0.0
                elapsed = post_all([f"{r}/v1/traces" for r in receivers], chunk, args.senders)
                spans = len(chunk) * SPANS_PER_REQUEST
                rates.append(spans / elapsed)
                # Spans per second of the receivers' own CPU time: their capacity on free cores,
                # a figure that other load on a shared machine does not distort.
                capacities.append(spans / max(sum(cpu_seconds(pid) for pid in receiver_pids) - cpu_before, 1e-9))
                if database_pid:
                    database_cpu.append((tree_cpu_seconds(database_pid) - db_before) / spans * 1e6)
                print(f"ingest round {n + 1}: {len(chunk)} requests, {rates[-1]:,.0f} spans/s "
                      f"({capacities[-1]:,.0f} per receiver CPU-second"
                      + (f", database {database_cpu[-1]:.0f} µs CPU a span" if database_cpu else "")
                      + ")", flush=True)  # fmt: skip
            load = os.getloadavg()
            if args.engine == "sqlite":
                # Full-text indexing runs beside ingest: wait until it has caught up.
                db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
                while db.execute("SELECT COUNT(*) FROM content_unindexed").fetchone()[0]:
                    time.sleep(0.05)
                db.close()
            stored = sent * TRACES_PER_REQUEST
            print(f"-- {stored:,} traces, {stored * SPANS_PER_TRACE:,} spans stored; page queries:", flush=True)
            stretch_figures: dict[str, object] = {
                "stored_traces": stored,
                "stored_spans": stored * SPANS_PER_TRACE,
                "ingest_spans_per_s_rounds": [round(r) for r in rates],
                "ingest_spans_per_s_median": round(statistics.median(rates)),
                "ingest_spans_per_receiver_cpu_s_median": round(statistics.median(capacities)),
                "load_average_after_ingest": load,
                "queries": time_queries(page, args.query_repeats, (now - history + sent * step) // 1_000_000),
                "database_mb": database_mb(args.engine, store),
            }
            if database_cpu:
                stretch_figures["database_cpu_us_per_span_median"] = round(statistics.median(database_cpu), 1)
            stretches.append(stretch_figures)
        figures["stretches"] = stretches
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        if postgres is not None:
            postgres.destroy()  # type: ignore[attr-defined]
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
