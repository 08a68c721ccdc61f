"""Real third-party instrumentations (live_producers.py) feeding a real viewer.

Each makes four calls to the local endpoint; the checks (dialect_checks.py) then read what the
page reads, the viewer's JSON API.
"""

from __future__ import annotations

from typing import Any

import pytest
from dialect_checks import Producer, check_page
from live_producers import IDS, PRODUCERS, run_producer


@pytest.mark.parametrize(("producer", "venv"), PRODUCERS, ids=IDS)
def test_a_producer_shows_like_ours(producer: Producer, venv: str, mock_server: Any, viewer: Any) -> None:
    run_producer(producer, venv, mock_server, viewer)
    check_page(viewer, producer)
