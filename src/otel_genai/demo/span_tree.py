"""A run's spans as an indented tree, for the demo's summary: what ran under what, and for how long.

Each line also says what a reader looks for in an agent run: the tools (and hand-offs) a model
call asked for, the call id each tool ran under, and a failure. The spans are the console
exporter's JSON documents; parents come from their ``parent_id``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from otel_genai import semconv

_NAME_WIDTH = 32


def _seconds(timestamp: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(timestamp).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def duration_text(span: dict[str, Any]) -> str:
    """The span's duration, in milliseconds below a second."""
    start, end = _seconds(span.get("start_time")), _seconds(span.get("end_time"))
    if start is None or end is None:
        return "duration unknown"
    seconds = end - start
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _requested_tools(attributes: dict[str, Any]) -> list[str]:
    """Names of the tools a model call asked for, from its output messages (captured content)."""
    try:
        messages = json.loads(attributes.get(semconv.OUTPUT_MESSAGES) or "[]")
    except (TypeError, ValueError):
        return []
    names: list[str] = []
    for message in messages if isinstance(messages, list) else []:
        for part in message.get("parts") or [] if isinstance(message, dict) else []:
            if isinstance(part, dict) and part.get("type") == "tool_call":
                names.append(str(part.get("name")))
    return names


def _note(attributes: dict[str, Any]) -> str:
    """What the span's attributes say that matters in a run."""
    error_type = attributes.get(semconv.ERROR_TYPE)
    if error_type:
        return f"failed with {error_type}"
    operation = attributes.get(semconv.OPERATION_NAME)
    if operation == semconv.OP_EXECUTE_TOOL:
        return f"call id {attributes.get(semconv.TOOL_CALL_ID, 'unknown')}"
    if operation == semconv.OP_INVOKE_AGENT:
        return ""
    asked = _requested_tools(attributes)
    if asked:
        return "asks for " + ", ".join(asked)
    return "answers" if attributes.get(semconv.OUTPUT_MESSAGES) else ""


def _span_id(span: dict[str, Any]) -> Any:
    return (span.get("context") or {}).get("span_id")


def span_tree_lines(spans: Iterable[dict[str, Any]]) -> list[str]:
    """One line per span, children under their parent in the order they started."""
    spans = list(spans)
    ids = {_span_id(span) for span in spans}
    children: dict[Any, list[dict[str, Any]]] = {}
    for span in spans:
        parent = span.get("parent_id")
        children.setdefault(parent if parent in ids else None, []).append(span)
    for siblings in children.values():
        siblings.sort(key=lambda span: _seconds(span.get("start_time")) or 0.0)

    lines: list[str] = []

    def add(span: dict[str, Any], lead: str, branch: str) -> None:
        label = f"{lead}{branch}{span.get('name')}"
        note = _note(span.get("attributes") or {})
        lines.append(f"{label:<{_NAME_WIDTH}} {duration_text(span):>9}  {note}".rstrip())
        below = children.get(_span_id(span), [])
        # Under a last child the vertical line stops; under the others it goes on.
        deeper = lead + ("   " if branch == "└─ " else "│  " if branch else "")
        for index, child in enumerate(below):
            add(child, deeper, "└─ " if index == len(below) - 1 else "├─ ")

    for root in children.get(None, []):
        add(root, "", "")
    return lines
