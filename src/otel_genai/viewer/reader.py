"""The read-only session the page's queries run on, whichever engine holds the data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol


class Reader(Protocol):
    """A read-only session on the store, for the page's queries.

    ``execute`` takes ``?`` placeholders on both engines and returns a cursor whose rows can
    be read by column name or position.
    """

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """Run one query."""

    def contains_sql(self, delimited_column: str) -> str:
        """A condition: the ``,a,b,`` list in ``delimited_column`` holds the value of one ``?``."""

    def json_value_sql(self, json_column: str, key: str) -> str:
        """An expression: the value of top-level ``key`` in the JSON object in ``json_column``, read
        as a number, string or boolean (None when absent)."""

    def json_text_sql(self, json_column: str, key: str) -> str:
        """An expression: top-level ``key`` of the JSON object in ``json_column`` as text, comparable
        with a ``?`` string (None when absent)."""

    def indexed_by(self, index: str) -> str:
        """What follows a table's name in FROM to read it through ``index``, on an engine whose
        planner needs telling (else nothing)."""

    def matching_traces(self, words: list[str], below_trace_no: int | None) -> Iterator[int]:
        """Trace numbers whose captured content has all ``words`` (the last as a prefix), newest first."""
