"""Deciding which function tools the mock calls, and with what arguments."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.identifiers import tool_call_id
from otel_genai.mock_openai.schema_samples import sample_arguments
from otel_genai.mock_openai.tokens import count_tokens

# A real model rarely fans out further in one turn; more would only bloat test output.
MAX_PARALLEL_CALLS = 3


@dataclass(frozen=True)
class FunctionTool:
    """A function tool offered by the request."""

    name: str
    parameters: Mapping[str, Any] | None


@dataclass(frozen=True)
class ToolCall:
    """One call the mock makes: a fresh call id, the function name and JSON-encoded arguments."""

    call_id: str
    name: str
    arguments: str


def definition_tokens(tools: Any) -> int:
    """Prompt tokens spent on the request's tool definitions (any kind of tool)."""
    return count_tokens(json.dumps(tools)) if tools else 0


def chat_function_tools(tools: Any) -> list[FunctionTool]:
    """Function tools of a Chat Completions ``tools`` array (``{"type": "function", "function": {...}}``)."""
    found: list[FunctionTool] = []
    for tool in tools if isinstance(tools, list) else ():
        if not isinstance(tool, Mapping) or tool.get("type") != "function":
            continue
        function = tool.get("function")
        if isinstance(function, Mapping) and function.get("name"):
            found.append(FunctionTool(str(function["name"]), function.get("parameters")))
    return found


def responses_function_tools(tools: Any) -> list[FunctionTool]:
    """Function tools of a Responses API ``tools`` array (``{"type": "function", "name": ...}``)."""
    return [
        FunctionTool(str(tool["name"]), tool.get("parameters"))
        for tool in (tools if isinstance(tools, list) else ())
        if isinstance(tool, Mapping) and tool.get("type") == "function" and tool.get("name")
    ]


def plan_tool_calls(tools: Sequence[FunctionTool], tool_choice: Any, parallel: bool) -> list[ToolCall]:
    """The calls to make: none when ``tool_choice`` is ``none``; the named tool when it names one;
    else every offered tool (at most :data:`MAX_PARALLEL_CALLS`) or only the first when not parallel."""
    if not tools or tool_choice == "none":
        return []
    named = _named_tool(tool_choice)
    if named is not None:
        chosen = [tool for tool in tools if tool.name == named][:1]
    elif parallel:
        chosen = list(tools[:MAX_PARALLEL_CALLS])
    else:
        chosen = [tools[0]]
    return [ToolCall(tool_call_id(), tool.name, json.dumps(sample_arguments(tool.parameters))) for tool in chosen]


def _named_tool(tool_choice: Any) -> str | None:
    # Chat names the tool under "function"; the Responses API puts "name" at the top.
    if not isinstance(tool_choice, Mapping) or tool_choice.get("type") != "function":
        return None
    function = tool_choice.get("function")
    name = function.get("name") if isinstance(function, Mapping) else tool_choice.get("name")
    return str(name) if name else None
