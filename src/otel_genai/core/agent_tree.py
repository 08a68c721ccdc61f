"""Work that a framework reports through start and end callbacks -> nested spans.

Agent frameworks report each unit of work (an agent run, a tool, a model call, a hand-off) as
a start and an end carrying its own id, its parent's id and its trace's id.
:class:`AgentTree` keeps the OpenTelemetry side of that tree:

- a step's span parents the spans of its children, and is the current span while the
  framework runs the step (the start and end callbacks run in the step's own context), so
  model calls made by an instrumented client inside nest under it;
- units we do not show (a framework's turns or tasks) pass their parent through;
- a model call is recorded here only when the adapter hands over its record: when a client
  instrumentation records the call itself, the adapter hands over none and nothing is counted twice;
- the tool calls a model asked for give each following tool execution of that agent its call id;
- after a hand-off, the next agent's span is a child of the agent that handed off, whose span
  stays open until the trace ends: one trace, the delegation visible as nesting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context

from otel_genai.core.agent_records import AgentInvocation, ModelTurn, ToolExecution
from otel_genai.core.agent_telemetry import AgentTelemetry, Step
from otel_genai.core.invocation import Invocation, ToolDefinition
from otel_genai.core.telemetry import GenAITelemetry


@dataclass(eq=False)
class _Agent:
    record: AgentInvocation
    step: Step
    # Tool name -> call ids of the latest model output, in the order the model gave them.
    tool_calls: dict[str, deque[str]] = field(default_factory=dict)
    models: set[str] = field(default_factory=set)
    handed_off: bool = False
    error_description: str | None = None

    def take_call_id(self, tool_name: str) -> str | None:
        ids = self.tool_calls.get(tool_name)
        return ids.popleft() if ids else None


def _take_turn(agent: AgentInvocation, turn: ModelTurn) -> None:
    """The agent was told and given what its first model call was; it answered what its last said."""
    if agent.system_instructions is None:
        agent.system_instructions = turn.system_instructions
    if agent.input_messages is None:
        agent.input_messages = turn.input_messages
    if turn.output_messages:
        agent.output_messages = turn.output_messages


@dataclass(eq=False)
class _Node:
    # The context the children of this unit start in.
    context: Context
    agent: _Agent | None
    trace_id: str
    step: Step | None = None
    # The token of the context we made current, and that context.
    token: object | None = None
    attached: Context | None = None
    started_ns: int = 0


@dataclass(eq=False)
class _Trace:
    context: Context
    # In start order (a dict keeps it), so leftovers are closed the latest first.
    node_ids: dict[str, None] = field(default_factory=dict)
    # Next agent's name -> the agent that handed off to it.
    handoffs: dict[str, _Agent] = field(default_factory=dict)
    # Agents that handed off: their spans end with the trace.
    open_agents: list[_Agent] = field(default_factory=list)


class AgentTree:
    """The spans of one framework's reported work, keyed by the framework's ids."""

    def __init__(self, agents: AgentTelemetry, models: GenAITelemetry) -> None:
        self.agents = agents
        self.models = models
        self._nodes: dict[str, _Node] = {}
        self._traces: dict[str, _Trace] = {}
        self._lock = threading.Lock()

    # --- traces --------------------------------------------------------------------------
    def trace_started(self, trace_id: str) -> None:
        with self._lock:
            self._traces[trace_id] = _Trace(otel_context.get_current())

    def trace_ended(self, trace_id: str) -> None:
        with self._lock:
            state = self._traces.pop(trace_id, None)
            if state is None:
                return
            leftovers = [self._nodes.pop(node_id) for node_id in state.node_ids if node_id in self._nodes]
        for node in reversed(leftovers):  # units the framework never ended, the latest first
            self._detach(node)
            if node.step is not None:
                node.step.end()
        for agent in reversed(state.open_agents):
            agent.step.end(agent.record.error_type)

    # --- units -------------------------------------------------------------------------------
    def agent_started(self, unit_id: str, parent_id: str | None, trace_id: str, record: AgentInvocation) -> None:
        with self._lock:
            context, _ = self._parent(parent_id, trace_id)
            state = self._traces.get(trace_id)
            handing = state.handoffs.pop(record.name, None) if state and record.name else None
        if handing is not None:
            context = trace.set_span_in_context(handing.step.span, context)
        step = self.agents.start_agent(record, context)
        self._add(unit_id, trace_id, step, _Agent(record, step), context, current=True)

    def tool_started(self, unit_id: str, parent_id: str | None, trace_id: str, record: ToolExecution) -> None:
        with self._lock:
            context, agent = self._parent(parent_id, trace_id)
            if agent is not None:
                record.agent_name = record.agent_name or agent.record.name
                if record.call_id is None:
                    record.call_id = agent.take_call_id(record.name)
        step = self.agents.start_tool(record, context)
        self._add(unit_id, trace_id, step, agent, context, current=True)

    def tool_finished(self, unit_id: str, arguments: Any, result: Any) -> None:
        """What the tool was given and returned, known at its end (kept under content capture only)."""
        node = self._nodes.get(unit_id)
        if node is None or node.step is None or not node.step.records_content:
            return
        record = node.step.record
        if isinstance(record, ToolExecution):
            record.arguments = arguments
            record.result = result

    def agent_finished(self, unit_id: str, tool_definitions: list[ToolDefinition] | None) -> None:
        """The agent's tools, known at its end (kept under content capture only)."""
        node = self._nodes.get(unit_id)
        if node is None or node.step is None or not node.step.records_content:
            return
        record = node.step.record
        if isinstance(record, AgentInvocation):
            record.tool_definitions = tool_definitions

    def passed_through(self, unit_id: str, parent_id: str | None, trace_id: str) -> None:
        """A unit we do not show: its children belong to its parent."""
        with self._lock:
            context, agent = self._parent(parent_id, trace_id)
            self._remember(unit_id, _Node(context, agent, trace_id))

    def model_call_started(self, unit_id: str, parent_id: str | None, trace_id: str) -> None:
        with self._lock:
            context, agent = self._parent(parent_id, trace_id)
            self._remember(unit_id, _Node(context, agent, trace_id, started_ns=time.time_ns()))

    def model_call_ended(
        self,
        unit_id: str,
        record: Invocation,
        tool_calls: list[tuple[str, str]],
        *,
        recorded_elsewhere: bool,
        error_type: str | None = None,
        description: str | None = None,
        content: Callable[[], ModelTurn] | None = None,
    ) -> None:
        """``record``: the call; recorded here unless ``recorded_elsewhere`` (by a client
        instrumentation). ``tool_calls``: (tool name, call id) pairs the model asked for.
        ``content``: reads the call's messages, called only when the agent's span records content."""
        node = self._forget(unit_id)
        if node is None:
            return
        agent = node.agent
        if agent is not None:
            ids: dict[str, deque[str]] = {}
            for name, call_id in tool_calls:
                ids.setdefault(name, deque()).append(call_id)
            agent.tool_calls = ids
            if record.request_model:
                agent.models.add(record.request_model)
            if content is not None and agent.step.records_content:
                _take_turn(agent.record, content())
        if not recorded_elsewhere:
            self.models.start(record, node.context, node.started_ns).end(error_type, description)

    def handed_off(self, unit_id: str, trace_id: str, to_agent: str | None) -> None:
        """The agent running ``unit_id`` hands the conversation to ``to_agent``."""
        with self._lock:
            node = self._nodes.get(unit_id)
            state = self._traces.get(trace_id)
            if node is None or node.agent is None or state is None or not to_agent:
                return
            node.agent.handed_off = True
            state.handoffs[to_agent] = node.agent

    def ended(self, unit_id: str, error_type: str | None = None, description: str | None = None) -> None:
        node = self._forget(unit_id)
        if node is None:
            return
        self._detach(node)
        agent = node.agent
        if node.step is None:
            # A unit we do not show failed (a turn, a guardrail check): its agent failed.
            if error_type is not None and agent is not None and agent.record.error_type is None:
                agent.record.error_type = error_type
                agent.error_description = description
            return
        if agent is not None and agent.step is node.step:
            if error_type is None and agent.record.error_type is not None:
                error_type, description = agent.record.error_type, agent.error_description
            if agent.record.request_model is None and len(agent.models) == 1:
                agent.record.request_model = next(iter(agent.models))
            if agent.handed_off:
                agent.record.error_type = error_type
                with self._lock:
                    state = self._traces.get(node.trace_id)
                    if state is not None:
                        state.open_agents.append(agent)
                        return
        node.step.end(error_type, description)

    # --- bookkeeping ---------------------------------------------------------------------------
    @staticmethod
    def _detach(node: _Node) -> None:
        # Only where our context is still the current one: then this is the context the unit
        # started in, and its token is valid here.
        if node.token is not None and otel_context.get_current() is node.attached:
            otel_context.detach(node.token)  # type: ignore[arg-type]
            node.token = None

    def _parent(self, parent_id: str | None, trace_id: str) -> tuple[Context, _Agent | None]:
        node = self._nodes.get(parent_id) if parent_id else None
        if node is not None:
            return node.context, node.agent
        state = self._traces.get(trace_id)
        return (state.context if state is not None else otel_context.get_current()), None

    def _add(
        self, unit_id: str, trace_id: str, step: Step, agent: _Agent | None, parent: Context, *, current: bool
    ) -> None:
        context = trace.set_span_in_context(step.span, parent)
        node = _Node(context, agent, trace_id, step=step)
        if current and step.span.get_span_context().is_valid:
            node.attached = context
            node.token = otel_context.attach(context)
        with self._lock:
            self._remember(unit_id, node)

    def _remember(self, unit_id: str, node: _Node) -> None:
        self._nodes[unit_id] = node
        state = self._traces.get(node.trace_id)
        if state is not None:
            state.node_ids[unit_id] = None

    def _forget(self, unit_id: str) -> _Node | None:
        with self._lock:
            node = self._nodes.pop(unit_id, None)
            if node is not None:
                state = self._traces.get(node.trace_id)
                if state is not None:
                    state.node_ids.pop(unit_id, None)
            return node
