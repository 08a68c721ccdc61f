"""A neutral view of the conversation a request carries, from Chat messages or Responses input items.

The mock only needs a few facts from a conversation: the text of each message
(to count prompt tokens), how many images it holds, what the user last said,
which tools the current turn (everything since the user's last message) already has
results for, and whether it ends with tool results the model should now talk about.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.generation.tool_calls import is_handoff
from otel_genai.mock_openai.openai.usage import count_prompt

_TEXT_PARTS = frozenset({"text", "input_text", "output_text", "refusal"})
_IMAGE_PARTS = frozenset({"image_url", "input_image"})
_TOOL_ROLES = frozenset({"tool", "function"})


@dataclass(frozen=True)
class Conversation:
    """The facts about a conversation that shape the mock's reply and usage."""

    texts: tuple[str, ...]
    images: int
    last_user_text: str
    tool_results: tuple[tuple[str, str], ...]
    answered_tools: frozenset[str] = frozenset()
    """Names of the tools whose results the current turn holds: the mock calls each tool once a turn."""

    @property
    def ends_with_tool_output(self) -> bool:
        """True when the last turn hands tool results back to the model to talk about. A hand-off's
        result is not one: the agent handed to answers the user's question."""
        return any(not is_handoff(name) for name, _ in self.tool_results)

    @property
    def prompt_tokens(self) -> int:
        """Prompt tokens of the whole conversation."""
        return count_prompt(self.texts, images=self.images)


def from_chat_messages(messages: Sequence[Any]) -> Conversation:
    """Read a Chat Completions ``messages`` array."""
    texts: list[str] = []
    images = 0
    last_user = ""
    call_names: dict[str, str] = {}
    answered: set[str] = set()
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        role = message.get("role")
        if role == "user":
            answered = set()
        elif role in _TOOL_ROLES:
            answered.add(str(message.get("name") or call_names.get(str(message.get("tool_call_id")), "")))
        text, message_images = content_text(message.get("content"))
        images += message_images
        for call in message.get("tool_calls") or ():
            function = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(function, Mapping):
                call_names[str(call.get("id"))] = str(function.get("name", ""))
                text += f"{function.get('name', '')} {function.get('arguments', '')}"
        texts.append(text)
        if role == "user":
            last_user = text
    results: list[tuple[str, str]] = []
    for message in reversed(messages):
        if not isinstance(message, Mapping) or message.get("role") not in _TOOL_ROLES:
            break
        name = message.get("name") or call_names.get(str(message.get("tool_call_id")), "the tool")
        results.insert(0, (str(name), content_text(message.get("content"))[0]))
    return Conversation(tuple(texts), images, last_user, tuple(results), frozenset(answered))


def from_responses_input(
    items: str | Sequence[Any], instructions: str | None, known_calls: Mapping[str, str]
) -> Conversation:
    """Read a Responses API ``input`` (a string or a list of items); *known_calls* maps earlier call ids to names."""
    texts: list[str] = [instructions] if instructions else []
    if isinstance(items, str):
        return Conversation((*texts, items), 0, items, ())
    images = 0
    last_user = ""
    call_names = dict(known_calls)
    results: list[tuple[str, str]] = []
    answered: set[str] = set()
    for item in items:
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type", "message")
        if kind == "function_call_output":
            name = call_names.get(str(item.get("call_id")), "the tool")
            output = item.get("output")
            text = output if isinstance(output, str) else content_text(output)[0]
            results.append((name, text))
            answered.add(name)
            texts.append(text)
            continue
        results = []
        if kind == "function_call":
            call_names[str(item.get("call_id"))] = str(item.get("name", ""))
            texts.append(f"{item.get('name', '')} {item.get('arguments', '')}")
        elif kind == "message":
            text, item_images = content_text(item.get("content"))
            images += item_images
            texts.append(text)
            if item.get("role") == "user":
                last_user = text
                answered = set()
    return Conversation(tuple(texts), images, last_user, tuple(results), frozenset(answered))


def content_text(content: Any) -> tuple[str, int]:
    """The text of a message's content (a string or a list of parts), and how many images it holds."""
    if content is None:
        return "", 0
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, Iterable) or isinstance(content, Mapping):
        return json.dumps(content), 0
    texts: list[str] = []
    images = 0
    for part in content:
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        # Refusal parts keep their text under "refusal"; every other text part under "text".
        text = part.get("refusal" if kind == "refusal" else "text")
        if kind in _TEXT_PARTS and isinstance(text, str):
            texts.append(text)
        elif kind in _IMAGE_PARTS:
            images += 1
    return "\n".join(texts), images
