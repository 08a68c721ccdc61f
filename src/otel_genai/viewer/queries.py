"""The page's read queries: trace list, trace detail, facets and sessions."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from otel_genai.viewer import genai_names as gn
from otel_genai.viewer.agent_view import AGENT_OPERATIONS, agent_view
from otel_genai.viewer.call_view import call_price, genai_view
from otel_genai.viewer.dialects import first_chunk_seconds
from otel_genai.viewer.schema import MODEL_CALL_CONDITION

if TYPE_CHECKING:
    from otel_genai.viewer.reader import Reader

MAX_PAGE_SIZE = 200
AGENT_OPERATIONS_SQL = "(" + ", ".join(f"'{op}'" for op in sorted(AGENT_OPERATIONS)) + ")"
_SESSION_SCAN_PAGE = 1000
_SPAN_KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
_STATUS = {0: "unset", 1: "ok", 2: "error"}
_TRACE_COLUMNS = (
    "trace_no, trace_id, start_ns, end_ns, root_name, root_service, span_count, genai_count, error_count, "
    "input_tokens, output_tokens, conversation_id, models, providers"
)


@dataclass(frozen=True)
class TraceFilter:
    """What the trace list shows. ``before`` is the keyset cursor ``start_ns:trace_no``."""

    model: str | None = None
    provider: str | None = None
    #: Traces in which an agent of this name ran (the root agent or any other).
    agent: str | None = None
    errors_only: bool = False
    since_ns: int | None = None
    until_ns: int | None = None
    text: str | None = None
    before: str | None = None
    limit: int = 50


def search_words(text: str) -> list[str]:
    """The words of a text search; each must match, the last one as a prefix."""
    return re.findall(r"\w+", text)


def _ms(ns: int | None) -> float | None:
    return None if ns is None else ns / 1e6


def _split(delimited: str) -> list[str]:
    return sorted(v for v in delimited.split(",") if v)


def _trace_summary(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "trace_id": row["trace_id"],
        "start_ms": _ms(row["start_ns"]),
        "duration_ms": (row["end_ns"] - row["start_ns"]) / 1e6,
        "root_name": row["root_name"],
        "service": row["root_service"],
        "span_count": row["span_count"],
        "genai_count": row["genai_count"],
        "error": row["error_count"] > 0,
        "input_tokens": row["input_tokens"],
        "output_tokens": row["output_tokens"],
        "conversation_id": row["conversation_id"],
        "models": _split(row["models"]),
        "providers": _split(row["providers"]),
    }


def _filters(conn: Reader, flt: TraceFilter) -> tuple[list[str], list[Any]]:
    # Traces known only from log records (no span yet) are not listed.
    where: list[str] = ["t.span_count > 0"]
    params: list[Any] = []
    if flt.since_ns is not None:
        where.append("t.start_ns >= ?")
        params.append(flt.since_ns)
    if flt.until_ns is not None:
        where.append("t.start_ns < ?")
        params.append(flt.until_ns)
    if flt.errors_only:
        where.append("t.error_count > 0")
    if flt.model:
        where.append(conn.contains_sql("t.models"))
        params.append(flt.model)
    if flt.provider:
        where.append(conn.contains_sql("t.providers"))
        params.append(flt.provider)
    if flt.agent:
        where.append(
            f"EXISTS (SELECT 1 FROM spans s WHERE s.trace_no = t.trace_no AND s.operation IN {AGENT_OPERATIONS_SQL} "
            f"AND {conn.json_text_sql('s.attributes', gn.AGENT_NAME)} = ?)"
        )
        params.append(flt.agent)
    return where, params


def _call_figures(conn: Reader, rows: list[Any]) -> dict[int, dict[str, Any]]:
    """Per trace: estimated cost of its model calls, and its first call's time to first chunk."""
    numbers = [r["trace_no"] for r in rows]
    if not numbers:
        return {}
    figures: dict[int, dict[str, Any]] = {n: {"cost_usd": None, "time_to_first_chunk_ms": None} for n in numbers}
    ttfc = conn.json_value_sql("attributes", gn.TIME_TO_FIRST_CHUNK)
    calls = conn.execute(
        "SELECT trace_no, model, provider, start_ns, input_tokens, output_tokens, cache_read_tokens, "
        f"cache_write_tokens, {ttfc} AS ttfc, CASE WHEN {ttfc} IS NULL THEN events END AS events FROM spans "
        f"WHERE trace_no IN ({','.join('?' * len(numbers))}) AND {MODEL_CALL_CONDITION} ORDER BY trace_no, start_ns",
        numbers,
    )
    for call in calls:
        trace = figures[call["trace_no"]]
        if trace["time_to_first_chunk_ms"] is None:
            # As the call's detail reads it: the attribute, else the first chunk's span event.
            seconds = call["ttfc"]
            if seconds is None and call["events"]:
                seconds = first_chunk_seconds(_loads(call["events"], []), call["start_ns"])
            trace["time_to_first_chunk_ms"] = _seconds_to_ms(seconds)
        price = call_price(call["model"], call["provider"], call["start_ns"], call["input_tokens"],
                           call["output_tokens"], call["cache_read_tokens"], call["cache_write_tokens"])  # fmt: skip
        if price.usd is not None:
            trace["cost_usd"] = (trace["cost_usd"] or 0.0) + price.usd
    return figures


def root_agents(conn: Reader, numbers: list[int]) -> dict[int, str]:
    """Per trace: the name of its first agent, which holds the others (hand-offs start later)."""
    if not numbers:
        return {}
    name = conn.json_text_sql("attributes", gn.AGENT_NAME)
    found: dict[int, str] = {}
    for row in conn.execute(
        f"SELECT trace_no, {name} AS agent FROM spans WHERE trace_no IN ({','.join('?' * len(numbers))}) "
        f"AND operation IN {AGENT_OPERATIONS_SQL} AND {name} IS NOT NULL ORDER BY trace_no, start_ns, id",
        numbers,
    ):
        found.setdefault(row["trace_no"], row["agent"])
    return found


def _seconds_to_ms(value: Any) -> float | None:
    return value * 1000.0 if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _page(conn: Reader, rows: list[Any], limit: int, cursor: Callable[[Any], str]) -> dict[str, Any]:
    more = len(rows) > limit
    rows = rows[:limit]
    figures = _call_figures(conn, rows)
    agents = root_agents(conn, [r["trace_no"] for r in rows])
    return {
        "traces": [
            {**_trace_summary(r), **figures[r["trace_no"]], "root_agent": agents.get(r["trace_no"])} for r in rows
        ],
        "next": cursor(rows[-1]) if more and rows else None,
    }


def list_traces(conn: Reader, flt: TraceFilter) -> dict[str, Any]:
    """One page of traces, newest first, and the cursor of the next (older) page.

    With a text search, "newest" means most recently arrived: matches are walked in
    arrival order so a common word stops after one page instead of collecting every hit.
    """
    limit = max(1, min(flt.limit, MAX_PAGE_SIZE))
    where, params = _filters(conn, flt)
    words = search_words(flt.text) if flt.text else []
    if words:
        return _search(conn, flt, words, where, params, limit)
    if flt.before:
        start, _, trace_no = flt.before.partition(":")
        if start.isdigit() and trace_no.isdigit():
            where.append("(t.start_ns, t.trace_no) < (?, ?)")
            params += [int(start), int(trace_no)]
    sql = (
        f"SELECT {_TRACE_COLUMNS} FROM traces t WHERE {' AND '.join(where)}"
        " ORDER BY t.start_ns DESC, t.trace_no DESC LIMIT ?"
    )
    rows = conn.execute(sql, [*params, limit + 1]).fetchall()
    return _page(conn, rows, limit, lambda r: f"{r['start_ns']}:{r['trace_no']}")


def _search(
    conn: Reader, flt: TraceFilter, words: list[str], where: list[str], params: list[Any], limit: int
) -> dict[str, Any]:
    below = None
    if flt.before and flt.before.startswith("n:") and flt.before[2:].isdigit():
        below = int(flt.before[2:])
    found: list[Any] = []
    candidates: list[int] = []

    def check() -> None:
        marks = ",".join("?" * len(candidates))
        rows = conn.execute(
            f"SELECT {_TRACE_COLUMNS} FROM traces t WHERE {' AND '.join(where)} AND t.trace_no IN ({marks})",
            [*params, *candidates],
        ).fetchall()
        found.extend(sorted(rows, key=lambda r: -r["trace_no"]))
        candidates.clear()

    for trace_no in conn.matching_traces(words, below):
        candidates.append(trace_no)
        if len(candidates) >= 2 * limit:
            check()
            if len(found) > limit:
                break
    if candidates and len(found) <= limit:
        check()
    return _page(conn, found, limit, lambda r: f"n:{r['trace_no']}")


def facet_values(conn: Reader) -> dict[str, list[str]]:
    """Every model and provider seen, for the filter menus."""
    out: dict[str, list[str]] = {"model": [], "provider": []}
    for kind, value in conn.execute("SELECT kind, value FROM facet_values ORDER BY kind, value"):
        out.setdefault(kind, []).append(value)
    return out


def _loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


LOG_COLUMNS = "time_ns, severity_number, severity_text, event_name, body, attributes"


def log_view(log: Any) -> dict[str, Any]:
    """A stored log record (``LOG_COLUMNS``) as the page shows it."""
    return {
        "time_ms": _ms(log["time_ns"]),
        "severity": log["severity_text"] or log["severity_number"],
        "event_name": log["event_name"],
        "body": _loads(log["body"], None),
        "attributes": _loads(log["attributes"], {}),
    }


def trace_detail(conn: Reader, trace_id: str) -> dict[str, Any] | None:
    """Everything about one trace: summary, spans in start order, each with its GenAI view."""
    trace_id = trace_id.lower()
    row = conn.execute(f"SELECT {_TRACE_COLUMNS} FROM traces WHERE trace_id = ?", (trace_id,)).fetchone()
    if row is None or row["span_count"] == 0:
        return None
    trace_no = row["trace_no"]
    summary = _trace_summary(row)
    logs_by_span: dict[str, list[dict[str, Any]]] = {}
    log_rows = conn.execute(
        f"SELECT span_id, {LOG_COLUMNS} FROM logs WHERE trace_no = ? ORDER BY time_ns, id", (trace_no,)
    )
    for log in log_rows:
        logs_by_span.setdefault(log["span_id"], []).append(log_view(log))
    resources = {
        r["digest"]: {"service": r["service_name"], "attributes": _loads(r["attributes"], {})}
        for r in conn.execute(
            "SELECT digest, service_name, attributes FROM resources WHERE digest IN "
            "(SELECT DISTINCT resource_digest FROM spans WHERE trace_no = ?)",
            (trace_no,),
        )
    }
    spans = []
    for s in conn.execute("SELECT * FROM spans WHERE trace_no = ? ORDER BY start_ns, id", (trace_no,)):
        attributes = _loads(s["attributes"], {})
        events = _loads(s["events"], [])
        logs = logs_by_span.pop(s["span_id"], [])
        resource = resources.get(s["resource_digest"], {"service": "", "attributes": {}})
        spans.append(
            {
                "span_id": s["span_id"],
                "parent_span_id": s["parent_span_id"],
                "name": s["name"],
                "kind": _SPAN_KINDS.get(s["kind"], str(s["kind"])),
                "start_ms": _ms(s["start_ns"]),
                "duration_ms": (s["end_ns"] - s["start_ns"]) / 1e6,
                "status": _STATUS.get(s["status_code"], "unset"),
                "status_message": s["status_message"],
                "service": resource["service"],
                "resource": resource["attributes"],
                "scope": s["scope_name"],
                "attributes": attributes,
                "events": events,
                "links": _loads(s["links"], []),
                "logs": logs,
                "genai": genai_view(s, attributes, events, logs) if s["is_genai"] else None,
            }
        )
    # Log records of this trace whose span is not stored (or that have no span).
    summary["orphan_logs"] = [log for logs in logs_by_span.values() for log in logs]
    return {"trace": summary, "spans": spans, **agent_view(spans)}


def list_sessions(conn: Reader, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Conversations (``gen_ai.conversation.id``), most recently active first."""
    wanted = max(1, min(limit, MAX_PAGE_SIZE)) + max(0, offset)
    # Walk traces newest first until enough distinct conversations are seen, then total
    # only those: grouping every stored trace would cost time proportional to the store.
    # Read in keyset pages: a server engine would otherwise send every row at once.
    recent: dict[str, None] = {}
    after: list[int] = []
    while len(recent) < wanted:
        rows = conn.execute(
            "SELECT conversation_id, start_ns, trace_no FROM traces WHERE conversation_id IS NOT NULL "
            "AND span_count > 0"
            + (" AND (start_ns, trace_no) < (?, ?)" if after else "")
            + " ORDER BY start_ns DESC, trace_no DESC LIMIT ?",
            [*after, _SESSION_SCAN_PAGE],
        ).fetchall()
        for row in rows:
            recent.setdefault(row[0], None)
            if len(recent) >= wanted:
                break
        if len(rows) < _SESSION_SCAN_PAGE:
            break
        after = [rows[-1][1], rows[-1][2]]
    ids = list(recent)[max(0, offset) :]
    if not ids:
        return []
    rows = conn.execute(
        "SELECT conversation_id, COUNT(*) AS traces, MIN(start_ns) AS first_ns, MAX(start_ns) AS last_ns, "
        "SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, "
        "SUM(CASE WHEN error_count > 0 THEN 1 ELSE 0 END) AS failed FROM traces "
        f"WHERE conversation_id IN ({','.join('?' * len(ids))}) AND span_count > 0 GROUP BY conversation_id",
        ids,
    ).fetchall()
    by_id = {r["conversation_id"]: r for r in rows}
    return [
        {
            "conversation_id": cid,
            "traces": by_id[cid]["traces"],
            "first_ms": _ms(by_id[cid]["first_ns"]),
            "last_ms": _ms(by_id[cid]["last_ns"]),
            "input_tokens": by_id[cid]["input_tokens"],
            "output_tokens": by_id[cid]["output_tokens"],
            "failed_traces": by_id[cid]["failed"],
        }
        for cid in ids
        if cid in by_id
    ]


def session_traces(conn: Reader, conversation_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """The traces of one conversation in the order they happened."""
    rows = conn.execute(
        f"SELECT {_TRACE_COLUMNS} FROM traces WHERE conversation_id = ? AND span_count > 0 ORDER BY start_ns LIMIT ?",
        (conversation_id, max(1, min(limit, 1000))),
    ).fetchall()
    return [_trace_summary(r) for r in rows]
