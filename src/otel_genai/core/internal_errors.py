"""Our own failures never reach the user's call: they are logged here, once per kind.

"Kind" is where it happened and the exception type: the first occurrence logs a
warning with its traceback, repeats log at DEBUG only, so a broken response shape
cannot flood the application's logs with one warning per call.
"""

from __future__ import annotations

import logging
import threading

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
