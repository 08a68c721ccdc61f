"""Log records outside any trace (no trace id), newest first, for the page's Logs view."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from otel_genai.viewer.reader import Reader

MAX_PAGE_SIZE = 200


def list_untraced_logs(conn: Reader, before: str | None = None, limit: int = 100) -> dict[str, Any]:
    """One page of records without a trace id, and the cursor (``time_ns:id``) of the next, older one."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    where, params = "l.trace_no IS NULL", []
    time_ns, _, row_id = (before or "").partition(":")
    if time_ns.isdigit() and row_id.isdigit():
        where += " AND (l.time_ns, l.id) < (?, ?)"
        params = [int(time_ns), int(row_id)]
    # Through untraced_logs_by_time: SQLite, without statistics, would pick logs_by_trace, then sort every match.
    rows = conn.execute(
        "SELECT l.id, l.time_ns, l.severity_number, l.severity_text, l.event_name, l.body, l.attributes, "
        f"l.scope_name, COALESCE(r.service_name, '') AS service FROM logs l {conn.indexed_by('untraced_logs_by_time')} "
        f"LEFT JOIN resources r ON r.digest = l.resource_digest WHERE {where} "
        "ORDER BY l.time_ns DESC, l.id DESC LIMIT ?",
        [*params, limit + 1],
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "logs": [
            {
                "time_ms": row["time_ns"] / 1e6,
                "severity": row["severity_text"] or row["severity_number"],
                "event_name": row["event_name"],
                "service": row["service"],
                "scope": row["scope_name"],
                "body": json.loads(row["body"]) if row["body"] else None,
                "attributes": json.loads(row["attributes"]) if row["attributes"] else {},
            }
            for row in rows
        ],
        "next": f"{rows[-1]['time_ns']}:{rows[-1]['id']}" if more and rows else None,
    }
