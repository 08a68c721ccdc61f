"""Benchmark of `otel-genai ui`: sustained OTLP/HTTP ingest, then page queries at 100k traces.

The viewer runs as the real command in a subprocess (so it has its own interpreter and
core); this process plays the exporters: it posts OTLP/HTTP protobuf export requests of
512 spans each, the SDK BatchSpanProcessor's default batch size, one request at a time
per sender as the SDK's exporter thread does. Each trace is a GenAI request: a server
root span, a chat span with captured messages, an HTTP client span and a tool span.

Then, with the store holding ``--traces`` traces, it times the page's JSON API calls.
Every figure is a median over repetitions (the machine is shared and noisy).

    .venv/bin/python benchmarks/viewer_ingest.py            # full run, 100,000 traces
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


def start_viewer(data_dir: Path) -> tuple[subprocess.Popen[str], str, str]:
    """Run `otel-genai ui` on free ports; returns the process, receiver and page URLs."""
    command = [sys.executable, "-m", "otel_genai.cli", "ui", "--no-grpc", "--http-port", "0", "--port", "0",
               "--data-dir", str(data_dir), "--retention-days", "30", "--max-size-mb", "100000"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = ""
    for line in process.stdout:
        output += line
        if "Ctrl+C" in line:
            break
    receiver = re.search(r"OTLP/HTTP:\s+(http://\S+)", output)
    page = re.search(r"page:\s+(http://\S+)/", output)
    if not (receiver and page):
        process.kill()
        raise RuntimeError(f"the viewer did not start:\n{output}")
    return process, receiver.group(1), page.group(1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), or NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post_all(url: str, bodies: list[bytes], senders: int) -> float:
    """Post every body (``senders`` concurrent exporters); returns elapsed seconds."""
    chunks = [bodies[i::senders] for i in range(senders)]
    errors: list[str] = []

    def send(chunk: list[bytes]) -> None:
        with requests.Session() as session:
            for body in chunk:
                response = session.post(url, data=body, headers={"content-type": "application/x-protobuf"})
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=send, args=(chunk,)) for chunk in chunks]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000, help="traces stored before the query timings")
    parser.add_argument("--rounds", type=int, default=5, help="ingest is measured in this many rounds")
    parser.add_argument("--senders", type=int, default=1, help="concurrent exporters during ingest")
    parser.add_argument("--query-repeats", type=int, default=30)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary directory")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="viewer-bench-"))
    rng = random.Random(4319)
    now = time.time_ns()
    requests_needed = -(-args.traces // TRACES_PER_REQUEST)
    print(f"building {requests_needed} export requests of {SPANS_PER_REQUEST} spans...", flush=True)
    # Like live exporters, each request carries recent spans: request i covers the i-th
    # slice of the last six days, so the store ends up holding six days of history.
    history = 6 * 86_400 * 10**9
    step = history // requests_needed
    bodies = [build_request(rng, now - history + i * step, step) for i in range(requests_needed)]
    print(f"request size: {statistics.median(len(b) for b in bodies) / 1024:.0f} KiB (median)", flush=True)

    process, receiver, page = start_viewer(data_dir)
    figures: dict[str, object] = {"cpu_count": os.cpu_count(), "senders": args.senders}
    try:
        rates, capacities = [], []
        per_round = -(-len(bodies) // args.rounds)
        for n in range(args.rounds):
            chunk = bodies[n * per_round : (n + 1) * per_round]
            if not chunk:
                break
            cpu_before = cpu_seconds(process.pid)
            elapsed = post_all(receiver + "/v1/traces", chunk, args.senders)
            spans = len(chunk) * SPANS_PER_REQUEST
            rates.append(spans / elapsed)
            # Spans per second of the viewer's own CPU time: its capacity on one free core,
            # a figure that other load on a shared machine does not distort.
            capacities.append(spans / max(cpu_seconds(process.pid) - cpu_before, 1e-9))
            print(f"ingest round {n + 1}: {len(chunk)} requests, {rates[-1]:,.0f} spans/s "
                  f"({capacities[-1]:,.0f} per viewer CPU-second)", flush=True)  # fmt: skip
        figures["ingest_spans_per_s_rounds"] = [round(r) for r in rates]
        figures["ingest_spans_per_s_median"] = round(statistics.median(rates))
        figures["ingest_spans_per_cpu_s_median"] = round(statistics.median(capacities))
        figures["load_average_after_ingest"] = os.getloadavg()
        # Full-text indexing runs beside ingest: how far behind is it, and for how long?
        db = sqlite3.connect(f"file:{data_dir / 'viewer.sqlite3'}?mode=ro", uri=True)
        backlog = db.execute("SELECT COUNT(*) FROM content_unindexed").fetchone()[0]
        began = time.perf_counter()
        while db.execute("SELECT COUNT(*) FROM content_unindexed").fetchone()[0]:
            time.sleep(0.05)
        figures["search_backlog_after_ingest_rows"] = backlog
        figures["search_backlog_cleared_after_s"] = round(time.perf_counter() - began, 2)
        db.close()
        print(f"search index backlog after ingest: {backlog} rows, cleared in "
              f"{figures['search_backlog_cleared_after_s']} s", flush=True)  # fmt: skip

        with requests.Session() as session:
            stored = len(bodies) * TRACES_PER_REQUEST
            listing = session.get(page + "/api/traces?limit=50").json()
            sample_trace = listing["traces"][25]["trace_id"]
            older = session.get(page + "/api/traces?limit=50&before=" + listing["next"]).json()
            assert len(older["traces"]) == 50
            day_ago = int(time.time() * 1000) - 86_400_000
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
                "overview (24 h)": f"/api/overview?since={day_ago}",
            }
            queries = {}
            for label, path in checks.items():
                queries[label] = time_get(session, page + path, args.query_repeats)
                print(f"{label:28s} median {queries[label]['median_ms']:8.1f} ms   p95 "
                      f"{queries[label]['p95_ms']:8.1f} ms", flush=True)  # fmt: skip
            figures["stored_traces"] = stored
            figures["stored_spans"] = stored * SPANS_PER_TRACE
            figures["queries"] = queries
            db = data_dir / "viewer.sqlite3"
            figures["database_mb"] = round(db.stat().st_size / 2**20, 1)
    finally:
        process.terminate()
        process.wait(30)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
