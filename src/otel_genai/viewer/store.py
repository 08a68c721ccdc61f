"""The viewer's store: one interface, two engines.

Receivers hand it the rows of one decoded export request (``write``); the page runs its
queries through it. The embedded engine is SQLite (one file, one process); the server engine
is PostgreSQL (many receivers and pages on several hosts share one database). Everything
engine-specific, SQL included, lives in the engine modules; the page's queries
(``queries.py``, ``overview.py``) are written once and run on either through a ``Reader``.
``store_location.open_store`` picks the engine.
"""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from otel_genai.viewer import overview, queries, untraced_logs
from otel_genai.viewer.otlp_rows import Batch
from otel_genai.viewer.reader import Reader
from otel_genai.viewer.session_transcript import session_transcript


class StoreUnavailable(Exception):
    """The store cannot be opened (e.g. the database server refuses): a one-line reason."""


@dataclass(frozen=True)
class RetentionPolicy:
    """How much the store keeps: data older than ``max_age_days`` or beyond ``max_bytes`` goes."""

    max_age_days: float
    max_bytes: int


@dataclass(frozen=True)
class RetentionResult:
    """What one retention pass removed; ``skipped`` when another instance was running one."""

    traces_deleted: int
    size_bytes: int
    skipped: bool = False


class Store(abc.ABC):
    """Where the viewer keeps telemetry. Thread-safe; close it when done."""

    #: Where the store is, for people (a PostgreSQL password is never part of it).
    description: str

    @abc.abstractmethod
    def write(self, batch: Batch) -> None:
        """Write all rows of one export request atomically; returns once durably committed.

        Rows already stored (a retried export) are not stored again.
        """

    @abc.abstractmethod
    def enforce_retention(self, policy: RetentionPolicy, now_ns: int | None = None) -> RetentionResult:
        """Delete what the policy no longer keeps."""

    @abc.abstractmethod
    def index_content(self) -> int:
        """Make all captured content searchable now; returns how many rows that took."""

    @abc.abstractmethod
    def reading(self) -> AbstractContextManager[Reader]:
        """A reader for the duration of a ``with`` block."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release every connection; the store is unusable afterwards."""

    def retention_summary(self, days: float, max_size_mb: float) -> str:
        """What retention keeps, for the start-up message."""
        return f"{days:g} days, {max_size_mb:g} MB"

    # -- the page's queries, the same on every engine -------------------------------

    def list_traces(self, flt: queries.TraceFilter) -> dict[str, Any]:
        with self.reading() as reader:
            return queries.list_traces(reader, flt)

    def trace_detail(self, trace_id: str) -> dict[str, Any] | None:
        with self.reading() as reader:
            return queries.trace_detail(reader, trace_id)

    def facet_values(self) -> dict[str, list[str]]:
        with self.reading() as reader:
            return queries.facet_values(reader)

    def list_sessions(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        with self.reading() as reader:
            return queries.list_sessions(reader, limit=limit, offset=offset)

    def session_traces(self, conversation_id: str, limit: int = 200) -> list[dict[str, Any]]:
        with self.reading() as reader:
            return queries.session_traces(reader, conversation_id, limit=limit)

    def session_transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.reading() as reader:
            return session_transcript(reader, conversation_id)

    def overview(self, since_ns: int, until_ns: int) -> dict[str, Any]:
        with self.reading() as reader:
            return overview.overview(reader, since_ns, until_ns)

    def data_window(self) -> tuple[int, int] | None:
        with self.reading() as reader:
            return overview.data_window(reader)

    def untraced_logs(self, before: str | None = None, limit: int = 100) -> dict[str, Any]:
        with self.reading() as reader:
            return untraced_logs.list_untraced_logs(reader, before, limit)
