"""OpenAI's function tools: reading them from Chat and Responses requests, and choosing which to call."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from otel_genai.mock_openai.generation.tool_calls import FunctionTool, ToolCall, plan_tool_calls
from otel_genai.mock_openai.openai.identifiers import tool_call_id


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


def openai_tool_calls(
    tools: Sequence[FunctionTool], tool_choice: Any, parallel: bool, answered: Collection[str]
) -> list[ToolCall]:
    """The calls to make for a ``tool_choice``: none for ``none``, else as :func:`plan_tool_calls`
    decides (the named tool when it names one); *answered*: the tools the turn has results for."""
    if tool_choice == "none":
        return []
    return plan_tool_calls(
        tools, named=_named_tool(tool_choice), parallel=parallel, new_id=tool_call_id, answered=answered
    )


def _named_tool(tool_choice: Any) -> str | None:
    # Chat names the tool under "function"; the Responses API puts "name" at the top.
    if not isinstance(tool_choice, Mapping) or tool_choice.get("type") != "function":
        return None
    function = tool_choice.get("function")
    name = function.get("name") if isinstance(function, Mapping) else tool_choice.get("name")
    return str(name) if name else None
