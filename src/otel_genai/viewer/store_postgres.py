"""The server engine: a PostgreSQL database that several viewer instances share.

Receivers on any number of hosts write into it; any instance serves the page over all of it.
Connections come from a psycopg pool; each export request is one transaction, committed
(``synchronous_commit`` as the server has it, durable by default) before the receiver answers.
The password comes only from the URL or libpq's own sources (``PGPASSWORD``, ``~/.pgpass``);
``description`` never contains it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from otel_genai.viewer import schema_postgres
from otel_genai.viewer.otlp_rows import LOG_COLUMNS, METRIC_COLUMNS, SPAN_COLUMNS, Batch
from otel_genai.viewer.postgres_reader import PostgresReader, configure_reader, terms
from otel_genai.viewer.row_digest import content_digest, log_digest
from otel_genai.viewer.store import RetentionPolicy, RetentionResult, Store, StoreUnavailable

log = logging.getLogger(__name__)

_NS_PER_DAY = 86_400 * 1_000_000_000
_NS_PER_HOUR = 3_600 * 1_000_000_000
LATEST_VERSION = max(schema_postgres.MIGRATIONS)
_WRITE_ATTEMPTS = 3

_SPAN_TYPES = {
    "kind": "integer", "start_ns": "bigint", "end_ns": "bigint", "status_code": "integer",
    "input_tokens": "bigint", "output_tokens": "bigint", "cache_read_tokens": "bigint",
    "cache_write_tokens": "bigint", "reasoning_tokens": "bigint", "is_error": "integer", "is_genai": "integer",
}  # fmt: skip
# Spans are staged by COPY (with their order in the request), then inserted, skipping spans
# already stored; new traces get their summaries from the staged rows.
_CREATE_SPAN_ROWS = (
    "CREATE TEMP TABLE IF NOT EXISTS span_rows ("
    + ", ".join(f"{name} {_SPAN_TYPES.get(name, 'text')}" for name in SPAN_COLUMNS)
    + ", arrival integer) ON COMMIT DELETE ROWS"
)
_COPY_SPAN_ROWS = f"COPY span_rows ({', '.join(SPAN_COLUMNS)}, arrival) FROM STDIN"
_INSERT_SPANS = (
    f"INSERT INTO spans (trace_no, {', '.join(SPAN_COLUMNS[1:])}) "
    f"SELECT t.trace_no, {', '.join('s.' + c for c in SPAN_COLUMNS[1:])} "
    # The numbers come back from the traces' insert: joining them is cheaper than looking each
    # trace up again in its index (22 against 7 µs a span of database time).
    "FROM span_rows s JOIN unnest(%s::text[], %s::bigint[]) AS t(trace_id, trace_no) ON t.trace_id = s.trace_id "
    "ON CONFLICT (trace_no, span_id) DO NOTHING RETURNING trace_no"
)
_INSERT_LOG = (
    f"INSERT INTO logs (trace_no, {', '.join(LOG_COLUMNS[1:])}, digest) "
    f"VALUES ({', '.join(['%s'] * (len(LOG_COLUMNS) + 1))}) ON CONFLICT (digest) DO NOTHING"
)
_COPY_METRICS = f"COPY metric_points ({', '.join(METRIC_COLUMNS)}) FROM STDIN"
_INSERT_CONTENT = (
    "INSERT INTO content (trace_no, digest, span_id, terms) "
    "SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::text[], %s::tsvector[]) ON CONFLICT DO NOTHING"
)


def describe(url: str) -> str:
    """``postgresql://user@host:port/db`` for messages: the URL without its password or options."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparseable URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _configure_writer(conn: psycopg.Connection[Any]) -> None:
    configure_reader(conn)
    conn.execute(_CREATE_SPAN_ROWS)


class PostgresStore(Store):
    """The viewer's tables in a PostgreSQL database, migrated to the latest version on open."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 8,
        connect_timeout_s: int = 5,
        writer: bool = True,
        schema_wait_s: float = 60.0,
    ) -> None:
        """Open the store; ``writer=False`` waits up to ``schema_wait_s`` for a receiver to migrate it."""
        self.description = describe(url)
        self._url = url
        self._connect_timeout_s = connect_timeout_s
        self._schema_wait_s = schema_wait_s
        self._check_schema(migrate=writer)
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "connect_timeout": connect_timeout_s},
            configure=_configure_writer if writer else configure_reader,
            check=ConnectionPool.check_connection,
            # A request waiting this long for a connection (e.g. the server is down) gets a 503,
            # well within an exporter's own timeout (10 s by default), so it retries.
            timeout=connect_timeout_s,
            name="otel-genai-ui",
            open=False,
        )
        self._pool.open()

    def _check_schema(self, *, migrate: bool) -> None:
        """Bring the schema to LATEST_VERSION (one instance at a time), or check that it is there."""
        try:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=self._connect_timeout_s)
        except psycopg.Error as exc:  # unreachable, refused, or a malformed URL
            raise StoreUnavailable(f"cannot connect to {self.description}: {_one_line(exc)}") from exc
        with conn:
            try:
                if migrate:
                    self._migrate_locked(conn)
                else:
                    self._expect_latest(conn)
            except psycopg.Error as exc:
                raise StoreUnavailable(f"cannot prepare {self.description}: {_one_line(exc)}") from exc

    def _expect_latest(self, conn: psycopg.Connection[Any]) -> None:
        # Receivers and pages are often started together: give the receivers time to migrate.
        deadline = time.monotonic() + self._schema_wait_s
        while True:
            found = conn.execute("SELECT to_regclass('otel_genai_schema') IS NOT NULL").fetchone()
            row = conn.execute("SELECT MAX(version) FROM otel_genai_schema").fetchone() if found and found[0] else None
            current = int(row[0]) if row and row[0] is not None else 0
            if current == LATEST_VERSION:
                return
            if current > LATEST_VERSION or time.monotonic() >= deadline:
                raise StoreUnavailable(
                    f"{self.description} has schema version {current}, this otel-genai reads {LATEST_VERSION}: "
                    "start a receiver of this version (it migrates the database)"
                )
            log.warning("waiting for a receiver to bring %s to schema version %s", self.description, LATEST_VERSION)
            time.sleep(1.0)

    def _migrate_locked(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute("SELECT pg_advisory_lock(%s, %s)", schema_postgres.MIGRATION_LOCK)
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS otel_genai_schema "
                "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM otel_genai_schema").fetchone()
            current = int(row[0]) if row else 0
            if current > LATEST_VERSION:
                raise StoreUnavailable(
                    f"{self.description} has schema version {current}, newer than this otel-genai knows "
                    f"({LATEST_VERSION}): upgrade otel-genai"
                )
            for version in range(current + 1, LATEST_VERSION + 1):
                with conn.transaction():
                    conn.execute(schema_postgres.MIGRATIONS[version])
                    conn.execute("INSERT INTO otel_genai_schema (version) VALUES (%s)", (version,))
                log.info("migrated %s to schema version %s", self.description, version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", schema_postgres.MIGRATION_LOCK)

    # -- reading ---------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[PostgresReader]:
        with self._pool.connection() as conn:
            yield PostgresReader(conn)

    # -- writing ---------------------------------------------------------------------

    def write(self, batch: Batch) -> None:
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                with self._pool.connection() as conn, conn.transaction():
                    self._write(conn, batch)
                return
            except (errors.DeadlockDetected, errors.SerializationFailure):
                # Two receivers locking the same traces in another order: one is chosen to fail.
                if attempt == _WRITE_ATTEMPTS:
                    raise

    def _write(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        self._write_resources(conn, batch)
        numbers = self._write_spans(conn, batch) if batch.spans else {}
        # Traces known so far only from log records get a row (and a number) too.
        log_traces = {row.trace_id: row.time_ns for row in batch.logs if row.trace_id and row.trace_id not in numbers}
        if log_traces:
            numbers.update(self._number_traces(conn, log_traces))
        if batch.logs:
            logs = {log_digest(row): (numbers.get(row.trace_id), *row[1:]) for row in batch.logs}
            with conn.cursor() as cursor:
                cursor.executemany(_INSERT_LOG, [(*row, digest) for digest, row in logs.items()])
        if batch.metric_points:
            with conn.cursor() as cursor, cursor.copy(_COPY_METRICS) as copy:
                for row in batch.metric_points:
                    copy.write_row(row)
        if batch.content:
            columns: tuple[list[Any], ...] = ([], [], [], [])
            for trace_id, span_id, text in batch.content:
                for column, value in zip(
                    columns, (numbers[trace_id], content_digest(span_id, text), span_id, terms(text)), strict=True
                ):
                    column.append(value)
            conn.execute(_INSERT_CONTENT, columns)

    @staticmethod
    def _write_resources(conn: psycopg.Connection[Any], batch: Batch) -> None:
        now = time.time_ns()
        digests = sorted(batch.resources)
        if not digests:
            return
        # Every request of a service names the same resource: updating its row each time would
        # make the receivers queue on that row's lock. Its age only matters to retention, by day.
        recent = {
            digest
            for (digest,) in conn.execute(
                "SELECT digest FROM resources WHERE digest = ANY(%s) AND last_seen_ns > %s",
                (digests, now - _NS_PER_HOUR),
            )
        }
        stale = [batch.resources[d] for d in digests if d not in recent]
        if stale:
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO resources (digest, service_name, attributes, last_seen_ns) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (digest) DO UPDATE SET last_seen_ns = excluded.last_seen_ns",
                    [(r.digest, r.service_name, r.attributes_json, now) for r in stale],
                )

    @staticmethod
    def _number_traces(conn: psycopg.Connection[Any], first_seen: dict[str, int]) -> dict[str, int]:
        """Number (and lock) traces that only log records mention, creating empty rows for new ones."""
        rows = conn.execute(
            "INSERT INTO traces (trace_id, start_ns, end_ns) SELECT trace_id, start_ns, start_ns "
            "FROM unnest(%s::text[], %s::bigint[]) WITH ORDINALITY AS t(trace_id, start_ns, arrival) "
            "ORDER BY arrival "
            "ON CONFLICT (trace_id) DO UPDATE SET trace_id = excluded.trace_id RETURNING trace_id, trace_no",
            (list(first_seen), list(first_seen.values())),
        ).fetchall()
        return {trace_id: trace_no for trace_id, trace_no in rows}

    @staticmethod
    def _write_spans(conn: psycopg.Connection[Any], batch: Batch) -> dict[str, int]:
        """Store the spans not stored yet; returns the number of each trace they belong to.

        Each trace row is locked until commit (inserted, or touched by ON CONFLICT), so a
        concurrent request with spans of the same trace waits, then sees these spans when it
        recomputes the summary. Two requests sharing traces in opposite orders can deadlock;
        PostgreSQL then fails one, and ``write`` runs it again.
        """
        with conn.cursor() as cursor:
            with cursor.copy(_COPY_SPAN_ROWS) as copy:
                for arrival, row in enumerate(batch.spans):
                    copy.write_row((*row, arrival))
            traces = cursor.execute(schema_postgres.INSERT_TRACES).fetchall()
            numbers = {trace_id: trace_no for trace_id, trace_no, _ in traces}
            stored_before = {trace_no for _, trace_no, created in traces if not created}
            inserted = cursor.execute(_INSERT_SPANS, (list(numbers), list(numbers.values())))
            with_new_spans = {trace_no for (trace_no,) in inserted}
            # New traces got their summary when created; stored ones that gained spans are redone.
            touched = sorted(with_new_spans & stored_before)
            if touched:
                cursor.execute(schema_postgres.REFRESH_TRACES, (touched,))
        facets = sorted({("model", row.model) for row in batch.spans if row.model}
                        | {("provider", row.provider) for row in batch.spans if row.provider})  # fmt: skip
        if facets:
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO facet_values (kind, value) VALUES (%s, %s) ON CONFLICT DO NOTHING", facets
                )
        return numbers

    def index_content(self) -> int:
        return 0  # each request's content is searchable when it commits

    # -- retention -------------------------------------------------------------------

    def retention_summary(self, days: float, max_size_mb: float) -> str:
        return f"{days:g} days (by age; on PostgreSQL the database's size is its operator's to manage)"

    def enforce_retention(self, policy: RetentionPolicy, now_ns: int | None = None) -> RetentionResult:
        """Delete data older than the age limit, in one instance at a time."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        cutoff = now_ns - int(policy.max_age_days * _NS_PER_DAY)
        with self._pool.connection() as conn, conn.transaction():
            locked = conn.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", schema_postgres.RETENTION_LOCK)
            if not locked.fetchone()[0]:  # type: ignore[index]
                return RetentionResult(traces_deleted=0, size_bytes=0, skipped=True)
            old = [n for (n,) in conn.execute("SELECT trace_no FROM traces WHERE start_ns < %s", (cutoff,))]
            if old:
                for table in ("spans", "logs", "content", "traces"):
                    conn.execute(f"DELETE FROM {table} WHERE trace_no = ANY(%s::bigint[])", (old,))
                conn.execute(
                    "DELETE FROM facet_values f WHERE NOT EXISTS (SELECT 1 FROM traces t WHERE strpos("
                    "CASE f.kind WHEN 'model' THEN t.models ELSE t.providers END, ',' || f.value || ',') > 0)"
                )
            conn.execute("DELETE FROM logs WHERE time_ns < %s", (cutoff,))
            conn.execute("DELETE FROM metric_points WHERE time_ns < %s", (cutoff,))
            conn.execute("DELETE FROM resources WHERE last_seen_ns < %s", (cutoff,))
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return RetentionResult(traces_deleted=len(old), size_bytes=int(size[0]) if size else 0)

    def close(self) -> None:
        self._pool.close()
