"""Fixtures for the viewer's tests: a viewer on ephemeral ports and SDK pipelines aimed at it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The helper module beside this file, importable whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))
from viewer_telemetry import Pipeline, make_pipeline  # noqa: E402

from otel_genai.viewer.config import ViewerConfig
from otel_genai.viewer.server import Endpoints, ViewerServer
from otel_genai.viewer.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store in a temporary folder, without a running viewer."""
    opened = Store(tmp_path / "db.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def viewer_factory(tmp_path: Path) -> Iterator[Callable[..., ViewerServer]]:
    """Start viewers on ephemeral ports with a temporary data dir; all stopped at teardown."""
    started: list[ViewerServer] = []

    def start(**overrides: Any) -> ViewerServer:
        settings: dict[str, Any] = {"http_port": 0, "grpc_port": 0, "page_port": 0, "data_dir": tmp_path / "data"}
        settings.update(overrides)
        server = ViewerServer(ViewerConfig(**settings))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def viewer(viewer_factory: Callable[..., ViewerServer]) -> ViewerServer:
    """A running viewer with default settings."""
    return viewer_factory()


@pytest.fixture
def pipeline_factory() -> Iterator[Callable[..., Pipeline]]:
    """Build SDK pipelines; all shut down at teardown."""
    made: list[Pipeline] = []

    def build(endpoints: Endpoints, protocol: str = "http", headers: dict[str, str] | None = None) -> Pipeline:
        pipeline = make_pipeline(endpoints, protocol, headers)
        made.append(pipeline)
        return pipeline

    yield build
    for pipeline in made:
        pipeline.shutdown()
