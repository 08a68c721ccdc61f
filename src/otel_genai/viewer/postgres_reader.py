"""Reading a PostgreSQL store: the page's queries, and the words search matches.

The page's queries are written once for both engines (``?`` placeholders, rows read by
column name); ``PostgresReader`` runs them on a pooled connection. Search keeps the words of
each captured text as a ``tsvector`` with a GIN index; the words are split and folded here,
the same way for stored texts and for queries.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.adapt import Loader

# A tsvector holds at most 1 MB; captured texts past this many characters are searched by their start.
_MAX_SEARCHABLE_CHARS = 200_000
_WORD = re.compile(r"\w+")
_MAX_WORD = 200  # longer runs of letters (encoded blobs) are not words anyone searches for
_SEARCH_CHUNK = 200
# Search reads the newest rows this many at a time while at least one row in _RARE matches.
_RECENT_WINDOW = 2_000
_RARE = 50


def fold(text: str) -> str:
    """Text as search compares it: accents removed, case folded (the same for content and queries)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def terms(text: str) -> str:
    """The ``tsvector`` of a text: its distinct folded words.

    Built here rather than by ``to_tsvector`` in the database: receivers scale out, the
    database does not (this halved the database's cost of a searchable text). Words are
    ``\\w+`` runs, so they need no escaping, and queries split words the same way.
    """
    words = {w for w in _WORD.findall(fold(text[:_MAX_SEARCHABLE_CHARS])) if len(w) <= _MAX_WORD}
    return " ".join(f"'{w}'" for w in words)


def tsquery(words: list[str]) -> str:
    """The ``tsquery`` of a search: every word, the last one as a prefix."""
    folded = [fold(w) for w in words]
    return " & ".join([*(f"'{w}'" for w in folded[:-1]), f"'{folded[-1]}':*"])


class _WholeNumberLoader(Loader):
    """``numeric`` results (PostgreSQL's SUM of bigints) as int when whole, else float, as SQLite gives."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class _Row(tuple):  # type: ignore[type-arg]
    """A result row readable by position and by column name, like ``sqlite3.Row``.

    Each query gets a subclass that knows its columns, so a row costs one tuple.
    """

    __slots__ = ()
    columns: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self.columns[key])
        return super().__getitem__(key)


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], _Row]:
    columns = {column.name: i for i, column in enumerate(cursor.description or ())}
    return type("Row", (_Row,), {"__slots__": (), "columns": columns})


class _Rows(list):  # type: ignore[type-arg]
    """A query's rows, fetched at once (the page's results are bounded), read like a cursor.

    Fetching all rows in one call costs a fifth of fetching them one by one (psycopg checks
    each step): 0.02 against 0.14 s for the overview's 42,000 latency samples (cProfile).
    """

    def fetchall(self) -> list[Any]:
        return self

    def fetchone(self) -> Any:
        return self[0] if self else None


@functools.lru_cache(maxsize=256)
def _placeholders(sql: str) -> str:
    """The page's ``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresReader:
    """The page's queries on one pooled connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _Rows:
        cursor = self._conn.cursor(row_factory=_row_factory)
        return _Rows(cursor.execute(_placeholders(sql), parameters).fetchall())

    def contains_sql(self, delimited_column: str) -> str:
        return f"strpos({delimited_column}, ',' || ? || ',') > 0"

    def json_value_sql(self, json_column: str, key: str) -> str:
        # json, not jsonb: jsonb refuses a text holding \u0000, which captured content may.
        # The json value is loaded into Python (a number stays a number, as SQLite's json_extract gives).
        return f"({json_column}::json -> '{key}')"

    def json_text_sql(self, json_column: str, key: str) -> str:
        return f"({json_column}::json ->> '{key}')"

    def indexed_by(self, index: str) -> str:
        return ""  # the planner keeps statistics and picks the index itself

    def matching_traces(self, words: list[str], below_trace_no: int | None) -> Iterator[int]:
        # Two ways to walk the hits newest first, each fast where the other is slow: a word
        # in many texts is found by reading the newest rows in order (the GIN index would
        # hand over every hit to sort); a rare word by the GIN index (reading in order would
        # pass over nearly every row). The planner cannot tell them apart (it guesses a
        # rare word's frequency), so the newest rows are read first, and a window with
        # few hits hands over to the index.
        query = tsquery(words)
        below = below_trace_no if below_trace_no is not None else 2**62
        last = None
        while True:
            row = self._conn.execute(
                "WITH recent AS (SELECT trace_no, terms FROM content WHERE trace_no < %s "
                "ORDER BY trace_no DESC LIMIT %s) "
                "SELECT array_agg(trace_no ORDER BY trace_no DESC) FILTER (WHERE terms @@ %s::tsquery), "
                "MIN(trace_no), MAX(trace_no), COUNT(*) FROM recent",
                (below, _RECENT_WINDOW, query),
            ).fetchone()
            hits, lowest, highest, scanned = row if row else (None, None, None, 0)
            for trace_no in hits or ():
                if trace_no != last:
                    last = trace_no
                    yield trace_no
            if scanned < _RECENT_WINDOW or lowest is None:
                return  # no older rows
            # The window may have cut the oldest trace's texts in two: read that trace again.
            below = int(lowest) + 1
            if len(hits or ()) * _RARE < scanned or lowest == highest:
                break
        while True:
            with self._conn.transaction():
                # Only the GIN index: the planner, guessing the word common, would read the
                # whole table in order (measured: 160 ms against 1 ms for a rare word at 250,000 texts).
                self._conn.execute("SET LOCAL enable_seqscan = off")
                self._conn.execute("SET LOCAL enable_indexscan = off")
                rows = self._conn.execute(
                    "SELECT DISTINCT trace_no FROM content WHERE terms @@ %s::tsquery AND trace_no < %s "
                    "ORDER BY trace_no DESC LIMIT %s",
                    (query, below, _SEARCH_CHUNK),
                ).fetchall()
            for (trace_no,) in rows:
                if trace_no != last:
                    last = trace_no
                    yield trace_no
            if len(rows) < _SEARCH_CHUNK:
                return
            below = rows[-1][0]


def configure_reader(conn: psycopg.Connection[Any]) -> None:
    """Results as the page's queries expect them from SQLite."""
    conn.adapters.register_loader("numeric", _WholeNumberLoader)
