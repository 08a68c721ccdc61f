"""A stream read partly and then dropped leaves the heap as the uninstrumented client does.

The app reads one chunk and drops the stream (a user closing the tab mid-answer). After
``gc.collect()`` the instrumented client must keep no more than the uninstrumented one, give
or take 200 bytes a stream: the HTTP connection and its buffers go back to the pool.
The local endpoint runs in its own process, so its own allocations are not counted, and the
measurement in a fresh interpreter (``abandoned_streams_probe.py``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

LIMIT = 200  # bytes retained per abandoned stream, ours minus uninstrumented


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cli = Path(sys.executable).with_name("otel-genai")
    server = subprocess.Popen(
        [str(cli), "mock-openai", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # until it accepts connections (a generous bound, not a trigger)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the local endpoint did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.terminate()
        server.wait(timeout=30)


def retained(endpoint: str, instrumented: bool, provider: str = "openai") -> float:
    """Bytes per abandoned stream, from the probe run in its own interpreter."""
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    args = [
        sys.executable,
        str(here / "abandoned_streams_probe.py"),
        endpoint,
        "on" if instrumented else "off",
        provider,
    ]
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=True, timeout=600)
    return float(done.stdout.strip().splitlines()[-1])


def test_an_abandoned_stream_keeps_what_the_uninstrumented_client_keeps(endpoint: str) -> None:
    uninstrumented = retained(endpoint, False)
    ours = retained(endpoint, True)
    assert ours - uninstrumented < LIMIT, f"ours {ours:.0f} B, uninstrumented {uninstrumented:.0f} B per stream"


def test_an_abandoned_anthropic_stream_keeps_what_the_uninstrumented_client_keeps(endpoint: str) -> None:
    pytest.importorskip("anthropic")
    uninstrumented = retained(endpoint, False, "anthropic")
    ours = retained(endpoint, True, "anthropic")
    assert ours - uninstrumented < LIMIT, f"ours {ours:.0f} B, uninstrumented {uninstrumented:.0f} B per stream"
