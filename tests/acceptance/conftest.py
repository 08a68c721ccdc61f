"""The replay server both acceptance suites serve recorded responses from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from replay_server import ReplayApp


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayApp]:
    from otel_genai.mock_openai import LoopbackServer

    app = ReplayApp()
    with LoopbackServer(app.app) as server:
        app.base_url = f"{server.root_url}/v1"
        yield app
