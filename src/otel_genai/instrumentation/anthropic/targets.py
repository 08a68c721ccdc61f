"""The Anthropic client methods we wrap, and the operation that translates each.

``messages.stream()`` (and ``beta.messages.stream()``) sends its request through the client's
public ``post`` in its manager's ``__enter__``, not through ``create``: so ``post`` of the base
clients, which every client (``Anthropic``, ``AnthropicBedrock``, ``AnthropicVertex``, and their
async twins) inherits, is wrapped, and the operation keeps only posts to ``/v1/messages``.
``create`` and ``parse`` are wrapped on the resource classes too: older clients build their
resources when the client is made, binding ``post`` then, so a client made before
``instrument()`` still has its ``create`` recorded. A class or method that the installed
client lacks is skipped.
"""

from __future__ import annotations

from otel_genai.core.adapter import StreamManagerClasses, Target
from otel_genai.instrumentation.anthropic.messages import Messages

_MESSAGES = "anthropic.resources.messages"
_BETA_MESSAGES = "anthropic.resources.beta.messages"

TARGETS: tuple[Target, ...] = (
    Target(_MESSAGES, "Messages", "AsyncMessages", "create", Messages),
    Target(_MESSAGES, "Messages", "AsyncMessages", "parse", Messages),
    Target(_BETA_MESSAGES, "Messages", "AsyncMessages", "create", Messages),
    Target(_BETA_MESSAGES, "Messages", "AsyncMessages", "parse", Messages),
    Target("anthropic._base_client", "SyncAPIClient", "AsyncAPIClient", "post", Messages),
)

#: ``with client.messages.stream(...) as stream``: the managers' exit is observed so that an
#: exception ending the block early fails the call.
STREAM_MANAGERS: tuple[StreamManagerClasses, ...] = (
    StreamManagerClasses("anthropic.lib.streaming._messages", "MessageStreamManager", "AsyncMessageStreamManager"),
    StreamManagerClasses(
        "anthropic.lib.streaming._beta_messages", "BetaMessageStreamManager", "BetaAsyncMessageStreamManager"
    ),
)
