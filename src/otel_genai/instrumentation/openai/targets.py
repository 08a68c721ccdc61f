"""The table of OpenAI client methods we wrap, and the operation that translates each.

A class or method that the installed client does not have is skipped, so one table
serves openai 1.x through 3.x.
"""

from __future__ import annotations

from otel_genai.core.adapter import StreamManagerClasses, Target
from otel_genai.instrumentation.openai.chat import ChatCompletions
from otel_genai.instrumentation.openai.completions import TextCompletions
from otel_genai.instrumentation.openai.embeddings import Embeddings
from otel_genai.instrumentation.openai.responses import Responses, ResponsesRetrieve

_CHAT = "openai.resources.chat.completions"
_RESPONSES = "openai.resources.responses"

TARGETS: tuple[Target, ...] = (
    Target(_CHAT, "Completions", "AsyncCompletions", "create", ChatCompletions),
    # Structured outputs post directly, not through create.
    Target(_CHAT, "Completions", "AsyncCompletions", "parse", ChatCompletions),
    Target("openai.resources.beta.chat.completions", "Completions", "AsyncCompletions", "parse", ChatCompletions),
    Target("openai.resources.completions", "Completions", "AsyncCompletions", "create", TextCompletions),
    Target("openai.resources.embeddings", "Embeddings", "AsyncEmbeddings", "create", Embeddings),
    # The Responses API (openai >= 1.66). parse posts directly; responses.stream() calls
    # create or retrieve, so it needs no row of its own.
    Target(_RESPONSES, "Responses", "AsyncResponses", "create", Responses),
    Target(_RESPONSES, "Responses", "AsyncResponses", "parse", Responses),
    Target(_RESPONSES, "Responses", "AsyncResponses", "retrieve", ResponsesRetrieve),
)


#: Stream helpers' managers (``with client.chat.completions.stream(...) as stream``): their
#: exit is observed so that an exception ending the ``with`` block early fails the call.
STREAM_MANAGERS: tuple[StreamManagerClasses, ...] = (
    StreamManagerClasses(
        "openai.lib.streaming.chat", "ChatCompletionStreamManager", "AsyncChatCompletionStreamManager"
    ),
    StreamManagerClasses("openai.lib.streaming.responses", "ResponseStreamManager", "AsyncResponseStreamManager"),
)
