"""The log events of a model call, in the span's context (§3).

The latest conventions emit one ``gen_ai.client.inference.operation.details`` event per
inference call; the pre-1.37 ones one event per input message and one per choice.
Which of them are emitted, and with what content, is the policy's decision.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from opentelemetry import trace
from opentelemetry._logs import Logger, LogRecord, SeverityNumber
from opentelemetry.context import Context

from otel_genai import semconv
from otel_genai.core import content
from otel_genai.core.attributes import Attributes, error_type_of, sampling_attributes
from otel_genai.core.invocation import Invocation, Message
from otel_genai.core.policy import ContentPolicy

_LEGACY_ROLE_EVENTS = {
    "system": semconv.LEGACY_EVENT_SYSTEM_MESSAGE,
    "developer": semconv.LEGACY_EVENT_SYSTEM_MESSAGE,
    "user": semconv.LEGACY_EVENT_USER_MESSAGE,
    "assistant": semconv.LEGACY_EVENT_ASSISTANT_MESSAGE,
    "tool": semconv.LEGACY_EVENT_TOOL_MESSAGE,
}


def emit(
    logger: Logger,
    policy: ContentPolicy,
    span: trace.Span,
    inv: Invocation,
    latest: Attributes,
    content_values: Attributes | None,
) -> None:
    """Emit the events the policy asks for; ``latest`` is the span's outcome attributes."""
    context = trace.set_span_in_context(span)
    if policy.details_event and inv.operation in semconv.INFERENCE_OPERATIONS:
        attrs = {**sampling_attributes(inv), **latest}
        if policy.content_on_details_event and content_values:
            attrs.update(content_values)
        _emit(logger, semconv.EVENT_INFERENCE_DETAILS, attrs, None, context)
    if policy.legacy_events:
        _emit_legacy(logger, policy, inv, context)


def emit_exception(logger: Logger, span: trace.Span, inv: Invocation, exc: BaseException) -> None:
    """The ``gen_ai.client.operation.exception`` event of a call that failed with ``exc``.

    It carries what the span's status already says (the type and the message) and the
    stacktrace, plus the sampling attributes and ``error.type``, so the event can be found
    and grouped without its trace. No message content is read from the record.
    """
    attrs = sampling_attributes(inv)
    if inv.error_type is not None:
        attrs[semconv.ERROR_TYPE] = inv.error_type
    attrs[semconv.EXCEPTION_TYPE] = error_type_of(exc)
    attrs[semconv.EXCEPTION_MESSAGE] = str(exc)
    attrs[semconv.EXCEPTION_STACKTRACE] = "".join(traceback.format_exception(exc))
    context = trace.set_span_in_context(span)
    _emit(logger, semconv.EVENT_OPERATION_EXCEPTION, attrs, None, context, SeverityNumber.WARN)


def _emit(
    logger: Logger,
    name: str,
    attributes: Attributes,
    body: Any,
    context: Context,
    severity: SeverityNumber = SeverityNumber.INFO,
) -> None:
    record = LogRecord(
        timestamp=time.time_ns(),
        context=context,
        severity_number=severity,
        event_name=name,
        attributes=attributes,
        body=body,
    )
    logger.emit(record)


def _legacy_messages(message: Message) -> list[Message]:
    """``message`` as the pre-1.37 events see it: a tool result is a message of its own (a
    ``tool`` message, one result each), also when a provider sends results inside another
    role's message (some send tool results as parts of a ``user`` message)."""
    if message.role == "tool":
        return [message]
    results = [p for p in message.parts if p.get("type") == "tool_call_response"]
    if not results:
        return [message]
    rest = [p for p in message.parts if p.get("type") != "tool_call_response"]
    split = [Message("tool", [result]) for result in results]
    return [*split, Message(message.role, rest)] if rest else split


def _emit_legacy(logger: Logger, policy: ContentPolicy, inv: Invocation, context: Context) -> None:
    with_content = policy.content_on_legacy_events
    limit = policy.max_content_length
    system = {semconv.LEGACY_SYSTEM: semconv.LEGACY_PROVIDER_VALUES.get(inv.provider, inv.provider)}
    if inv.system_instructions:
        instructions = Message(role="system", parts=inv.system_instructions)
        body = content.legacy_message_body(instructions, "system", with_content, limit)
        _emit(logger, semconv.LEGACY_EVENT_SYSTEM_MESSAGE, system, body, context)
    for given in inv.input_messages or ():
        for message in _legacy_messages(given):
            event_name = _LEGACY_ROLE_EVENTS.get(message.role, semconv.LEGACY_EVENT_USER_MESSAGE)
            default_role = "system" if event_name == semconv.LEGACY_EVENT_SYSTEM_MESSAGE else message.role
            body = content.legacy_message_body(message, default_role, with_content, limit)
            _emit(logger, event_name, system, body, context)
    reasons = inv.finish_reasons or []
    for index, message in enumerate(inv.output_messages or ()):
        raw_reason = reasons[index] if index < len(reasons) else None
        body = content.legacy_choice_body(index, message, raw_reason, with_content, limit)
        _emit(logger, semconv.LEGACY_EVENT_CHOICE, system, body, context)
