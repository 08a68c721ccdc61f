"""Where a store is: a ``postgresql://`` URL or a SQLite file, and the engine that opens it."""

from __future__ import annotations

from pathlib import Path

from otel_genai.viewer.store import Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


def is_postgres_location(location: str) -> bool:
    return location.startswith(POSTGRES_SCHEMES)


def sqlite_path(location: str) -> Path:
    """The file of a SQLite location: a path, or ``sqlite:///relative`` / ``sqlite:////absolute``."""
    if location.startswith(SQLITE_SCHEME):
        location = location[len(SQLITE_SCHEME) :]
    return Path(location).expanduser()


def open_store(location: str, *, index_in_background: bool = False, pool_size: int = 8, writer: bool = True) -> Store:
    """The store at ``location``: a ``postgresql://`` URL, or a SQLite file (path or ``sqlite:///``).

    ``writer=False`` (a page-only instance) opens a PostgreSQL store without migrating or
    writing anything, so it can read a hot-standby replica.
    """
    if is_postgres_location(location):
        from otel_genai.viewer.store_postgres import PostgresStore

        return PostgresStore(location, pool_size=pool_size, writer=writer)
    from otel_genai.viewer.store_sqlite import SqliteStore

    return SqliteStore(sqlite_path(location), index_in_background=index_in_background)
