"""Prompt caching: which part of a prompt is read from the cache, written to it, or neither.

Every ``cache_control`` breakpoint marks the prefix that ends with its block as
cacheable, once the prefix is long enough. The longest prefix cached by an
earlier request is read; the rest, up to the last breakpoint, is written (with
the last breakpoint's time to live); what follows is plain input.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.anthropic.prompt import Prompt
from otel_genai.mock_openai.pipeline.state import PromptCache

# Shorter prefixes are never cached: 2048 tokens for Haiku models, 1024 for the others.
_MIN_CACHEABLE = 1024
_MIN_CACHEABLE_HAIKU = 2048


@dataclass(frozen=True)
class InputUsage:
    """How the prompt's tokens split: plain input, cache writes by time to live, and cache reads."""

    input_tokens: int
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    cache_read: int = 0

    def fields(self) -> dict[str, Any]:
        """The input side of Anthropic's ``usage`` object."""
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_write_5m + self.cache_write_1h,
            "cache_read_input_tokens": self.cache_read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.cache_write_5m,
                "ephemeral_1h_input_tokens": self.cache_write_1h,
            },
        }


@dataclass(frozen=True)
class _Breakpoint:
    tokens: int
    key: str
    ttl: str


def input_usage(prompt: Prompt, model: str, cache: PromptCache) -> InputUsage:
    """Split *prompt*'s tokens, reading from and writing to *cache* (keyed by model and prefix)."""
    minimum = _MIN_CACHEABLE_HAIKU if "haiku" in model else _MIN_CACHEABLE
    breakpoints = [point for point in _breakpoints(prompt, model) if point.tokens >= minimum]
    if not breakpoints:
        return InputUsage(prompt.total_tokens)
    read = max((point.tokens for point in breakpoints if cache.holds(point.key)), default=0)
    last = breakpoints[-1]
    written = last.tokens - read
    for point in breakpoints:
        cache.add(point.key)
    return InputUsage(
        input_tokens=prompt.total_tokens - last.tokens,
        cache_write_5m=written if last.ttl == "5m" else 0,
        cache_write_1h=written if last.ttl == "1h" else 0,
        cache_read=read,
    )


def _breakpoints(prompt: Prompt, model: str) -> list[_Breakpoint]:
    digest = hashlib.sha256(model.encode())
    tokens = 0
    found: list[_Breakpoint] = []
    for segment in prompt.segments:
        digest.update(segment.canonical.encode())
        tokens += segment.tokens
        if segment.cache_ttl is not None:
            found.append(_Breakpoint(tokens, digest.copy().hexdigest(), segment.cache_ttl))
    return found
