"""What a call sends and what the application saw of it.

A row's runner (:data:`SyncRun`, :data:`AsyncRun`) gets a client, a :class:`Run` to record into and a
:class:`Context`; what it recorded becomes an :class:`Outcome`, which two runs of one call compare on
once the per-call random fields are blanked (:func:`normalize`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

# What every call sends, whichever client library makes it.
MESSAGES = [{"role": "user", "content": "Tell me about reliable telemetry."}]
REPLY = "Spans end once, on every path."
API_KEY = "sk-reliability-test-key"

# Fields the server fills with fresh random values (or the clock) on every call.
RANDOM_FIELDS = frozenset(
    {
        "id",
        "created",
        "created_at",
        "completed_at",
        "system_fingerprint",
        "call_id",
        "item_id",
        "obfuscation",
        "response_id",
        "previous_response_id",
    }
)
FAILURE_EVENTS = frozenset({"response.failed", "error"})
# Responses events that end a response: its last word.
TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", *FAILURE_EVENTS})
_REQUEST_ID = re.compile(r"req_[0-9a-f]{16,}")


def normalize(value: Any) -> Any:
    """``value`` with the per-call random fields blanked, at any depth."""
    if isinstance(value, dict):
        return {k: "<random>" if k in RANDOM_FIELDS and v is not None else normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def dump(obj: Any) -> Any:
    """A comparable picture of a returned object: its fields, random ones blanked."""
    model_dump = getattr(obj, "model_dump", None)
    if callable(model_dump):
        return normalize(model_dump(warnings=False))
    return normalize(obj)


def identity(obj: Any) -> tuple[Any, Any]:
    """The (id, model) the object itself reports, exactly as sent: what the span must say."""
    # Chat stream() events carry a chunk, Responses events a response, Anthropic's message_start a message.
    holders = (obj, getattr(obj, "chunk", None), getattr(obj, "response", None), getattr(obj, "message", None))
    for holder in holders:
        if holder is None:
            continue
        found = getattr(holder, "id", None), getattr(holder, "model", None)
        if found != (None, None):
            return found
    return None, None


def error_message(exc: BaseException) -> str:
    return _REQUEST_ID.sub("req_<id>", str(exc))


# --- what the application saw -----------------------------------------------------------


@dataclass
class Run:
    """What one call looked like from the application, event by event."""

    headers: dict[str, str]
    events: list[tuple[Any, ...]] = field(default_factory=list)
    ids: list[tuple[Any, Any]] = field(default_factory=list)
    requested_id: str | None = None  # a retrieve names the response it fetches
    context_kept: bool = True  # the active OpenTelemetry context after the call is the one before

    def saw(self, *event: Any) -> None:
        self.events.append(event)

    def returned(self, obj: Any) -> None:
        self.events.append(("returned", type(obj), dump(obj)))
        self.ids.append(identity(obj))

    def chunk(self, obj: Any) -> None:
        self.events.append(("chunk", type(obj), dump(obj)))
        self.ids.append(identity(obj))

    def stream(self, stream: Any) -> None:
        self.saw("stream", type(stream))
        for chunk in stream:
            self.chunk(chunk)
        self.saw("exhausted")

    async def astream(self, stream: Any) -> None:
        self.saw("stream", type(stream))
        async for chunk in stream:
            self.chunk(chunk)
        self.saw("exhausted")


@dataclass(frozen=True)
class Outcome:
    """Everything the application could observe of one call."""

    events: tuple[tuple[Any, ...], ...]
    requests: int
    # The first (id, model) the application received that carries one: not compared
    # between runs (ids are random), but checked against the span.
    identity: tuple[Any, Any]
    # Python warnings the call raised, by category: instrumentation must add none.
    warnings: tuple[tuple[str, int], ...] = ()
    requested_id: str | None = None
    context_kept: bool = True

    @property
    def raised(self) -> type[BaseException] | None:
        last = self.events[-1] if self.events else ()
        return last[1] if last and last[0] == "raised" else None

    @property
    def failure_event(self) -> str | None:
        """The type of a streamed event that reports the operation failed (Responses
        ``response.failed`` / ``error``): the call failed although nothing was raised."""
        for event in self.events:
            if event[0] == "chunk" and isinstance(event[2], dict) and event[2].get("type") in FAILURE_EVENTS:
                return str(event[2]["type"])
        return None

    @property
    def cut_short(self) -> bool:
        """A stream the application read to its end that never said its last word: no
        terminal Responses event, or a choice without a finish reason (a cut, or a chunk
        whose choices could not be read). The span calls that incomplete."""
        if not any(event[0] == "exhausted" for event in self.events):
            return False
        reasons: dict[Any, Any] = {}
        for event in self.events:
            chunk = event[2] if event[0] == "chunk" else None
            if not isinstance(chunk, dict):
                continue
            if chunk.get("type") in TERMINAL_EVENTS:
                return False
            if chunk.get("type") == "chunk":  # chat.stream()'s events wrap the chunk
                chunk = chunk.get("chunk") or {}
            choices = chunk.get("choices")
            for choice in choices if isinstance(choices, list) else ():
                if isinstance(choice, dict):
                    reasons[choice.get("index")] = reasons.get(choice.get("index")) or choice.get("finish_reason")
        return not (reasons and all(reasons.values()))


# --- what a runner gets --------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a method runner may need beyond the client: where the server is."""

    base_url: str


SyncRun = Callable[[Any, Run, Context], None]
AsyncRun = Callable[[Any, Run, Context], Coroutine[Any, Any, None]]
