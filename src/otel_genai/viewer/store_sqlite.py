"""The embedded engine: a SQLite file. Opening, writing one export request per transaction, retention.

One connection writes, guarded by a lock; each reading thread has its own connection.
WAL mode lets the page read while the receivers write. ``synchronous=FULL`` makes a
commit durable before the receiver acknowledges the request.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from otel_genai.viewer import schema, search_index
from otel_genai.viewer.otlp_rows import LOG_COLUMNS, METRIC_COLUMNS, SPAN_COLUMNS, Batch
from otel_genai.viewer.row_digest import content_digest, log_digest
from otel_genai.viewer.search_index import BackgroundIndexer
from otel_genai.viewer.store import RetentionPolicy, RetentionResult, Store

log = logging.getLogger(__name__)

_NS_PER_DAY = 86_400 * 1_000_000_000


def _insert_sql(table: str, columns: tuple[str, ...], verb: str = "INSERT") -> str:
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


# Rows carry the hex trace id first; the store swaps it for the trace number.
_INSERT_SPAN = _insert_sql("spans", ("trace_no", *SPAN_COLUMNS[1:]), "INSERT OR IGNORE")
_INSERT_LOG = _insert_sql("logs", ("trace_no", *LOG_COLUMNS[1:], "digest"))
_INSERT_METRIC = _insert_sql("metric_points", METRIC_COLUMNS)
_INSERT_CONTENT = _insert_sql("content", ("id", "span_id", "text", "digest"))
_CONTENT_IDS_PER_TRACE = 1 << schema.CONTENT_ID_SHIFT
_CHUNK = 500  # values bound in one IN (...) list


class SqliteReader:
    """The page's queries on one thread's read-only connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, parameters)

    def contains_sql(self, delimited_column: str) -> str:
        return f"instr({delimited_column}, ',' || ? || ',') > 0"

    def json_value_sql(self, json_column: str, key: str) -> str:
        return f"json_extract({json_column}, '$.\"{key}\"')"

    def json_text_sql(self, json_column: str, key: str) -> str:
        return f"json_extract({json_column}, '$.\"{key}\"')"

    def indexed_by(self, index: str) -> str:
        # Without statistics (ANALYZE), SQLite's planner may prefer another index, then sort.
        return f"INDEXED BY {index}"

    def matching_traces(self, words: list[str], below_trace_no: int | None) -> Iterator[int]:
        below = None if below_trace_no is None else below_trace_no << schema.CONTENT_ID_SHIFT
        hits = self._conn.execute(
            "SELECT rowid FROM content_fts WHERE content_fts MATCH ?"
            + (" AND rowid < ?" if below is not None else "")
            + " ORDER BY rowid DESC",
            (search_index.fts_query(words), below) if below is not None else (search_index.fts_query(words),),
        )
        # A trace's content rows are adjacent (ids are trace_no << shift), so hits of one
        # trace arrive together.
        last = None
        for (rowid,) in hits:
            trace_no = rowid >> schema.CONTENT_ID_SHIFT
            if trace_no != last:
                last = trace_no
                yield trace_no


class SqliteStore(Store):
    """The viewer's database file."""

    def __init__(self, path: Path | str, *, index_in_background: bool = False) -> None:
        """Open (or create) the store at ``path``.

        ``index_in_background`` defers full-text indexing of captured content to a thread
        (search then trails ingest slightly); otherwise each write indexes its own content.
        """
        self.path = Path(path)
        self.description = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        self._create_schema()
        self._indexer = BackgroundIndexer(self._index_chunk) if index_in_background else None

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are explicit BEGIN/COMMIT.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        # Must precede the first table (and the switch to WAL, which writes the header) so
        # deleted pages can be handed back to the OS. A no-op on an existing file.
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA cache_size=-32000")
        conn.execute("PRAGMA temp_store=MEMORY")
        # The WAL file shrinks back after checkpoints instead of keeping its peak size.
        conn.execute("PRAGMA journal_size_limit=67108864")
        return conn

    def _create_schema(self) -> None:
        with self._write_lock:
            conn = self._writer
            found = self._stored_schema_version(conn)
            if found is not None and found > schema.SCHEMA_VERSION:
                conn.close()
                raise RuntimeError(
                    f"{self.path} has schema version {found}, newer than this otel-genai knows "
                    f"({schema.SCHEMA_VERSION}): upgrade otel-genai, or point it at another store"
                )
            if found is not None and found < schema.BASE_VERSION:
                # Too old to migrate: keep it aside, start afresh.
                conn.close()
                aside = self.path.with_name(f"{self.path.name}.v{found}.bak")
                for suffix in ("", "-wal", "-shm"):
                    old = Path(f"{self.path}{suffix}")
                    if old.exists():
                        old.replace(Path(f"{aside}{suffix}"))
                log.warning("moved a store of schema version %s aside to %s", found, aside)
                self._writer = conn = self._connect()
                found = None
            if found is None:
                conn.executescript(schema.SCHEMA)
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                             (str(schema.BASE_VERSION),))  # fmt: skip
                found = schema.BASE_VERSION
            for version in range(found + 1, schema.SCHEMA_VERSION + 1):
                self._migrate(conn, version)
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch_traces (trace_no INTEGER PRIMARY KEY)")

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated meanwhile: the write lock makes this check exact.
            if SqliteStore._stored_schema_version(conn) == version - 1:
                for statement in schema.MIGRATIONS[version].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.info("migrated the store to schema version %s", version)

    @staticmethod
    def _stored_schema_version(conn: sqlite3.Connection) -> int | None:
        has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not has_meta:
            return None
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row and str(row[0]).isdigit() else 0

    # -- reading ---------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[SqliteReader]:
        yield SqliteReader(self._reader_connection())

    def _reader_connection(self) -> sqlite3.Connection:
        """This thread's read-only connection."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only=1")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    # -- writing ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def write(self, batch: Batch) -> None:
        """Write all rows of one export request atomically; returns once committed to disk."""
        now = time.time_ns()
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO resources (digest, service_name, attributes, last_seen_ns) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (digest) DO UPDATE SET last_seen_ns = excluded.last_seen_ns",
                [(r.digest, r.service_name, r.attributes_json, now) for r in batch.resources.values()],
            )
            numbers = self._trace_numbers(conn, batch)
            if batch.spans:
                self._write_spans(conn, batch, numbers)
            if batch.logs:
                self._write_logs(conn, batch, numbers)
            if batch.metric_points:
                conn.executemany(_INSERT_METRIC, batch.metric_points)
            if batch.content:
                self._write_content(conn, batch, numbers)
                if self._indexer is None:
                    search_index.index_pending(conn)
        if batch.content and self._indexer is not None:
            self._indexer.notify()

    @staticmethod
    def _trace_numbers(conn: sqlite3.Connection, batch: Batch) -> dict[str, int]:
        """Number every trace the batch mentions, creating rows for new ones in arrival order."""
        first_seen: dict[str, int] = {}
        for span in batch.spans:
            first_seen.setdefault(span.trace_id, span.start_ns)
        for log_row in batch.logs:
            if log_row.trace_id:
                first_seen.setdefault(log_row.trace_id, log_row.time_ns)
        if not first_seen:
            return {}
        conn.executemany(schema.ENSURE_TRACE, [(t, ns, ns) for t, ns in first_seen.items()])
        numbers: dict[str, int] = {}
        ids = list(first_seen)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = f"SELECT trace_id, trace_no FROM traces WHERE trace_id IN ({','.join('?' * len(chunk))})"
            numbers.update(conn.execute(sql, chunk).fetchall())
        return numbers

    @staticmethod
    def _write_logs(conn: sqlite3.Connection, batch: Batch, numbers: dict[str, int]) -> None:
        rows = {log_digest(row): (numbers.get(row.trace_id), *row[1:]) for row in batch.logs}
        # Drop the records a previous copy of this request stored: look among the logs of the
        # same traces (or, outside any trace, of the same instants), which indexes find.
        in_traces = sorted({numbers[row.trace_id] for row in batch.logs if row.trace_id in numbers})
        instants = sorted({row.time_ns for row in batch.logs if row.trace_id not in numbers})
        for column, values, extra in (("trace_no", in_traces, ""), ("time_ns", instants, " AND trace_no IS NULL")):
            for i in range(0, len(values), _CHUNK):
                chunk = values[i : i + _CHUNK]
                sql = f"SELECT digest FROM logs WHERE {column} IN ({','.join('?' * len(chunk))}){extra}"
                for (digest,) in conn.execute(sql, chunk):
                    rows.pop(digest, None)
        conn.executemany(_INSERT_LOG, [(*row, digest) for digest, row in rows.items()])

    @staticmethod
    def _write_content(conn: sqlite3.Connection, batch: Batch, numbers: dict[str, int]) -> None:
        next_id: dict[int, int] = {}
        stored: set[bytes] = set()
        rows = []
        for trace_id, span_id, text in batch.content:
            trace_no = numbers[trace_id]
            if trace_no not in next_id:
                first = trace_no << schema.CONTENT_ID_SHIFT
                last = None
                trace_rows = (first, first + _CONTENT_IDS_PER_TRACE - 1)
                sql = "SELECT id, digest FROM content WHERE id BETWEEN ? AND ?"
                for content_id, digest in conn.execute(sql, trace_rows):
                    last = content_id
                    stored.add(digest)
                next_id[trace_no] = first if last is None else last + 1
            digest = content_digest(span_id, text)
            if digest in stored:
                continue  # a retried export: this text is searchable already
            stored.add(digest)
            content_id = next_id[trace_no]
            if content_id - (trace_no << schema.CONTENT_ID_SHIFT) >= _CONTENT_IDS_PER_TRACE:
                continue  # a trace with over a million captured messages: the rest is not searchable
            next_id[trace_no] = content_id + 1
            rows.append((content_id, span_id, text, digest))
        conn.executemany(_INSERT_CONTENT, rows)
        conn.executemany("INSERT INTO content_unindexed (id) VALUES (?)", [(row[0],) for row in rows])

    def _write_spans(self, conn: sqlite3.Connection, batch: Batch, numbers: dict[str, int]) -> None:
        conn.executemany(_INSERT_SPAN, [(numbers[row.trace_id], *row[1:]) for row in batch.spans])
        conn.execute("DELETE FROM batch_traces")
        conn.executemany(
            "INSERT OR IGNORE INTO batch_traces (trace_no) VALUES (?)",
            [(numbers[row.trace_id],) for row in batch.spans],
        )
        conn.execute(schema.REFRESH_TRACES)
        facets = {("model", row.model) for row in batch.spans if row.model}
        facets.update(("provider", row.provider) for row in batch.spans if row.provider)
        if facets:
            conn.executemany("INSERT OR IGNORE INTO facet_values (kind, value) VALUES (?, ?)", facets)

    def _index_chunk(self) -> int:
        with self._transaction() as conn:
            return search_index.index_pending(conn, search_index.CHUNK)

    def index_content(self) -> int:
        """Index all captured content not yet searchable; returns how many rows it indexed."""
        with self._transaction() as conn:
            return search_index.index_pending(conn)

    # -- retention -------------------------------------------------------------------

    def size_bytes(self) -> int:
        """Bytes of live data (free pages excluded), the measure the size limit applies to."""
        with self._write_lock:
            conn = self._writer
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        return int((pages - free) * page_size)

    def _delete_before(self, cutoff_ns: int) -> int:
        """Delete traces started before ``cutoff_ns`` and logs/metrics older than it."""
        with self._transaction() as conn:
            # Deleting from the index needs every row in it (the trigger removes each row's terms).
            search_index.index_pending(conn)
            conn.execute("DELETE FROM batch_traces")
            conn.execute("INSERT INTO batch_traces SELECT trace_no FROM traces WHERE start_ns < ?", (cutoff_ns,))
            deleted = conn.execute("SELECT COUNT(*) FROM batch_traces").fetchone()[0]
            if deleted:
                for table in ("spans", "logs", "traces"):
                    conn.execute(f"DELETE FROM {table} WHERE trace_no IN (SELECT trace_no FROM batch_traces)")
                conn.execute(
                    "DELETE FROM content WHERE id IN (SELECT c.id FROM batch_traces b CROSS JOIN content c "
                    f"ON c.id BETWEEN b.trace_no << {schema.CONTENT_ID_SHIFT} "
                    f"AND ((b.trace_no + 1) << {schema.CONTENT_ID_SHIFT}) - 1)"
                )
                # Menu entries for models and providers no stored trace mentions any more.
                conn.execute(
                    "DELETE FROM facet_values WHERE NOT EXISTS (SELECT 1 FROM traces WHERE "
                    "instr(CASE facet_values.kind WHEN 'model' THEN models ELSE providers END, "
                    "',' || facet_values.value || ',') > 0)"
                )
            conn.execute("DELETE FROM logs WHERE time_ns < ?", (cutoff_ns,))
            conn.execute("DELETE FROM metric_points WHERE time_ns < ?", (cutoff_ns,))
            conn.execute("DELETE FROM resources WHERE last_seen_ns < ?", (cutoff_ns,))
            conn.execute("DELETE FROM batch_traces")
        return int(deleted)

    def _oldest_cutoff(self, fraction: float) -> int | None:
        """A start time below which lies about ``fraction`` of the stored traces."""
        conn = self._writer
        with self._write_lock:
            total = conn.execute("SELECT COUNT(*) FROM traces").fetchone()[0]
            if total:
                skip = max(1, int(total * fraction)) - 1
                row = conn.execute("SELECT start_ns FROM traces ORDER BY start_ns LIMIT 1 OFFSET ?", (skip,)).fetchone()
                return int(row[0]) + 1
            row = conn.execute(
                "SELECT MAX(t) FROM (SELECT MIN(time_ns) AS t FROM logs UNION ALL "
                "SELECT MIN(time_ns) FROM metric_points)"
            ).fetchone()
            return int(row[0]) + 1 if row and row[0] is not None else None

    def enforce_retention(self, policy: RetentionPolicy, now_ns: int | None = None) -> RetentionResult:
        """Drop data older than the age limit, then the oldest data until under the size limit."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        deleted = self._delete_before(now_ns - int(policy.max_age_days * _NS_PER_DAY))
        size = self.size_bytes()
        while size > policy.max_bytes:
            # Drop a slice proportional to the overshoot, at least 5%, so few passes suffice.
            fraction = min(1.0, max(0.05, 1 - policy.max_bytes / size))
            cutoff = self._oldest_cutoff(fraction)
            if cutoff is None:
                break
            deleted += self._delete_before(cutoff)
            new_size = self.size_bytes()
            if new_size >= size:
                break
            size = new_size
        if deleted:
            with self._write_lock:
                # executescript steps the pragma to completion; execute() frees only one page.
                self._writer.executescript("PRAGMA incremental_vacuum;")
                self._writer.execute("PRAGMA optimize")
        return RetentionResult(traces_deleted=deleted, size_bytes=size)

    def close(self) -> None:
        """Close every connection; the store is unusable afterwards."""
        if self._indexer is not None:
            self._indexer.stop()
            self._indexer = None
            self.index_content()
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.execute("PRAGMA optimize")
            self._writer.close()
