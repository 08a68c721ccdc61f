"""The provider-neutral records of an agent invocation and of a tool execution.

Like :class:`~otel_genai.core.invocation.Invocation` for a model call, a framework adapter
(or the hand-written API) fills one of these and :mod:`otel_genai.core.agent_telemetry`
turns it into a span and a metric point. Nothing here knows a framework or OpenTelemetry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from otel_genai.core.invocation import Message, Part, ToolDefinition


@dataclass(slots=True, eq=False)
class AgentInvocation:
    """One run of an in-process agent (``invoke_agent``, kind INTERNAL)."""

    name: str | None
    # A stable id of the agent's definition, when the application has one (#242).
    agent_id: str | None = None
    description: str | None = None
    version: str | None = None
    # Only for an agent that uses one fixed model.
    request_model: str | None = None
    conversation_id: str | None = None
    error_type: str | None = None
    # Content: recorded only when the content policy puts content on spans (opt-in attributes
    # of invoke_agent): what the agent was told and given, and what it answered.
    system_instructions: list[Part] | None = None
    input_messages: list[Message] | None = None
    output_messages: list[Message] | None = None
    # The agent's own tools (by type and name only, as on inference spans).
    tool_definitions: list[ToolDefinition] | None = None


@dataclass(slots=True, eq=False)
class ToolExecution:
    """One execution of a tool (``execute_tool``, kind INTERNAL)."""

    name: str
    tool_type: str | None = None
    # The id of the model's tool call that this execution answers.
    call_id: str | None = None
    description: str | None = None
    # The agent running the tool.
    agent_name: str | None = None
    conversation_id: str | None = None
    # Content: recorded only when the content policy puts content on spans.
    arguments: Any = None
    result: Any = None
    error_type: str | None = None


@dataclass(slots=True, eq=False)
class ModelTurn:
    """The content of one model call an agent made: what the agent's span shows of it under
    content capture (the first call's instructions and input, the last call's output)."""

    system_instructions: list[Part] | None = None
    input_messages: list[Message] | None = None
    output_messages: list[Message] | None = None
