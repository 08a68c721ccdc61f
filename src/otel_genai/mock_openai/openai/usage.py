"""OpenAI's token accounting: chat framing, the prompt-caching rule, and reasoning tokens."""

from __future__ import annotations

from collections.abc import Iterable

from otel_genai.mock_openai.generation.tokens import count_tokens

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


# Reasoning models think before they answer: this many hidden tokens per visible one.
REASONING_TOKENS_PER_OUTPUT_TOKEN = 3
