"""Data the receiver acknowledged with 200 survives ``kill -9`` of the viewer mid-ingest.

A real `otel-genai ui` process takes exports from several senders; once enough are
acknowledged it is killed with SIGKILL while the senders keep sending. The store (of each
engine) is then reopened: every span of every acknowledged request must be there.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from viewer_telemetry import query_rows, trace_request

from otel_genai.viewer.store_location import open_store

# The real `otel-genai ui` process, started as the ingest benchmark starts it.
sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from viewer_ingest import start_viewer  # noqa: E402

SENDERS = 3
TRACES_PER_REQUEST = 20
ACKNOWLEDGED_BEFORE_KILL = 30  # requests


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_acknowledged_spans_survive_sigkill_mid_ingest(store_location) -> None:
    viewer, receiver, _ = start_viewer(["--store", store_location])
    assert receiver is not None
    url = receiver + "/v1/traces"
    try:

        acknowledged: list[str] = []
        refused_after_kill = [0] * SENDERS
        lock = threading.Lock()
        enough = threading.Event()

        def send(sender: int) -> None:
            session = requests.Session()
            while True:
                request, trace_ids = trace_request(TRACES_PER_REQUEST, time.time_ns(), text=f"sender {sender}")
                try:
                    reply = session.post(
                        url, data=request.SerializeToString(),
                        headers={"content-type": "application/x-protobuf"}, timeout=60,
                    )  # fmt: skip
                except requests.ConnectionError:
                    refused_after_kill[sender] += 1
                    return  # the viewer is gone
                if reply.status_code == 200:
                    with lock:
                        acknowledged.extend(trace_ids)
                        if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL * TRACES_PER_REQUEST:
                            enough.set()

        threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(SENDERS)]
        for thread in threads:
            thread.start()
        assert enough.wait(120), "the viewer acknowledged too few requests"
        os.kill(viewer.pid, signal.SIGKILL)
        assert viewer.wait(timeout=30) == -signal.SIGKILL
        for thread in threads:
            thread.join(60)
        # Each sender was still sending when the viewer died.
        assert refused_after_kill == [1] * SENDERS
    finally:
        if viewer.poll() is None:
            viewer.kill()
            viewer.wait()

    with lock:
        expected = set(acknowledged)
    store = open_store(store_location)
    try:
        rows = query_rows(store, "SELECT trace_id, span_count FROM traces WHERE span_count > 0")
    finally:
        store.close()
    stored = {row["trace_id"]: row["span_count"] for row in rows}
    missing = expected - stored.keys()
    assert not missing, f"{len(missing)} acknowledged traces lost"
    assert all(stored[t] == 2 for t in expected)
