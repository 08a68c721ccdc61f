"""The conversation a piece of work belongs to, carried by the context.

``gen_ai.conversation.id`` is set only when the application names the conversation (the
conventions forbid inventing one). The id lives in a context variable, so it follows the
code into ``asyncio`` tasks and ``contextvars.copy_context().run`` (threads started with a
copied context); every record the core builds inside reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_conversation_id: ContextVar[str | None] = ContextVar("otel_genai_conversation_id", default=None)


def current_conversation_id() -> str | None:
    return _conversation_id.get()


@contextmanager
def conversation_scope(conversation_id: str) -> Iterator[None]:
    """Within the block, records carry ``conversation_id``."""
    token = _conversation_id.set(conversation_id)
    try:
        yield
    finally:
        _conversation_id.reset(token)
