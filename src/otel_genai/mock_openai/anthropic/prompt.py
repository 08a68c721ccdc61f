"""What the mock reads from a Messages request's prompt: its tokens, cache breakpoints and last turn.

The prompt is laid out as Anthropic caches it, tools first, then the system
prompt, then the messages; each block is one :class:`Segment`, so the tokens of
every prefix that ends at a ``cache_control`` breakpoint are known.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.generation.tokens import split_tokens

# Claude's tokenizer cuts long words into pieces: a piece per this many characters comes
# close to the recorded counts (1,144 tokens for a 5,900-character article, where the
# mock's word-and-punctuation tokens alone give 1,001).
_CHARACTERS_PER_PIECE = 8

_WORDS = re.compile(r"\w+")

# Framing: each message costs a few tokens on top of its blocks, and the reply is
# primed with a few more; "Say hello there!" then counts 11 input tokens, as recorded.
MESSAGE_OVERHEAD = 3
REPLY_PRIMING = 4

# The system prompts the API adds: for tools, as Anthropic's pricing lists it (shorter when
# tool_choice forces a call); for thinking and structured outputs, as the recordings show.
_TOOL_PROMPT = 346
_TOOL_PROMPT_FORCED = 313
_THINKING_PROMPT = 29
_STRUCTURED_OUTPUT_PROMPT = 200

# What an image costs, whatever its size: a 1000x1000 picture at (width * height) / 750.
IMAGE_TOKENS = 1334
# What a document (a PDF page, say) costs when the mock can not read its text.
DOCUMENT_TOKENS = 1500


def claude_input_tokens(text: str) -> int:
    """Input tokens *text* is worth to Claude."""
    return sum(max(1, math.ceil(len(token.strip()) / _CHARACTERS_PER_PIECE)) for token in split_tokens(text))


def added_prompt_tokens(*, tools: bool, forced_tool: bool, thinking: bool, structured: bool) -> int:
    """Tokens of the system prompt the API adds for tools, extended thinking and structured outputs."""
    tool_prompt = (_TOOL_PROMPT_FORCED if forced_tool else _TOOL_PROMPT) if tools else 0
    return tool_prompt + (_THINKING_PROMPT if thinking else 0) + (_STRUCTURED_OUTPUT_PROMPT if structured else 0)


@dataclass(frozen=True)
class Segment:
    """One block of the prompt: its tokens, a canonical form for cache keys, and its breakpoint."""

    tokens: int
    canonical: str
    cache_ttl: str | None = None
    """``5m`` or ``1h`` when the block carries ``cache_control``; None otherwise."""


@dataclass(frozen=True)
class Prompt:
    """The facts about a request's prompt that shape the reply and its usage."""

    segments: tuple[Segment, ...]
    last_user_text: str
    tool_results: tuple[tuple[str, str], ...]
    """``(tool name, result text)`` for the tool results the last user turn hands back."""

    @property
    def total_tokens(self) -> int:
        """Input tokens of the whole prompt, cached or not."""
        return REPLY_PRIMING + sum(segment.tokens for segment in self.segments)

    @property
    def ends_with_tool_results(self) -> bool:
        """True when the last turn hands tool results back to the model."""
        return bool(self.tool_results)


def read_prompt(tools: Sequence[Any], system: Any, messages: Sequence[Any], *, added_tokens: int = 0) -> Prompt:
    """Read ``tools``, ``system`` and ``messages`` (already checked to be lists, or a string for *system*).

    *added_tokens* is the system prompt the API adds for the request's features
    (see :func:`added_prompt_tokens`); it opens the prompt.
    """
    segments = [Segment(added_tokens, f"<added {added_tokens}>")] if added_tokens else []
    segments.extend(_segment(tool, _definition_tokens(tool)) for tool in tools)
    if isinstance(system, str):
        segments.append(Segment(claude_input_tokens(system), json.dumps(system)))
    elif isinstance(system, list):
        segments.extend(_block_segment(block) for block in system)
    call_names: dict[str, str] = {}
    last_user = ""
    results: list[tuple[str, str]] = []
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        role = str(message.get("role"))
        segments.append(Segment(MESSAGE_OVERHEAD, f"<{role}>"))
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not isinstance(blocks, list):
            continue
        segments.extend(_block_segment(block) for block in blocks)
        call_names.update(_tool_use_names(blocks))
        if role == "user":
            results = [
                (call_names.get(str(block.get("tool_use_id")), "the tool"), _result_text(block.get("content")))
                for block in _mappings(blocks)
                if block.get("type") == "tool_result"
            ]
            texts = [str(block.get("text")) for block in _mappings(blocks) if block.get("type") == "text"]
            if texts:
                last_user = "\n".join(texts)
    return Prompt(tuple(segments), last_user, tuple(results))


def _segment(block: Any, tokens: int) -> Segment:
    if not isinstance(block, Mapping):
        return Segment(tokens, json.dumps(block))
    # The cache keys on content: moving a breakpoint does not change the blocks before it.
    canonical = json.dumps({key: value for key, value in block.items() if key != "cache_control"}, sort_keys=True)
    control = block.get("cache_control")
    if not isinstance(control, Mapping):
        return Segment(tokens, canonical)
    return Segment(tokens, canonical, "1h" if control.get("ttl") == "1h" else "5m")


def _block_segment(block: Any) -> Segment:
    if not isinstance(block, Mapping):
        return _segment(block, claude_input_tokens(json.dumps(block)))
    kind = block.get("type")
    if kind == "text":
        tokens = claude_input_tokens(str(block.get("text", "")))
    elif kind == "image":
        tokens = IMAGE_TOKENS
    elif kind == "document":
        source = block.get("source")
        text = source.get("data") if isinstance(source, Mapping) and source.get("type") == "text" else None
        tokens = claude_input_tokens(text) if isinstance(text, str) else DOCUMENT_TOKENS
    elif kind == "tool_use":
        tokens = claude_input_tokens(f"{block.get('name', '')} {json.dumps(block.get('input', {}))}")
    elif kind == "tool_result":
        tokens = claude_input_tokens(_result_text(block.get("content")))
    elif kind in ("thinking", "redacted_thinking"):
        # Thinking from earlier turns is stripped from the context, and not billed.
        tokens = 0
    else:
        tokens = claude_input_tokens(json.dumps(block))
    return _segment(block, tokens)


def _definition_tokens(tool: Any) -> int:
    # The API renders definitions compactly: their words count, JSON's quotes and braces hardly.
    return claude_input_tokens(" ".join(_WORDS.findall(json.dumps(tool))))


def _tool_use_names(blocks: Iterable[Any]) -> dict[str, str]:
    return {
        str(block.get("id")): str(block.get("name", ""))
        for block in _mappings(blocks)
        if block.get("type") in ("tool_use", "server_tool_use")
    }


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(block.get("text", "")) for block in _mappings(content) if block.get("type") == "text")
    return ""


def _mappings(blocks: Iterable[Any]) -> Iterable[Mapping[str, Any]]:
    return (block for block in blocks if isinstance(block, Mapping))
