"""Recorded OpenAI traffic (vcrpy YAML in ../shared/cassettes/openai): loading and expectations.

What a recording *says* is read here straight from its JSON and SSE bodies, so the
acceptance tests compare our telemetry with the service's own words, not with
anything our code computed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cassette_yaml import read_cassette

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "shared" / "cassettes" / "openai"


@dataclass
class Interaction:
    method: str
    path: str
    request: dict[str, Any]
    status: int
    content_type: str
    body: str


@dataclass
class Expected:
    """What the recorded response says about the call."""

    status: int
    response_id: str | None = None
    response_model: str | None = None
    finish_reasons: list[str] = field(default_factory=list)
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    texts: list[str | None] = field(default_factory=list)
    tool_calls: list[list[dict[str, Any]]] = field(default_factory=list)
    dimension_count: int | None = None
    streamed: bool = False


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return ""


def load(path: Path) -> list[Interaction]:
    data = read_cassette(path)
    result = []
    for item in data["interactions"]:
        request, response = item["request"], item["response"]
        uri = request["uri"]
        result.append(
            Interaction(
                method=request["method"],
                path=uri.split("://", 1)[1].split("/", 1)[1].split("?")[0],
                request=json.loads(request["body"]) if request.get("body") else {},
                status=response["status"]["code"],
                content_type=_header(response["headers"], "content-type") or "application/json",
                body=response["body"]["string"],
            )
        )
    return result


def chat_and_embeddings_cassettes() -> list[Path]:
    if not CASSETTE_DIR.is_dir():
        return []
    return sorted(
        p
        for p in CASSETTE_DIR.glob("*.yaml")
        if all(i.path in ("v1/chat/completions", "v1/embeddings") for i in load(p))
    )


def _sse_payloads(body: str) -> list[dict[str, Any]]:
    payloads = []
    for line in body.splitlines():
        if line.startswith("data:"):
            data = line[5:].strip()
            if data and data != "[DONE]":
                payloads.append(json.loads(data))
    return payloads


def expected_chat(interaction: Interaction) -> Expected:
    if interaction.status >= 400:
        return Expected(status=interaction.status)
    if interaction.content_type.startswith("text/event-stream"):
        return _expected_chat_stream(interaction)
    body = json.loads(interaction.body)
    usage = body.get("usage") or {}
    choices = sorted(body["choices"], key=lambda c: c["index"])
    return Expected(
        status=interaction.status,
        response_id=body.get("id"),
        response_model=body.get("model"),
        finish_reasons=[c["finish_reason"] for c in choices],
        input_tokens=usage.get("prompt_tokens"),
        output_tokens=usage.get("completion_tokens"),
        cached_tokens=(usage.get("prompt_tokens_details") or {}).get("cached_tokens"),
        system_fingerprint=body.get("system_fingerprint"),
        service_tier=body.get("service_tier"),
        texts=[c["message"].get("content") for c in choices],
        tool_calls=[
            [
                {"id": t["id"], "name": t["function"]["name"], "arguments": json.loads(t["function"]["arguments"])}
                for t in c["message"].get("tool_calls") or []
            ]
            for c in choices
        ],
    )


def _expected_chat_stream(interaction: Interaction) -> Expected:
    chunks = _sse_payloads(interaction.body)
    expected = Expected(status=interaction.status, streamed=True)
    expected.response_id = chunks[0]["id"]
    expected.response_model = chunks[0]["model"]
    expected.system_fingerprint = next((c["system_fingerprint"] for c in chunks if c.get("system_fingerprint")), None)
    expected.service_tier = next((c["service_tier"] for c in chunks if c.get("service_tier")), None)
    texts: dict[int, str] = {}
    reasons: dict[int, str] = {}
    calls: dict[int, dict[int, dict[str, Any]]] = {}
    for chunk in chunks:
        if chunk.get("usage"):
            expected.input_tokens = chunk["usage"]["prompt_tokens"]
            expected.output_tokens = chunk["usage"]["completion_tokens"]
            expected.cached_tokens = (chunk["usage"].get("prompt_tokens_details") or {}).get("cached_tokens")
        for choice in chunk["choices"]:
            index = choice["index"]
            texts.setdefault(index, "")
            delta = choice.get("delta") or {}
            texts[index] += delta.get("content") or ""
            if choice.get("finish_reason"):
                reasons[index] = choice["finish_reason"]
            for call in delta.get("tool_calls") or []:
                slot = calls.setdefault(index, {}).setdefault(
                    call["index"], {"id": None, "name": None, "arguments": ""}
                )
                slot["id"] = call.get("id") or slot["id"]
                function = call.get("function") or {}
                slot["name"] = function.get("name") or slot["name"]
                slot["arguments"] += function.get("arguments") or ""
    indexes = sorted(texts)
    expected.finish_reasons = [reasons.get(i, "error") for i in indexes]
    expected.texts = [texts[i] or None for i in indexes]
    expected.tool_calls = [
        [{**c, "arguments": json.loads(c["arguments"])} for _, c in sorted(calls.get(i, {}).items())] for i in indexes
    ]
    return expected


def expected_embeddings(interaction: Interaction) -> Expected:
    if interaction.status >= 400:
        return Expected(status=interaction.status)
    body = json.loads(interaction.body)
    first = body["data"][0]["embedding"]
    dimension = interaction.request.get("dimensions") or (len(first) if isinstance(first, list) else None)
    return Expected(
        status=interaction.status,
        response_model=body.get("model"),
        input_tokens=(body.get("usage") or {}).get("prompt_tokens"),
        dimension_count=dimension,
    )


# --- the Responses API -----------------------------------------------------------------


def responses_cassettes() -> list[Path]:
    """Every ``test_responses_*`` recording whose interactions all go to ``/v1/responses``."""
    if not CASSETTE_DIR.is_dir():
        return []
    return sorted(
        p
        for p in CASSETTE_DIR.glob("test_responses_*.yaml")
        if all(i.path == "v1/responses" or i.path.startswith("v1/responses/") for i in load(p))
    )


def request_queries(path: Path) -> list[dict[str, str]]:
    """The query parameters of each recorded request (``load`` keeps only the path)."""
    from urllib.parse import parse_qsl, urlsplit

    data = read_cassette(path)
    return [dict(parse_qsl(urlsplit(item["request"]["uri"]).query)) for item in data["interactions"]]


@dataclass
class ExpectedResponse:
    """What a recorded Responses API answer says: the response object it ends with."""

    status: int
    response_id: str | None = None
    response_model: str | None = None
    response_status: str | None = None
    finish_reason: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    service_tier: str | None = None
    instructions: str | None = None
    texts: list[str] = field(default_factory=list)
    function_calls: list[dict[str, Any]] = field(default_factory=list)
    error_code: str | None = None
    streamed: bool = False


# The conventions' table for Responses (semconv.md §5.2): status (and the reason an
# incomplete response gives) -> finish reason; function calls make a completed one "tool_calls".
_INCOMPLETE_FINISH = {"max_output_tokens": "length", "content_filter": "content_filter"}
_TERMINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed")


def _finish_reason(response: dict[str, Any]) -> str | None:
    status = response.get("status")
    if status == "completed":
        return "tool_calls" if any(o["type"] == "function_call" for o in response["output"]) else "stop"
    if status == "incomplete":  # another reason is reported as given; none at all as "error"
        reason = (response.get("incomplete_details") or {}).get("reason")
        return _INCOMPLETE_FINISH.get(reason, reason or "error")
    return "error" if status in ("failed", "cancelled") else None


def expected_response(interaction: Interaction) -> ExpectedResponse:
    """What the recording says about one ``/v1/responses`` call (plain JSON or an event stream)."""
    if interaction.status >= 400:
        return ExpectedResponse(status=interaction.status)
    streamed = interaction.content_type.startswith("text/event-stream")
    ended = True  # a stream may end before its terminal event: then no finish reason was given
    if streamed:
        events = _sse_payloads(interaction.body)
        terminal = [e["response"] for e in events if e["type"] in _TERMINAL_EVENTS]
        ended = bool(terminal)
        body = terminal[-1] if ended else {**events[0]["response"], "status": None}
    else:
        body = json.loads(interaction.body)
    outputs = body.get("output") or []
    return ExpectedResponse(
        status=interaction.status,
        response_id=body.get("id"),
        response_model=body.get("model"),
        response_status=body.get("status"),
        finish_reason=_finish_reason(body) if ended else "error",
        usage=body.get("usage") or {},
        service_tier=body.get("service_tier"),
        instructions=body.get("instructions"),
        texts=[
            c["text"] for o in outputs if o["type"] == "message" for c in o["content"] if c["type"] == "output_text"
        ],
        function_calls=[
            {"id": o["call_id"], "name": o["name"], "arguments": json.loads(o["arguments"])}
            for o in outputs
            if o["type"] == "function_call"
        ],
        error_code=(body.get("error") or {}).get("code"),
        streamed=streamed,
    )
