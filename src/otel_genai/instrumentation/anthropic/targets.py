"""The Anthropic client methods we wrap, and the operation that translates each.

``messages.create``, ``parse`` and ``stream`` (and the same in ``beta.messages``) all send
their request through the client's public ``post``; ``stream()`` does it in its manager's
``__enter__`` rather than through ``create``. So the one row wraps ``post`` of the base
clients, which every client (``Anthropic``, ``AnthropicBedrock``, ``AnthropicVertex``, and
their async twins) inherits; the operation keeps only posts to ``/v1/messages``.
"""

from __future__ import annotations

from otel_genai.core.adapter import StreamManagerClasses, Target
from otel_genai.instrumentation.anthropic.messages import Messages

TARGETS: tuple[Target, ...] = (Target("anthropic._base_client", "SyncAPIClient", "AsyncAPIClient", "post", Messages),)

#: ``with client.messages.stream(...) as stream``: the managers' exit is observed so that an
#: exception ending the block early fails the call.
STREAM_MANAGERS: tuple[StreamManagerClasses, ...] = (
    StreamManagerClasses("anthropic.lib.streaming._messages", "MessageStreamManager", "AsyncMessageStreamManager"),
    StreamManagerClasses(
        "anthropic.lib.streaming._beta_messages", "BetaMessageStreamManager", "BetaAsyncMessageStreamManager"
    ),
)
