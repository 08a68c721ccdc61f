"""Fixtures for the viewer's tests: stores of both engines, viewers on ephemeral ports, SDK pipelines.

``engine`` is parametrised, so a test that uses ``store``, ``store_location`` or a viewer runs
once on SQLite and once on PostgreSQL (a real server started once per test session, with one
new database per test). A module can pin one engine by defining its own ``engine`` fixture.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The helper module beside this file, importable whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))
from postgres_server import PostgresServer, running_server  # noqa: E402
from viewer_telemetry import Pipeline, make_pipeline  # noqa: E402

from otel_genai.viewer.config import ViewerConfig
from otel_genai.viewer.server import Endpoints, ViewerServer
from otel_genai.viewer.store import Store
from otel_genai.viewer.store_location import open_store

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for this test session (each pytest-xdist worker has its own)."""
    with running_server() as server:
        yield server


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_location(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's store lives: a SQLite file, or a new database on the session's server."""
    if engine == "sqlite":
        yield str(tmp_path / "data" / "viewer.sqlite3")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def store(store_location: str) -> Iterator[Store]:
    """An open store of the test's engine, closed at teardown."""
    opened = open_store(store_location)
    yield opened
    opened.close()


@pytest.fixture
def viewer_factory(tmp_path: Path, store_location: str) -> Iterator[Callable[..., ViewerServer]]:
    """Start viewers on ephemeral ports over the test's store; all stopped at teardown."""
    started: list[ViewerServer] = []

    def start(**overrides: Any) -> ViewerServer:
        settings: dict[str, Any] = {"http_port": 0, "grpc_port": 0, "page_port": 0, "data_dir": tmp_path / "data",
                                    "store": store_location}  # fmt: skip
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


@pytest.fixture
def screenshot(tmp_path: Path) -> Any:
    """Save a full-page screenshot (in VIEWER_SCREENSHOT_DIR when set, to keep them) and check it has content."""
    folder = Path(os.environ.get("VIEWER_SCREENSHOT_DIR") or tmp_path)

    def take(page: Any, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        return path

    return take
