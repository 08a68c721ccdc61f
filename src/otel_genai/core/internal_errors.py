"""Our own failures never reach the user's call: they are logged here, once per kind.

"Kind" is where it happened and the exception type: the first occurrence logs a
warning with its traceback, repeats log at DEBUG only, so a broken response shape
cannot flood the application's logs with one warning per call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_log = logging.getLogger("otel_genai")
_seen: set[tuple[str, type[BaseException]]] = set()
_seen_lock = threading.Lock()


def log_internal_error(stage: str, exc: BaseException) -> None:
    """Record that otel-genai failed at ``stage``; never raises."""
    try:
        key = (stage, type(exc))
        with _seen_lock:
            first = key not in _seen
            _seen.add(key)
        if first:
            _log.warning(
                "otel-genai: telemetry failed at %s (%s); the application's call is unaffected. "
                "Further failures of this kind are logged at DEBUG.",
                stage,
                type(exc).__name__,
                exc_info=exc,
            )
        else:
            _log.debug("otel-genai: telemetry failed at %s", stage, exc_info=exc)
    except Exception:  # noqa: S110 - logging itself must not break the call either
        pass


# --- fault injection, for tests only ------------------------------------------------------
# The reliability tests make each stage of ours raise and check that the application's
# call is unchanged. In production the set is empty and a fault point costs one truth test.

#: Every stage at which a fault can be injected.
FAULT_STAGES = (
    "request",
    "request content",
    "response",
    "stream chunk",
    "stream finish",
    "record span",
    "record metrics",
    "emit events",
)
_injected: frozenset[str] = frozenset()


class InjectedFault(RuntimeError):
    """Raised at a fault point that a test armed."""


def fault_point(stage: str) -> None:
    if _injected and stage in _injected:
        raise InjectedFault(stage)


def faults_armed(stage: str) -> bool:
    """Whether ``stage`` raises now: lets a loop check once instead of once per item."""
    return stage in _injected


def raise_injected(*_: object) -> None:
    """A stand-in for a per-item step whose stage is armed."""
    raise InjectedFault("stream chunk")


@contextmanager
def injected_faults(*stages: str) -> Iterator[None]:
    """Test-only: make our code raise at ``stages`` (names from :data:`FAULT_STAGES`)."""
    global _injected
    unknown = set(stages) - set(FAULT_STAGES)
    if unknown:
        raise ValueError(f"unknown fault stages {sorted(unknown)}; known: {FAULT_STAGES}")
    previous = _injected
    _injected = frozenset(stages)
    try:
        yield
    finally:
        _injected = previous
