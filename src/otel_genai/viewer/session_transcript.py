"""A conversation's transcript: per turn (trace), in order, what the user asked and what the
model answered, read from the turn's first and last model calls."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from otel_genai.viewer.call_view import genai_view
from otel_genai.viewer.queries import LOG_COLUMNS, log_view
from otel_genai.viewer.schema import MODEL_CALL_CONDITION

if TYPE_CHECKING:
    from otel_genai.viewer.reader import Reader


def _call_conversation(conn: Reader, span_row_id: int) -> dict[str, Any]:
    span = conn.execute("SELECT * FROM spans WHERE id = ?", (span_row_id,)).fetchone()
    logs = [
        log_view(log)
        for log in conn.execute(
            f"SELECT {LOG_COLUMNS} FROM logs WHERE trace_no = ? AND span_id = ? ORDER BY time_ns, id",
            (span["trace_no"], span["span_id"]),
        )
    ]
    attributes = json.loads(span["attributes"]) if span["attributes"] else {}
    events = json.loads(span["events"]) if span["events"] else []
    conversation: dict[str, Any] = genai_view(span, attributes, events, logs)["conversation"]
    return conversation


def _last_user_turn(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The user messages at the end of a call's input: what this turn added to the history."""
    turn: list[dict[str, Any]] = []
    for message in reversed(messages):
        if message.get("role") != "user":
            break
        turn.insert(0, message)
    return turn


def session_transcript(conn: Reader, conversation_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """Per trace of the conversation, oldest first: ``asked`` (the user's messages) and ``answered``
    (the last model call's output). A turn whose content was not captured has both empty."""
    calls = conn.execute(
        "SELECT t.trace_id, t.start_ns AS trace_start, s.id, s.start_ns FROM traces t JOIN spans s "
        f"ON s.trace_no = t.trace_no WHERE t.conversation_id = ? AND t.span_count > 0 AND {MODEL_CALL_CONDITION} "
        "ORDER BY t.start_ns, t.trace_no, s.start_ns, s.id",
        (conversation_id,),
    ).fetchall()
    turns: dict[str, dict[str, int]] = {}
    for call in calls:
        turn = turns.setdefault(call["trace_id"], {"first": call["id"], "last": call["id"]})
        turn["last"] = call["id"]
    out = []
    for trace_id, ends in list(turns.items())[: max(1, limit)]:
        first = _call_conversation(conn, ends["first"])
        last = first if ends["last"] == ends["first"] else _call_conversation(conn, ends["last"])
        out.append(
            {
                "trace_id": trace_id,
                "asked": _last_user_turn(first.get("input_messages") or []),
                "answered": last.get("output_messages") or [],
            }
        )
    return out
