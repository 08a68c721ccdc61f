"""Telemetry for agents and tools written by hand: ``agent``, ``tool`` and ``conversation``.

::

    from otel_genai import agent, conversation, tool

    @tool(description="Current weather")
    def get_weather(city: str) -> str: ...

    with conversation("chat-42"), agent("planner", model="gpt-4o-mini"):
        get_weather("Paris")          # execute_tool get_weather, child of invoke_agent planner

Spans and metrics go to the global OpenTelemetry providers (or those given to
:func:`configure_agent_api`); settings (content capture) are read once, at first use. The
current span and the conversation live in context variables, so they follow ``asyncio``
tasks (a tool awaited under ``asyncio.gather`` is a child of the agent that gathered) and
threads started with a copied context (``asyncio.to_thread``, ``contextvars.copy_context``).
Nothing here raises into the application: the wrapped code runs, and its result or
exception reaches the caller unchanged, whatever happens to the telemetry.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.metrics import _internal as metrics_api

from otel_genai import semconv
from otel_genai.config import load_settings
from otel_genai.core import content
from otel_genai.core.agent_records import AgentInvocation, ToolExecution
from otel_genai.core.agent_telemetry import AgentTelemetry, Step
from otel_genai.core.conversation import conversation_scope
from otel_genai.core.internal_errors import log_internal_error
from otel_genai.core.invocation import Message, text_part

F = TypeVar("F", bound=Callable[..., Any])

_telemetry: AgentTelemetry | None = None
_telemetry_lock = threading.Lock()
# Set once the application hands the API its own providers: from then on it always records.
_providers_given = False
# Providers named by environment variables are loaded by the API's getters on first use.
_providers_from_env = "OTEL_PYTHON_TRACER_PROVIDER" in os.environ or "OTEL_PYTHON_METER_PROVIDER" in os.environ


def configure_agent_api(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Read the settings now and emit through these providers (the global ones by default).

    Optional: without it, the first ``agent`` or ``tool`` reads the settings and uses the
    global providers.
    """
    global _telemetry, _providers_given
    with _telemetry_lock:
        _telemetry = AgentTelemetry(load_settings(), tracer_provider=tracer_provider, meter_provider=meter_provider)
        _providers_given = tracer_provider is not None or meter_provider is not None


def _unconfigure() -> None:
    """Back to the state before any configuration: settings and providers read at next use."""
    global _telemetry, _providers_given
    with _telemetry_lock:
        _telemetry = None
        _providers_given = False


def _nothing_records() -> bool:
    """No SDK is configured: no providers were given to the API or set globally, so spans and
    metric points would go nowhere. Then the API only calls the wrapped code (an agent with two
    tools: about 1 µs instead of 16 µs), checking at every call, so that an SDK configured later
    is used from its next call. The API's own globals are read: its getters look an environment
    variable up at every call while no provider is set (1 µs each)."""
    return (
        not _providers_given
        and not _providers_from_env
        and getattr(trace, "_TRACER_PROVIDER", True) is None
        and getattr(metrics_api, "_METER_PROVIDER", True) is None
    )


def _agent_telemetry() -> AgentTelemetry:
    global _telemetry
    telemetry = _telemetry
    if telemetry is None:
        with _telemetry_lock:
            if _telemetry is None:
                _telemetry = AgentTelemetry(load_settings())
            telemetry = _telemetry
    return telemetry


class _Open:
    """One entered block: its step and the context token that made its span current."""

    __slots__ = ("step", "token")

    def __init__(self, step: Step) -> None:
        self.step = step
        # With no SDK installed the span is invalid: nothing to make current.
        self.token = (
            otel_context.attach(trace.set_span_in_context(step.span)) if step.span.get_span_context().is_valid else None
        )

    def close(self, exc: BaseException | None) -> None:
        try:
            if self.token is not None:
                otel_context.detach(self.token)
            if exc is None:
                self.step.end()
            else:
                self.step.fail(exc)
        except Exception as inner:  # noqa: BLE001
            log_internal_error("closing an agent or tool block", inner)


class _Block:
    """A context manager that is also a decorator of sync and async functions.

    Each entry opens a fresh step, so one decorated function may run in many threads and
    tasks at once; a ``with`` block keeps its open steps on a stack for its exit.
    """

    def __init__(self) -> None:
        self._entered: list[_Open | None] = []

    def _open(self, arguments: Callable[[], Any] | None = None) -> _Open | None:
        raise NotImplementedError

    def __enter__(self) -> _Block:
        self._entered.append(None if _nothing_records() else self._open())
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        opened = self._entered.pop() if self._entered else None
        if opened is not None:
            opened.close(exc)

    def _decorate(self, func: F) -> F:
        def bound_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Any]:
            # Called only when content is recorded: arguments by parameter name.
            def read() -> Any:
                bound = inspect.signature(func).bind_partial(*args, **kwargs)
                return dict(bound.arguments)

            return read

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                opened = None if _nothing_records() else self._open(bound_arguments(args, kwargs))
                if opened is None:
                    return await func(*args, **kwargs)
                try:
                    result = await func(*args, **kwargs)
                except BaseException as exc:
                    opened.close(exc)
                    raise
                return self._returned(opened, result)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            opened = None if _nothing_records() else self._open(bound_arguments(args, kwargs))
            if opened is None:
                return func(*args, **kwargs)
            try:
                result = func(*args, **kwargs)
            except BaseException as exc:
                opened.close(exc)
                raise
            return self._returned(opened, result)

        return run  # type: ignore[return-value]

    def __call__(self, func: F) -> F:
        return self._decorate(func)

    def _returned(self, opened: _Open, result: Any) -> Any:
        self._set_result(opened, result)
        opened.close(None)
        return result

    def _set_result(self, opened: _Open, result: Any) -> None:
        pass


class AgentBlock(_Block):
    """``invoke_agent {name}``: see :func:`agent`."""

    def __init__(
        self,
        name: str,
        agent_id: str | None,
        description: str | None,
        version: str | None,
        model: str | None,
        instructions: str | None,
    ) -> None:
        super().__init__()
        self._fields = (name, agent_id, description, version, model)
        self.instructions = instructions
        #: Set inside a ``with`` block to record what the agent was asked and answered (under content capture).
        self.input: Any = None
        self.output: Any = None

    def _open(self, arguments: Callable[[], Any] | None = None) -> _Open | None:
        try:
            name, agent_id, description, version, model = self._fields
            record = AgentInvocation(
                name=name, agent_id=agent_id, description=description, version=version, request_model=model
            )
            step = _agent_telemetry().start_agent(record)
            if step.records_content:
                if self.instructions:
                    record.system_instructions = [text_part(self.instructions)]
                if arguments is not None:
                    record.input_messages = _messages("user", _call_input(arguments()))
            return _Open(step)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("starting an agent span", exc)
            return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        opened = self._entered[-1] if self._entered else None
        if opened is not None and opened.step.records_content and isinstance(opened.step.record, AgentInvocation):
            if self.input is not None:
                opened.step.record.input_messages = _messages("user", self.input)
            if exc is None:
                self._set_result(opened, self.output)
        super().__exit__(exc_type, exc, tb)

    def _set_result(self, opened: _Open, result: Any) -> None:
        if opened.step.records_content and isinstance(opened.step.record, AgentInvocation):
            opened.step.record.output_messages = _messages("assistant", result, finish_reason="stop")


def _call_input(arguments: dict[str, Any]) -> Any:
    """A decorated agent's input: its one argument, or its arguments by parameter name."""
    if len(arguments) == 1:
        return next(iter(arguments.values()))
    return arguments or None


def _messages(role: str, value: Any, finish_reason: str | None = None) -> list[Message] | None:
    """One message of ``role`` holding ``value`` as text (JSON unless it is a string)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else content.to_json(value)
    return [Message(role, [text_part(text)], finish_reason=finish_reason)]


class ToolBlock(_Block):
    """``execute_tool {name}``: see :func:`tool`."""

    def __init__(
        self,
        name: str | None,
        description: str | None,
        tool_type: str,
        call_id: str | None,
        arguments: Any,
    ) -> None:
        super().__init__()
        self.name = name
        self.description = description
        self.tool_type = tool_type
        self.call_id = call_id
        self.arguments = arguments
        #: Set inside a ``with`` block to record the tool's result (under content capture).
        self.result: Any = None

    def _open(self, arguments: Callable[[], Any] | None = None) -> _Open | None:
        try:
            record = ToolExecution(
                name=self.name or "tool",
                tool_type=self.tool_type,
                call_id=self.call_id,
                description=self.description,
            )
            step = _agent_telemetry().start_tool(record)
            if step.records_content:
                record.arguments = arguments() if arguments is not None else self.arguments
            return _Open(step)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("starting a tool span", exc)
            return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        opened = self._entered[-1] if self._entered else None
        if opened is not None and exc is None:
            self._set_result(opened, self.result)
        super().__exit__(exc_type, exc, tb)

    def _set_result(self, opened: _Open, result: Any) -> None:
        if opened.step.records_content and isinstance(opened.step.record, ToolExecution):
            opened.step.record.result = result

    def __call__(self, func: F) -> F:
        if self.name is None:
            self.name = getattr(func, "__name__", None)
        if self.description is None:
            doc = inspect.getdoc(func)
            self.description = doc.split("\n\n", 1)[0] if doc else None
        return self._decorate(func)


def agent(
    name: str,
    *,
    agent_id: str | None = None,
    description: str | None = None,
    version: str | None = None,
    model: str | None = None,
    instructions: str | None = None,
) -> AgentBlock:
    """An ``invoke_agent {name}`` span (kind INTERNAL) around a block or a function.

    ``agent_id`` is a stable id of the agent's definition; ``model`` the one model the
    agent uses, if it uses only one (``gen_ai.request.model``). Model calls, tools and
    agents inside become its children. Use as ``with agent("planner"):`` or ``@agent("planner")``.

    Under content capture only, the span also shows ``instructions`` (``gen_ai.system_instructions``),
    what the agent was asked (``gen_ai.input.messages``: a decorated function's one argument, or
    its arguments by name; in a ``with agent(...) as a:`` block, ``a.input``) and what it answered
    (``gen_ai.output.messages``: the return value, or ``a.output``), each as text.
    """
    return AgentBlock(name, agent_id, description, version, model, instructions)


def tool(
    name: str | Callable[..., Any] | None = None,
    *,
    description: str | None = None,
    tool_type: str = semconv.TOOL_TYPE_FUNCTION,
    call_id: str | None = None,
    arguments: Any = None,
) -> Any:
    """An ``execute_tool {name}`` span (kind INTERNAL) around a tool function or block.

    As a decorator (``@tool``, ``@tool()``, ``@tool("search")``) of a sync or async function,
    the name defaults to the function's and the description to its docstring's first
    paragraph; its arguments (by parameter name) and its return value are recorded only
    under content capture. As a ``with tool("search", call_id=call.id, arguments=...) as t:``
    block, set ``t.result``. ``call_id`` is the id of the model's tool call. A tool that
    raises gets ``error.type`` and ERROR status; the exception reaches the caller unchanged.
    """
    if callable(name):
        return ToolBlock(None, description, tool_type, call_id, arguments)(name)
    return ToolBlock(name, description, tool_type, call_id, arguments)


def conversation(conversation_id: str) -> AbstractContextManager[None]:
    """Every GenAI span inside the block (model calls, agents, tools) carries
    ``gen_ai.conversation.id``, also in tasks started inside it."""
    if not isinstance(conversation_id, str) or not conversation_id:
        log_internal_error("conversation() needs a non-empty string id", TypeError(type(conversation_id).__name__))
        return _no_conversation()
    return conversation_scope(conversation_id)


@contextmanager
def _no_conversation() -> Iterator[None]:
    yield
