"""Deciding which function tools the mock calls, and with what arguments."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.generation.schema_samples import sample_arguments
from otel_genai.mock_openai.generation.tokens import count_tokens

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


def plan_tool_calls(
    tools: Sequence[FunctionTool],
    *,
    named: str | None,
    parallel: bool,
    new_id: Callable[[], str],
) -> list[ToolCall]:
    """The calls to make: the *named* tool when the request names one; else every offered tool
    (at most :data:`MAX_PARALLEL_CALLS`), or only the first when not *parallel*; ids from *new_id*."""
    if not tools:
        return []
    if named is not None:
        chosen = [tool for tool in tools if tool.name == named][:1]
    elif parallel:
        chosen = list(tools[:MAX_PARALLEL_CALLS])
    else:
        chosen = [tools[0]]
    return [ToolCall(new_id(), tool.name, json.dumps(sample_arguments(tool.parameters))) for tool in chosen]
