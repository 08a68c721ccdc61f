"""A toy tokenizer and the token-level shaping of replies (length limits, stop sequences).

The mock does not need real BPE counts, only counts that are deterministic,
plausible, and consistent: a streamed reply has exactly as many content chunks
as its ``completion_tokens``.  A token is a run of word characters or a single
punctuation character, together with the whitespace that follows it, so joining
the tokens gives back the text exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"(?:\w+|[^\w\s])\s*")

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
