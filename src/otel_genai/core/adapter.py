"""The adapter contract: what a provider folder writes for each client method it wraps.

A provider folder knows its client and nothing of OpenTelemetry. For each operation it
gives an :class:`Operation`, a translator with three duties:

* request -> :class:`~otel_genai.core.invocation.Invocation`: :meth:`Operation.invocation`
  (what every call records, metrics included), then, only for a call whose span records,
  :meth:`Operation.request_parameters` and, only when messages are read,
  :meth:`Operation.request_content`;
* response -> folded into the record: :meth:`Operation.fold_response`;
* chunk -> folded into the record: :meth:`Operation.stream_folder` gives a
  :class:`StreamFolder` for one stream, whose ``fold`` the core calls for every chunk.

A provider's table of :class:`Target` rows names, for each client method, the operation
that translates it. Adapters never see a span, a clock or the call's state: the core starts the call, runs
the client's method, hands the result or each chunk to the adapter and ends the call once.
``messages`` is the one content decision an adapter needs: whether to translate message
content (it is False for calls nobody records content of).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from otel_genai.core.invocation import Invocation


class StreamFolder(Protocol):
    """Folds the chunks of one stream into its record."""

    def fold(self, chunk: Any) -> None:
        """Fold one chunk (called for every chunk, in order)."""

    @property
    def finished(self) -> bool:
        """Whether the chunks so far include the stream's last word (e.g. every finish reason).

        A stream that runs out while this is False was cut short: the core ends it as
        ``otel_genai.stream_incomplete``."""

    def finish(self) -> None:
        """Write what the chunks said (ids, usage, finish reasons, messages) into the record.

        Called once, when the stream ends for any reason (its end, an error, a close, or
        garbage collection), also when it ended early.
        """


class Operation(Protocol):
    """How one client method (sync and async alike) translates to the neutral record.

    Subclass it to inherit the defaults of the optional methods.
    """

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation | None:
        """The record of the call about to be made (None leaves the call uninstrumented).

        ``instance`` is the object whose method is called (the client's resource).
        """

    def request_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The request as keyword arguments, for :meth:`request_parameters` and
        :meth:`request_content`. Default: ``kwargs`` (client methods take their request as
        keywords); a method that is given it positionally maps it here."""
        return kwargs

    def request_parameters(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        """Fill the request parameters that only a span records. Default: none."""
        return None

    def request_content(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        """Fill the record's input content (system instructions, messages, tool definitions).
        Called only when messages are read. Default: the operation sends no content."""
        return None

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        """Fold a complete (parsed) response into the record."""

    def stream_folder(self, inv: Invocation, messages: bool) -> StreamFolder | None:
        """A folder for one streamed response. Default: None, the operation never streams
        (a stream is then passed through and only timed)."""
        return None


@dataclass(frozen=True)
class Target:
    """``module.sync_class.method`` and ``module.async_class.method``, translated by ``operation``.

    The row names the sync and the async class: a client's async methods are not always
    coroutine functions to ``inspect`` (clients decorate them).
    """

    module: str
    sync_class: str
    async_class: str
    method: str
    # The operation's class (or any factory of it): the instrumentor's ``build`` makes it.
    operation: Callable[..., Operation]


@dataclass(frozen=True)
class StreamManagerClasses:
    """A stream helper's manager classes (``with client....stream(...)``)."""

    module: str
    sync_class: str
    async_class: str
