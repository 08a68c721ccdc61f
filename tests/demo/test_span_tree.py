"""The summary's span tree, from console-exporter span documents written here."""

from __future__ import annotations

import json
import re
from typing import Any

from otel_genai.demo.span_tree import span_tree_lines

# A line's duration (group 1), and what follows it.
DURATION = re.compile(r" +(\d+(?:\.\d+)? m?s)\b.*$")


def _span(span_id: str, name: str, parent: str | None, start_ms: int, end_ms: int, **attributes: Any) -> dict[str, Any]:

    def at(ms: int) -> str:
        return f"2026-01-01T00:00:{ms // 1000:02d}.{ms % 1000:03d}000Z"

    return {
        "name": name,
        "context": {"trace_id": "0x1", "span_id": span_id},
        "parent_id": parent,
        "start_time": at(start_ms),
        "end_time": at(end_ms),
        "attributes": attributes,
    }


def test_children_in_start_order_with_their_lines_and_notes() -> None:
    asked = json.dumps([{"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "lookup"}]}])
    agent = {"gen_ai.operation.name": "invoke_agent"}
    tool = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.id": "c1"}
    chat = {"gen_ai.operation.name": "chat", "gen_ai.output.messages": asked}
    failed = {"gen_ai.operation.name": "chat", "error.type": "TimeoutError"}
    spans = [  # in the order a console exporter prints them: as they end
        _span("0x3", "execute_tool lookup", "0x2", 300, 302, **tool),
        _span("0x4", "chat m", "0x2", 100, 250, **chat),
        _span("0x5", "chat m", "0x6", 500, 600, **failed),
        _span("0x6", "invoke_agent second", "0x2", 450, 700, **agent),
        _span("0x2", "invoke_agent first", "0x1", 0, 1500, **agent),
    ]
    lines = span_tree_lines(spans)
    # The root's parent (0x1, the app's own span) was not printed: the agent is the tree's root.
    assert [" ".join(line.split()) for line in lines] == [
        "invoke_agent first 1.50 s",
        "├─ chat m 150 ms asks for lookup",
        "├─ execute_tool lookup 2 ms call id c1",
        "└─ invoke_agent second 250 ms",
        "└─ chat m 100 ms failed with TimeoutError",
    ]
    assert lines[-1].startswith("   └─ chat m")
    # The durations end in one column.
    assert len({DURATION.search(line).end(1) for line in lines}) == 1


def test_a_line_under_a_child_that_is_not_the_last_keeps_the_vertical_line() -> None:
    spans = [
        _span("0xa", "root", None, 0, 900),
        _span("0xb", "first", "0xa", 100, 400),
        _span("0xc", "inner", "0xb", 200, 300),
        _span("0xd", "second", "0xa", 500, 800),
    ]
    assert [DURATION.sub("", line) for line in span_tree_lines(spans)] == [
        "root",
        "├─ first",
        "│  └─ inner",
        "└─ second",
    ]
