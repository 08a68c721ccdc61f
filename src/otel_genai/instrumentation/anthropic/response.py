"""What plain and streamed Messages responses share: identity and usage."""

from __future__ import annotations

from typing import Any

from otel_genai.core.invocation import Invocation
from otel_genai.instrumentation.fields import field, integer, string


def read_identity(inv: Invocation, message: Any) -> None:
    response_id = string(field(message, "id"))
    if response_id:
        inv.response_id = response_id
    model = string(field(message, "model"))
    if model:
        inv.response_model = model


def read_usage(inv: Invocation, usage: Any) -> None:
    """Anthropic counts cached tokens apart from ``input_tokens``; the conventions' input
    tokens include them (§1.9), with the cache reads and writes recorded apart too.

    A stream reports usage twice (``message_start``, then cumulative in ``message_delta``):
    a field absent from the later report keeps its earlier value.
    """
    if usage is None:
        return
    uncached = integer(field(usage, "input_tokens"))
    read = integer(field(usage, "cache_read_input_tokens"))
    written = integer(field(usage, "cache_creation_input_tokens"))
    if read is not None:
        inv.cache_read_input_tokens = read or None  # a zero says nothing (#548)
    if written is not None:
        inv.cache_write_input_tokens = written or None
    if uncached is not None:
        inv.input_tokens = uncached + (inv.cache_read_input_tokens or 0) + (inv.cache_write_input_tokens or 0)
    output = integer(field(usage, "output_tokens"))
    if output is not None:
        inv.output_tokens = output
    thinking = integer(field(field(usage, "output_tokens_details"), "thinking_tokens"))
    if thinking:
        inv.reasoning_output_tokens = thinking
