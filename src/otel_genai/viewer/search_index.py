"""SQLite's full-text search: keeps the index of captured content in step with the content table.

Writing a request's content into FTS5 costs about a fifth of ingest. So the request's
transaction only records which content rows are new (``content_unindexed``), and this
module indexes them, many requests at a time: inline for a store used on its own, or in a
background thread for the running viewer, where search then trails ingest by well under
a second. Either way the rows are on disk when the request is acknowledged.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

# Rows indexed per transaction by the background thread, so ingest waits little for it.
CHUNK = 5_000


def fts_query(words: list[str]) -> str:
    """A safe FTS5 query matching all ``words``, the last one as a prefix."""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def index_pending(conn: sqlite3.Connection, limit: int | None = None) -> int:
    """Index up to ``limit`` (all when None) pending content rows; call inside a transaction."""
    if limit is None:
        bound = conn.execute("SELECT MAX(id) FROM content_unindexed").fetchone()[0]
    else:
        bound = conn.execute(
            "SELECT MAX(id) FROM (SELECT id FROM content_unindexed ORDER BY id LIMIT ?)", (limit,)
        ).fetchone()[0]
    if bound is None:
        return 0
    cursor = conn.execute(
        # CROSS JOIN keeps the few pending rows as the outer loop; otherwise the planner may
        # walk every content row below the bound.
        "INSERT INTO content_fts (rowid, text) SELECT c.id, c.text FROM content_unindexed p "
        "CROSS JOIN content c ON c.id = p.id WHERE p.id <= ?",
        (bound,),
    )
    conn.execute("DELETE FROM content_unindexed WHERE id <= ?", (bound,))
    return max(cursor.rowcount, 0)


class BackgroundIndexer:
    """A thread that runs ``index_chunk`` whenever content arrives, until stopped."""

    def __init__(self, index_chunk: Callable[[], int], coalesce_s: float = 0.1) -> None:
        self._index_chunk = index_chunk
        self._coalesce_s = coalesce_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._wake.set()  # rows left pending by a previous run are indexed at start
        self._thread.start()

    def notify(self) -> None:
        """New content was committed."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(1.0)
            if self._stop.is_set():
                break
            # Let a few requests accumulate: one index update for many is cheaper.
            self._stop.wait(self._coalesce_s)
            self._wake.clear()
            try:
                while self._index_chunk() and not self._stop.is_set():
                    pass
            except sqlite3.Error:
                self._wake.set()  # retry on the next round
                self._stop.wait(1.0)

    def stop(self) -> None:
        """Stop the thread; pending rows stay recorded for the next start."""
        self._stop.set()
        self._wake.set()
        self._thread.join(10)
