"""The Anthropic client methods we wrap, and the operation that translates each.

``messages.stream()`` (and ``beta.messages.stream()``) sends its request through the client's
``post`` in its manager's ``__enter__``, not through ``create``; and a resource binds its
client's ``post`` when it is made (with the client in older releases, on first use in recent
ones), so a resource made before ``instrument()`` calls the unwrapped ``post``. ``post`` hands
every request to the client's ``request``, looked up on the class at each call: that is
wrapped, on the base clients, which every client (``Anthropic``, ``AnthropicBedrock``,
``AnthropicVertex``, and their async twins) inherits, and the operation keeps only posts to
``/v1/messages``. ``create`` and ``parse`` are wrapped on the resource classes too, where the
request is plain keyword arguments. A class or method that the installed client lacks is
skipped.
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
    Target("anthropic._base_client", "SyncAPIClient", "AsyncAPIClient", "request", Messages),
)

#: ``with client.messages.stream(...) as stream``: the managers' exit is observed so that an
#: exception ending the block early fails the call.
STREAM_MANAGERS: tuple[StreamManagerClasses, ...] = (
    StreamManagerClasses("anthropic.lib.streaming._messages", "MessageStreamManager", "AsyncMessageStreamManager"),
    StreamManagerClasses(
        "anthropic.lib.streaming._beta_messages", "BetaMessageStreamManager", "BetaAsyncMessageStreamManager"
    ),
)
