"""Real third-party instrumentations (live_producers.py) feeding a real viewer.

Each makes four calls to the local endpoint; the checks (dialect_checks.py) then read what the
page reads, the viewer's JSON API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import live_producers
import pytest
from dialect_checks import Producer, check_page
from live_producers import IDS, PRODUCERS, run_producer


@pytest.mark.parametrize(("producer", "venv"), PRODUCERS, ids=IDS)
def test_a_producer_shows_like_ours(producer: Producer, venv: str, mock_server: Any, viewer: Any) -> None:
    run_producer(producer, venv, mock_server, viewer)
    check_page(viewer, producer)


def test_missing_producer_venv_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(live_producers, "REPO", tmp_path)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="make dialects-venv"):
        live_producers.run_producer(*PRODUCERS[0], mock_server=None, viewer=None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        live_producers.run_producer(*PRODUCERS[0], mock_server=None, viewer=None)
