"""Reading and checking a Messages request's parameters, with Anthropic's 400 messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.anthropic.errors import invalid_request, model_not_found
from otel_genai.mock_openai.generation.model_names import is_missing_model

# Extended thinking needs at least this budget.
MIN_THINKING_BUDGET = 1024

# ``anthropic-version`` names a dated API version; clients newer than the mock send dates it
# can not know, so any well-formed date from the first version on is accepted.
_VERSION = re.compile(r"20[2-9][0-9]-[01][0-9]-[0-3][0-9]")
_FIRST_VERSION = "2023-01-01"

_CHOICES = "'auto', 'any', 'tool', 'none'"
_THINKING = "'enabled', 'disabled', 'adaptive'"


@dataclass(frozen=True)
class ToolChoice:
    """``tool_choice``: ``auto``, ``any``, ``tool`` (with *name``) or ``none``; and whether calls may fan out."""

    kind: str = "auto"
    name: str | None = None
    parallel: bool = True


def is_api_version(version: str) -> bool:
    """True for a version the ``anthropic-version`` header (or a cloud body's ``anthropic_version``) may name."""
    return bool(_VERSION.fullmatch(version)) and version >= _FIRST_VERSION


def required_model(body: Mapping[str, Any], path_model: str | None) -> str:
    """The model: from the URL on Bedrock and Vertex, else the ``model`` field; 404 for a missing one."""
    model = path_model if path_model is not None else body.get("model")
    if not isinstance(model, str) or not model:
        raise invalid_request("model: Field required")
    if is_missing_model(model):
        raise model_not_found(model)
    return model


def max_tokens(body: Mapping[str, Any]) -> int:
    """``max_tokens``: required, a positive integer."""
    value = body.get("max_tokens")
    if value is None:
        raise invalid_request("max_tokens: Field required")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid_request("max_tokens: Input should be a valid integer greater than or equal to 1")
    return value


def messages(body: Mapping[str, Any]) -> list[Any]:
    """``messages``: required, a list of ``{"role", "content"}`` objects with user or assistant roles."""
    value = body.get("messages")
    if value is None:
        raise invalid_request("messages: Field required")
    if not isinstance(value, list):
        raise invalid_request("messages: Input should be a valid list")
    for index, message in enumerate(value):
        if not isinstance(message, Mapping) or message.get("role") not in ("user", "assistant"):
            raise invalid_request(f"messages.{index}.role: Input should be 'user' or 'assistant'")
        if not isinstance(message.get("content"), (str, list)):
            raise invalid_request(f"messages.{index}.content: Field required")
    return value


def system_prompt(body: Mapping[str, Any]) -> str | list[Any] | None:
    """``system``: a string or a list of text blocks."""
    value = body.get("system")
    if value is None or isinstance(value, (str, list)):
        return value
    raise invalid_request("system: Input should be a valid string or a list of text blocks")


def tools(body: Mapping[str, Any]) -> list[Any]:
    """``tools``: a list of tool definitions (custom tools and server tools)."""
    value = body.get("tools")
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_request("tools: Input should be a valid list")
    return value


def tool_choice(body: Mapping[str, Any]) -> ToolChoice:
    """``tool_choice``, defaulting to ``auto``."""
    value = body.get("tool_choice")
    if value is None:
        return ToolChoice()
    if not isinstance(value, Mapping) or value.get("type") not in ("auto", "any", "tool", "none"):
        raise invalid_request(
            "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
        )
    name = value.get("name")
    if value.get("type") == "tool" and not isinstance(name, str):
        raise invalid_request("tool_choice.tool.name: Field required")
    return ToolChoice(
        str(value["type"]), name if isinstance(name, str) else None, value.get("disable_parallel_tool_use") is not True
    )


def thinking_budget(body: Mapping[str, Any], limit: int) -> int | None:
    """The thinking budget when extended thinking is on (``enabled`` or ``adaptive``), else None."""
    value = body.get("thinking")
    if value is None:
        return None
    if not isinstance(value, Mapping) or value.get("type") not in ("enabled", "disabled", "adaptive"):
        raise invalid_request(
            "thinking: Input tag does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'"
        )
    if value["type"] == "disabled":
        return None
    if value["type"] == "adaptive":
        return limit - 1
    budget = value.get("budget_tokens")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < MIN_THINKING_BUDGET:
        raise invalid_request(
            f"thinking.enabled.budget_tokens: Input should be greater than or equal to {MIN_THINKING_BUDGET}"
        )
    if budget >= limit:
        raise invalid_request("`max_tokens` must be greater than `thinking.budget_tokens`.")
    return budget


def stop_sequences(body: Mapping[str, Any]) -> tuple[str, ...]:
    """``stop_sequences``: a list of strings."""
    value = body.get("stop_sequences")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid_request("stop_sequences: Input should be a valid list of strings")
    return tuple(value)


def output_schema(body: Mapping[str, Any]) -> tuple[bool, Mapping[str, Any] | None]:
    """``(structured, schema)``: JSON output asked by ``output_config.format`` or the beta ``output_format``."""
    config = body.get("output_config")
    output_format = config.get("format") if isinstance(config, Mapping) else body.get("output_format")
    if not isinstance(output_format, Mapping) or output_format.get("type") != "json_schema":
        return False, None
    schema = output_format.get("schema")
    return True, schema if isinstance(schema, Mapping) else {}


def wants_stream(body: Mapping[str, Any]) -> bool:
    """True when the client asked for server-sent events."""
    return body.get("stream") is True
