"""Stream helpers' managers (``with client....stream(...) as stream:``), observed from outside.

A manager opens its stream in ``__enter__`` and closes the HTTP response in ``__exit__``.
Two facts matter to the call, and only the manager's methods know them: the stream was
opened by a manager (so running out before the last word waits for the block's exit), and
the block exited with an exception (which then ended the reading). The ``wrapt`` wrappers
below set them in context variables that :mod:`otel_genai.core.delivery` reads. They work
for any client's manager classes; the instrumentor names which.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

# Set while a manager exits with an exception: the HTTP close it makes then tells the call
# what ended its reading.
exiting_with: ContextVar[BaseException | None] = ContextVar("otel_genai_exiting_with", default=None)

# Set while a manager opens its stream: the stream is then closed by the manager's exit,
# which also knows whether the block failed.
entering_manager: ContextVar[bool] = ContextVar("otel_genai_entering_manager", default=False)


def manager_enter(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A ``wrapt`` wrapper for a stream manager's ``__enter__``."""
    token = entering_manager.set(True)
    try:
        return wrapped(*args, **kwargs)
    finally:
        entering_manager.reset(token)


async def manager_aenter(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """A ``wrapt`` wrapper for an async stream manager's ``__aenter__``."""
    token = entering_manager.set(True)
    try:
        return await wrapped(*args, **kwargs)
    finally:
        entering_manager.reset(token)


def manager_exit(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A ``wrapt`` wrapper for a stream manager's ``__exit__``."""
    error = args[1] if len(args) > 1 else None
    if error is None:
        return wrapped(*args, **kwargs)
    token = exiting_with.set(error)
    try:
        return wrapped(*args, **kwargs)
    finally:
        exiting_with.reset(token)


async def manager_aexit(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """A ``wrapt`` wrapper for an async stream manager's ``__aexit__``."""
    error = args[1] if len(args) > 1 else None
    if error is None:
        return await wrapped(*args, **kwargs)
    token = exiting_with.set(error)
    try:
        return await wrapped(*args, **kwargs)
    finally:
        exiting_with.reset(token)


#: Each sync manager method and its wrapper, then each async one.
SYNC_MANAGER_WRAPPERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("__enter__", manager_enter),
    ("__exit__", manager_exit),
)
ASYNC_MANAGER_WRAPPERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("__aenter__", manager_aenter),
    ("__aexit__", manager_aexit),
)
