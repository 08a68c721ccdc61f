"""The table of OpenAI client methods we wrap, and the adapter that reads each.

One row per resource method, naming its sync and its async resource class (the async
class's methods are not always coroutine functions to ``inspect``: the client decorates
them, so the row says which is which).
A class or method that the installed client does not have is skipped, so one table
serves openai 1.x through 3.x.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """``module.SyncClass.method`` and ``module.AsyncClass.method``, read by ``adapter``."""

    module: str
    sync_class: str
    async_class: str
    method: str
    adapter: str  # the adapter's class name in otel_genai.instrumentation.openai.adapters


TARGETS: tuple[Target, ...] = (
    Target("openai.resources.chat.completions", "Completions", "AsyncCompletions", "create", "ChatCompletions"),
    # Structured outputs post directly, not through create.
    Target("openai.resources.chat.completions", "Completions", "AsyncCompletions", "parse", "ChatCompletions"),
    Target("openai.resources.beta.chat.completions", "Completions", "AsyncCompletions", "parse", "ChatCompletions"),
    Target("openai.resources.completions", "Completions", "AsyncCompletions", "create", "TextCompletions"),
    Target("openai.resources.embeddings", "Embeddings", "AsyncEmbeddings", "create", "Embeddings"),
    # The Responses API (openai >= 1.66). parse posts directly; responses.stream() calls
    # create or retrieve, so it needs no row of its own.
    Target("openai.resources.responses", "Responses", "AsyncResponses", "create", "Responses"),
    Target("openai.resources.responses", "Responses", "AsyncResponses", "parse", "Responses"),
    Target("openai.resources.responses", "Responses", "AsyncResponses", "retrieve", "ResponsesRetrieve"),
)


#: Stream helpers' managers (``with client.chat.completions.stream(...) as stream``): their
#: exit is observed so that an exception ending the ``with`` block early fails the call.
STREAM_MANAGERS: tuple[tuple[str, str, str], ...] = (
    ("openai.lib.streaming.chat", "ChatCompletionStreamManager", "AsyncChatCompletionStreamManager"),
    ("openai.lib.streaming.responses", "ResponseStreamManager", "AsyncResponseStreamManager"),
)
