"""Deciding which function tools the mock calls, and with what arguments.

The rule, one step of a turn (the turn starts at the user's last message):

1. a tool the request names in ``tool_choice``, unless the turn already answered it;
2. else every offered ordinary tool the turn has not answered yet (at most
   :data:`MAX_PARALLEL_CALLS` at once, or one at a time without parallel calls);
3. once those are answered, the first offered hand-off the turn has not taken;
4. then no call: the model answers in text.

So an agent gets its tools' results before it hands off, the agent it hands off to
runs its own tools, and every turn ends in text after at most one call per tool.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.generation.schema_samples import sample_arguments
from otel_genai.mock_openai.generation.tokens import count_tokens

# A real model rarely fans out further in one turn; more would only bloat test output.
MAX_PARALLEL_CALLS = 3

# The OpenAI Agents SDK offers each hand-off as a function tool named ``transfer_to_<agent>``.
HANDOFF_PREFIX = "transfer_to_"


def is_handoff(tool_name: str) -> bool:
    """True for a hand-off to another agent, offered as a tool."""
    return tool_name.startswith(HANDOFF_PREFIX)


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
    answered: Collection[str] = frozenset(),
) -> list[ToolCall]:
    """The calls to make this step, by the rule in this module's docstring: *named* is the tool
    ``tool_choice`` names, *answered* the names of the tools whose results this turn already
    holds; ids from *new_id*. An empty list means: answer in text."""
    pending = [tool for tool in tools if tool.name not in answered]
    if named is not None:
        return _calls([tool for tool in pending if tool.name == named][:1], new_id)
    ordinary = [tool for tool in pending if not is_handoff(tool.name)]
    if ordinary:
        return _calls(ordinary[:MAX_PARALLEL_CALLS] if parallel else ordinary[:1], new_id)
    return _calls([tool for tool in pending if is_handoff(tool.name)][:1], new_id)


def _calls(tools: Sequence[FunctionTool], new_id: Callable[[], str]) -> list[ToolCall]:
    return [ToolCall(new_id(), tool.name, json.dumps(sample_arguments(tool.parameters))) for tool in tools]
