"""A toy tokenizer and the token-level shaping of replies (length limits, stop sequences).

The mock does not need real BPE counts, only counts that are deterministic,
plausible, and consistent: a streamed reply has exactly as many content chunks
as its ``completion_tokens``.  A token is a run of word characters or a single
punctuation character, together with the whitespace that follows it, so joining
the tokens gives back the text exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"(?:\w+|[^\w\s])\s*")

# Prompt caching starts at 1024 tokens and then grows in steps of 128.
_CACHE_THRESHOLD = 1024
_CACHE_STEP = 128

# Chat-format framing: each message costs a few tokens on top of its text, and
# the reply is primed with a few more; with these values "Say this is a test"
# counts 12 prompt tokens, as the real API reports.
MESSAGE_OVERHEAD = 4
REPLY_PRIMING = 3

# What an image part costs, whatever its size (the real low-detail price).
IMAGE_TOKENS = 85

FinishReason = Literal["stop", "length"]


def split_tokens(text: str) -> list[str]:
    """Split *text* into tokens whose concatenation is *text*."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return [text] if text else []
    leading = len(text) - len(text.lstrip())
    if leading:
        tokens[0] = text[:leading] + tokens[0]
    return tokens


def count_tokens(text: str) -> int:
    """How many tokens *text* is worth."""
    return len(_TOKEN.findall(text))


def count_prompt(texts: Iterable[str], *, images: int = 0) -> int:
    """Prompt tokens of a conversation given as one text per message."""
    total = REPLY_PRIMING + images * IMAGE_TOKENS
    for text in texts:
        total += MESSAGE_OVERHEAD + count_tokens(text)
    return total


def cached_tokens(prompt_tokens: int) -> int:
    """Cached prompt tokens: none for short prompts, else whole 128-token blocks."""
    if prompt_tokens <= _CACHE_THRESHOLD:
        return 0
    return prompt_tokens // _CACHE_STEP * _CACHE_STEP


@dataclass(frozen=True)
class TextReply:
    """A reply cut into the tokens it is streamed as, and why it ended."""

    tokens: tuple[str, ...]
    finish_reason: FinishReason
    stop_sequence: str | None = None
    """The stop sequence that cut the reply short, if one did."""

    @property
    def text(self) -> str:
        """The reply as one string."""
        return "".join(self.tokens)


def shape_reply(
    text: str,
    *,
    max_tokens: int | None = None,
    stop: Sequence[str] = (),
    exact_tokens: int | None = None,
    filler: Sequence[str] = (),
) -> TextReply:
    """Apply the request's length controls to a reply.

    *exact_tokens* (the ``x-mock-chunks`` header) pads with *filler* words or
    trims to exactly that many tokens first; then the earliest *stop* sequence
    cuts the text; then *max_tokens* truncates and makes ``finish_reason``
    ``length``.
    """
    tokens = split_tokens(text)
    if exact_tokens is not None:
        tokens = _fit(tokens, exact_tokens, filler)
        text = "".join(tokens)
    found = [(position, sequence) for sequence in stop if sequence and (position := text.find(sequence)) >= 0]
    cut, matched = min(found, default=(-1, None))
    if cut >= 0:
        tokens = split_tokens(text[:cut])
    finish: FinishReason = "stop"
    if max_tokens is not None and len(tokens) > max_tokens:
        tokens = tokens[: max(max_tokens, 0)]
        finish, matched = "length", None
    return TextReply(_without_trailing_space(tokens), finish, matched)


def _fit(tokens: list[str], count: int, filler: Sequence[str]) -> list[str]:
    count = max(count, 0)
    if len(tokens) >= count:
        return tokens[:count]
    padded = list(tokens)
    if padded and not padded[-1][-1:].isspace():
        padded[-1] += " "
    words = filler or ("telemetry",)
    while len(padded) < count:
        padded.append(words[len(padded) % len(words)] + " ")
    return padded


def _without_trailing_space(tokens: list[str]) -> tuple[str, ...]:
    if tokens:
        last = tokens[-1].rstrip()
        tokens[-1] = last or tokens[-1]
    return tuple(tokens)


# Reasoning models think before they answer: this many hidden tokens per visible one.
REASONING_TOKENS_PER_OUTPUT_TOKEN = 3
