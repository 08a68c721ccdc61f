"""Fixtures of the demo command's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def viewer_endpoints(tmp_path: Path) -> Iterator[Any]:
    """A viewer already running (in this process) on ephemeral ports."""
    from otel_genai.viewer.config import ViewerConfig
    from otel_genai.viewer.server import ViewerServer

    config = ViewerConfig(http_port=0, grpc_port=0, page_port=0, data_dir=tmp_path / "viewer", grpc_enabled=False)
    with ViewerServer(config) as server:
        yield server.endpoints
