"""The agent view of one trace: what each span is (agent, model call, tool), the tool calls
that link a model's output to the span that ran them, and the run's totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

AGENT_OPERATIONS = frozenset({"invoke_agent", "create_agent"})
TOOL_OPERATION = "execute_tool"


def span_kind_of(span: dict[str, Any]) -> str:
    """``agent``, ``tool``, ``model`` (any other GenAI operation) or ``other`` (not GenAI)."""
    genai = span.get("genai")
    if not genai:
        return "other"
    operation = genai.get("operation") or span["attributes"].get("gen_ai.operation.name")
    if operation in AGENT_OPERATIONS:
        return "agent"
    if operation == TOOL_OPERATION or genai.get("tool"):
        return "tool"
    return "model"


def _requested_calls(span: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool calls a model span's output asked for, each with an id."""
    conversation = (span.get("genai") or {}).get("conversation") or {}
    return [
        part
        for message in conversation.get("output_messages") or []
        for part in message.get("parts") or []
        if part.get("type") == "tool_call" and part.get("id")
    ]


def tool_call_links(spans: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per tool call id: the model span that asked for it and the ``execute_tool`` span that ran it."""
    links: dict[str, dict[str, Any]] = {}

    def entry(call_id: Any, name: Any) -> dict[str, Any]:
        key = str(call_id)
        found = links.setdefault(key, {"call_id": key, "name": name, "requested_by": None, "executed_by": None})
        found["name"] = found["name"] or name
        return found

    for span in spans:
        kind = span["agent_kind"]
        if kind == "model":
            for part in _requested_calls(span):
                found = entry(part["id"], part.get("name"))
                found["requested_by"] = found["requested_by"] or span["span_id"]
        elif kind == "tool":
            tool = span["genai"].get("tool") or {}
            if tool.get("call_id"):
                found = entry(tool["call_id"], tool.get("name"))
                found["executed_by"] = found["executed_by"] or span["span_id"]
    return list(links.values())


def _add(total: float | None, value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (total or 0) + value
    return total


def run_totals(spans: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Tokens and cost of every model call, and counts of agents, model calls, tool calls and failed spans."""
    totals: dict[str, Any] = {
        "input_tokens": None, "output_tokens": None, "cost_usd": None,
        "agents": 0, "model_calls": 0, "tool_calls": 0, "errors": 0,
    }  # fmt: skip
    for span in spans:
        kind = span["agent_kind"]
        if span["status"] == "error":
            totals["errors"] += 1
        if kind == "agent":
            totals["agents"] += 1
        elif kind == "tool":
            totals["tool_calls"] += 1
        elif kind == "model":
            totals["model_calls"] += 1
            genai = span["genai"]
            tokens = genai.get("tokens") or {}
            totals["input_tokens"] = _add(totals["input_tokens"], tokens.get("input"))
            totals["output_tokens"] = _add(totals["output_tokens"], tokens.get("output"))
            totals["cost_usd"] = _add(totals["cost_usd"], genai.get("cost_usd"))
    return totals


def agent_view(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """Marks each span with its ``agent_kind``; returns the trace's tool-call links and totals."""
    for span in spans:
        span["agent_kind"] = span_kind_of(span)
    return {"tool_calls": tool_call_links(spans), "totals": run_totals(spans)}
