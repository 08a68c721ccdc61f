"""Recorded Anthropic traffic (vcrpy YAML in ../shared/cassettes/anthropic): loading and expectations.

What a recording says is read here straight from its JSON and SSE bodies, so the acceptance
tests compare our telemetry with the service's own words.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anthropic_sse import sse_events
from cassette_yaml import read_cassette

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "shared" / "cassettes" / "anthropic"


@dataclass
class Recorded:
    """One recorded call: how the client was called, what it sent and what came back."""

    beta: bool
    is_async: bool
    helper: bool
    request: dict[str, Any]
    status: int
    content_type: str
    body: str
    message: dict[str, Any]
    """The message: the JSON body, or a stream's events folded (start, blocks, final delta and usage)."""

    @property
    def streamed(self) -> bool:
        return self.body.startswith("event:")


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return ""


def _folded(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    message = dict(next(payload["message"] for name, payload in events if name == "message_start"))
    final = next(payload for name, payload in events if name == "message_delta")
    blocks: dict[int, dict[str, Any]] = {}
    for name, payload in events:
        if name == "content_block_start":
            blocks[payload["index"]] = dict(payload["content_block"])
        elif name == "content_block_delta":
            block, delta = blocks[payload["index"]], payload["delta"]
            if delta["type"] == "text_delta":
                block["text"] = block.get("text", "") + delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] = block.get("thinking", "") + delta["thinking"]
            elif delta["type"] == "input_json_delta":
                block["partial"] = block.get("partial", "") + delta["partial_json"]
    for block in blocks.values():
        if "partial" in block:
            block["input"] = json.loads(block.pop("partial") or "{}")
    content = [blocks[i] for i in sorted(blocks)]
    return {**message, **final["delta"], "content": content, "usage": {**message["usage"], **final["usage"]}}


def load(path: Path) -> list[Recorded]:
    result = []
    for item in read_cassette(path)["interactions"]:
        request, response = item["request"], item["response"]
        raw = response["body"]["string"]
        body = gzip.decompress(raw).decode() if isinstance(raw, bytes) else raw
        streamed = body.startswith("event:")
        headers = request.get("headers") or {}
        result.append(
            Recorded(
                beta=request["uri"].endswith("?beta=true"),
                is_async=_header(headers, "x-stainless-async") not in ("", "false"),
                helper=_header(headers, "x-stainless-stream-helper") == "messages",
                request=json.loads(request["body"]),
                status=response["status"]["code"],
                content_type="text/event-stream" if streamed else "application/json",
                body=body,
                message=_folded(sse_events(body)) if streamed else json.loads(body),
            )
        )
    return result


def cassettes() -> list[Path]:
    return sorted(CASSETTE_DIR.glob("*.yaml")) if CASSETTE_DIR.is_dir() else []


def expected_input_tokens(usage: dict[str, Any]) -> int:
    """The conventions' rule for Anthropic (§1.9): cached tokens count as input."""
    return (
        usage["input_tokens"]
        + (usage.get("cache_read_input_tokens") or 0)
        + (usage.get("cache_creation_input_tokens") or 0)
    )
