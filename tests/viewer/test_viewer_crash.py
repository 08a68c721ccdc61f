"""Data the receiver acknowledged with 200 survives ``kill -9`` of the viewer mid-ingest.

A real `otel-genai ui` process takes exports from several senders; once enough are
acknowledged it is killed with SIGKILL while the senders keep sending. The store is then
reopened: every span of every acknowledged request must be there.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
from viewer_telemetry import trace_request

from otel_genai.viewer.store import Store

SENDERS = 3
TRACES_PER_REQUEST = 20
ACKNOWLEDGED_BEFORE_KILL = 30  # requests


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_acknowledged_spans_survive_sigkill_mid_ingest(tmp_path) -> None:
    command = [sys.executable, "-m", "otel_genai.cli", "ui", "--http-port", "0", "--port", "0", "--no-grpc",
               "--data-dir", str(tmp_path)]  # fmt: skip
    viewer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert viewer.stdout is not None
        banner = ""
        for line in viewer.stdout:
            banner += line
            if "Ctrl+C" in line:
                break
        found = re.search(r"OTLP/HTTP:\s+(http://\S+)", banner)
        assert found, banner
        url = found[1] + "/v1/traces"

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
    store = Store(tmp_path / "viewer.sqlite3")
    try:
        rows = store.reader().execute("SELECT trace_id, span_count FROM traces WHERE span_count > 0").fetchall()
    finally:
        store.close()
    stored = {row["trace_id"]: row["span_count"] for row in rows}
    missing = expected - stored.keys()
    assert not missing, f"{len(missing)} acknowledged traces lost"
    assert all(stored[t] == 2 for t in expected)
