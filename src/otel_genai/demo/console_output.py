"""What the demo app printed: its own text, and the console exporters' JSON documents.

The SDK's console exporters write each span, log record and metrics batch as an
indented JSON object starting with a ``{`` line. They flush at exit in the reverse order
of their set-up (logs, metrics, then spans), so the demo reads them back and prints them
in the order a reader wants, each document exactly as the exporter wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Document:
    """One exported item: the exporter's text and what it says."""

    text: str
    data: dict[str, Any]


@dataclass
class ConsoleOutput:
    """The app's stdout, sorted: plain lines it printed, then spans, log events and metrics."""

    app_text: str = ""
    spans: list[Document] = field(default_factory=list)
    events: list[Document] = field(default_factory=list)
    metrics: list[Document] = field(default_factory=list)


def _kind(data: dict[str, Any]) -> str | None:
    if "context" in data and "start_time" in data:
        return "span"
    if "severity_number" in data and "body" in data:
        return "event"
    if "resource_metrics" in data:
        return "metrics"
    return None


def split_console_output(text: str) -> ConsoleOutput:
    """Separate the exporters' documents from the app's own lines."""
    output = ConsoleOutput()
    app_lines: list[str] = []
    position = 0
    while position < len(text):
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end + 1
        if text[position:line_end].rstrip("\r\n") == "{":
            try:
                data, end = _DECODER.raw_decode(text, position)
            except ValueError:
                data, end = None, position
            kind = _kind(data) if isinstance(data, dict) else None
            if kind is not None:
                document = Document(text[position:end], data)
                {"span": output.spans, "event": output.events, "metrics": output.metrics}[kind].append(document)
                position = end + 1 if text.startswith("\n", end) else end
                continue
        app_lines.append(text[position:line_end])
        position = line_end
    output.app_text = "".join(app_lines)
    return output
