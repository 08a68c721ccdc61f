"""Privacy: with content capture off nothing of the conversation leaves the process.

Every prompt, answer, tool argument, tool result and inline image carries a unique
marker string; the calls go through the real client against the mock; spans, log
records (events) and metrics are serialized with the SDK's own OTLP protobuf encoders,
and the bytes are searched. A positive control runs the same calls with content on, so
the search is shown to find what is there. API keys and the Authorization header never
appear, in any mode. Captured values are cut at the configured length with the
``…[truncated N chars]`` mark, and a content hook can rewrite or drop content before
anything is recorded.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from dataclasses import dataclass, field, fields
from typing import Any

import openai
import pytest
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from reliability_calls import collecting_logs

from otel_genai.core.content import TRUNCATION_MARK
from otel_genai.core.invocation import Invocation, text_part
from telemetry_capture import Captured, json_attr

CHAT_MODEL = "gpt-4o-mini"
EMIT_EVENTS = {"OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "true"}


def _marker(kind: str) -> str:
    return f"PRIV{kind.upper()}{uuid.uuid4().hex[:12]}"


@dataclass
class Markers:
    """One unique string per piece of content a call can carry."""

    system: str = field(default_factory=lambda: _marker("system"))
    user: str = field(default_factory=lambda: _marker("user"))
    history_arguments: str = field(default_factory=lambda: _marker("histargs"))
    tool_result: str = field(default_factory=lambda: _marker("toolresult"))
    tool_description: str = field(default_factory=lambda: _marker("tooldesc"))
    answer_arguments: str = field(default_factory=lambda: _marker("answerargs"))
    reply: str = field(default_factory=lambda: _marker("reply"))
    image: str = field(default_factory=lambda: _marker("image"))
    embedding_input: str = field(default_factory=lambda: _marker("embed"))
    prompt: str = field(default_factory=lambda: _marker("prompt"))
    completion_reply: str = field(default_factory=lambda: _marker("complreply"))
    instructions: str = field(default_factory=lambda: _marker("instructions"))
    responses_input: str = field(default_factory=lambda: _marker("respinput"))
    responses_reply: str = field(default_factory=lambda: _marker("respreply"))
    api_key: str = field(default_factory=lambda: "sk-" + _marker("apikey"))

    @property
    def image_base64(self) -> str:
        return base64.b64encode(f"\x89PNG {self.image} pixels".encode()).decode()

    def searched(self) -> dict[str, bytes]:
        """Every marker as it would appear in serialized telemetry."""
        found = {f.name: getattr(self, f.name).encode() for f in fields(self)}
        found["image_base64"] = self.image_base64.encode()
        return found


def _tools(m: Markers) -> list[dict[str, Any]]:
    parameters = {"type": "object", "properties": {"q": {"type": "string", "enum": [m.answer_arguments]}}}
    return [
        {
            "type": "function",
            "function": {
                "name": "lookup",
                "description": f"Looks things up. {m.tool_description}",
                "parameters": {**parameters, "required": ["q"]},
            },
        }
    ]


def _history(m: Markers) -> list[dict[str, Any]]:
    """A system prompt, a user turn with an inline image, a tool call and its result."""
    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{m.image_base64}"}}
    arguments = json.dumps({"q": m.history_arguments})
    return [
        {"role": "system", "content": f"You are careful. {m.system}"},
        {"role": "user", "content": [{"type": "text", "text": f"Look this up: {m.user}"}, image]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": arguments}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": f"The answer is {m.tool_result}"},
    ]


def run_everything(m: Markers, base_url: str, root_url: str) -> int:
    """Every kind of call, each carrying the markers; returns how many calls were made."""
    client = openai.OpenAI(base_url=base_url, api_key=m.api_key, max_retries=0)
    history, tools, reply = _history(m), _tools(m), {"x-mock-reply": f"Here you go: {m.reply}"}
    asking = history[:2]  # ends with the user's turn: the mock calls the tool, with the marker as argument
    calls = 0
    for stream in (False, True):
        # An answer after the tool result, then a tool call whose arguments carry a marker.
        result = client.chat.completions.create(
            model=CHAT_MODEL, messages=history, tools=tools, stream=stream, extra_headers=reply
        )
        called = client.chat.completions.create(model=CHAT_MODEL, messages=asking, tools=tools, stream=stream)
        if stream:
            list(result), list(called)
        else:
            assert m.reply in (result.choices[0].message.content or "")
            assert m.answer_arguments in called.choices[0].message.tool_calls[0].function.arguments
        completion = client.completions.create(
            model="gpt-3.5-turbo-instruct",
            prompt=f"Continue: {m.prompt}",
            stream=stream,
            extra_headers={"x-mock-reply": m.completion_reply},
        )
        if stream:
            list(completion)
        calls += 3
    client.embeddings.create(model="text-embedding-3-small", input=f"Embed {m.embedding_input}")
    calls += 1
    if hasattr(client, "responses"):
        for stream in (False, True):
            response = client.responses.create(
                model=CHAT_MODEL,
                instructions=f"Be brief. {m.instructions}",
                input=f"Question: {m.responses_input}",
                stream=stream,
                extra_headers={"x-mock-reply": m.responses_reply},
            )
            if stream:
                list(response)
            calls += 1

    async def async_stream() -> None:
        async with openai.AsyncOpenAI(base_url=base_url, api_key=m.api_key, max_retries=0) as aclient:
            stream = await aclient.chat.completions.create(
                model=CHAT_MODEL, messages=history, stream=True, extra_headers=reply
            )
            async for _ in stream:
                pass

    asyncio.run(async_stream())
    azure = openai.AzureOpenAI(azure_endpoint=root_url, api_key=m.api_key, api_version="2024-10-21", max_retries=0)
    azure.chat.completions.create(model="my-deployment", messages=history, extra_headers=reply)
    return calls + 2


def exported(captured: Captured) -> bytes:
    """Everything the pipeline would send, as the OTLP/protobuf exporters serialize it."""
    spans = encode_spans(captured.spans()).SerializeToString()
    logs = encode_logs(list(captured.logs_exporter.get_finished_logs())).SerializeToString()
    metrics_data = captured.metric_reader.get_metrics_data()
    metrics = encode_metrics(metrics_data).SerializeToString() if metrics_data is not None else b""
    return spans + logs + metrics


def leaked(data: bytes, markers: dict[str, bytes]) -> list[str]:
    return sorted(name for name, marker in markers.items() if marker in data)


NO_CONTENT_MODES = [
    pytest.param(capture, conventions, id=f"{capture or 'default'}-{conventions or 'latest'}")
    for capture in (None, "NO_CONTENT")
    for conventions in (None, "gen_ai_legacy", "gen_ai/dup")
]


@pytest.mark.parametrize(("capture", "conventions"), NO_CONTENT_MODES)
def test_no_content_leaves_the_process_without_capture(
    instrument: Any, mock_server: Any, capture: str | None, conventions: str | None
) -> None:
    m = Markers()
    with collecting_logs("otel_genai") as ours:
        captured = instrument(capture=capture, conventions=conventions, env=EMIT_EVENTS)
        calls = run_everything(m, mock_server.base_url, mock_server.root_url)
    assert len(captured.spans()) == calls  # every call was recorded...
    if conventions != "gen_ai_legacy":
        assert captured.logs()  # ...with events: there was something to leak into
    data = exported(captured)
    assert len(data) > 1000
    assert leaked(data, m.searched()) == []
    assert b"Bearer" not in data and b"authorization" not in data.lower()
    assert not [r for r in ours.records if any(marker.decode() in r.getMessage() for marker in m.searched().values())]


def test_positive_control_content_on_is_found(instrument: Any, mock_server: Any) -> None:
    """The same search finds the content when capture is on: the test above can fail."""
    m = Markers()
    captured = instrument(capture="SPAN_AND_EVENT", env=EMIT_EVENTS)
    run_everything(m, mock_server.base_url, mock_server.root_url)
    data = exported(captured)
    # The raw image marker travels inside base64: its base64 text is what is found.
    expected = set(m.searched()) - {"api_key", "tool_description", "embedding_input", "image"}
    if not hasattr(openai.OpenAI(api_key="k"), "responses"):
        expected -= {"instructions", "responses_input", "responses_reply"}
    # Tool definitions are recorded by type and name only, embedding inputs never (§4).
    assert leaked(data, m.searched()) == sorted(expected)


@pytest.mark.parametrize("conventions", [None, "gen_ai_legacy", "gen_ai/dup"])
def test_api_key_and_authorization_never_exported(instrument: Any, mock_server: Any, conventions: str | None) -> None:
    m = Markers()
    captured = instrument(capture="SPAN_AND_EVENT", conventions=conventions, env=EMIT_EVENTS)
    run_everything(m, mock_server.base_url, mock_server.root_url)
    data = exported(captured)
    assert m.api_key.encode() not in data
    assert m.api_key.encode()[3:] not in data  # not even without its prefix
    assert b"Bearer" not in data and b"authorization" not in data.lower() and b"api-key" not in data.lower()


# --- truncation -----------------------------------------------------------------------------------

LIMIT = 40


def _cut(text: str, limit: int = LIMIT) -> str:
    return f"{text[:limit]}{TRUNCATION_MARK}{len(text) - limit} chars]"


@pytest.mark.parametrize("stream", [False, True])
def test_long_values_are_cut_and_marked_on_spans_and_events(
    instrument: Any, client: Any, mock_server: Any, stream: bool
) -> None:
    captured = instrument(
        capture="SPAN_AND_EVENT", env={**EMIT_EVENTS, "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": str(LIMIT)}
    )
    system, user, result, reply = ("s" * 100, "u" * 150, "r" * 90, "a" * 120)
    arguments = json.dumps({"q": "q" * 70})
    history = [
        {"role": "system", "content": system},
        {"role": "user", "content": user},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": result},
    ]
    response = client.chat.completions.create(
        model=CHAT_MODEL, messages=history, stream=stream, extra_headers={"x-mock-reply": reply}
    )
    if stream:
        list(response)
    span = captured.span()
    # A chat system message stays in the history (only separate instructions are system_instructions).
    system_in, user_in, assistant_in, tool_in = json_attr(span, "gen_ai.input.messages")
    assert system_in == {"role": "system", "parts": [{"type": "text", "content": _cut(system)}]}
    assert user_in["parts"] == [{"type": "text", "content": _cut(user)}]
    assert assistant_in["parts"][0]["arguments"] == {"q": _cut("q" * 70)}
    assert tool_in["parts"][0]["response"] == _cut(result)
    (output,) = json_attr(span, "gen_ai.output.messages")
    assert output["parts"] == [{"type": "text", "content": _cut(reply)}]
    # The event carries the same cut values, as structured data.
    (event,) = captured.events("gen_ai.client.inference.operation.details")
    assert event.attributes["gen_ai.output.messages"][0]["parts"][0]["content"] == _cut(reply)
    assert event.attributes["gen_ai.input.messages"][1]["parts"][0]["content"] == _cut(user)


def test_long_values_are_cut_on_legacy_events(instrument: Any, client: Any) -> None:
    captured = instrument(
        capture="SPAN_AND_EVENT",
        conventions="gen_ai_legacy",
        env={**EMIT_EVENTS, "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": str(LIMIT)},
    )
    user, reply = "u" * 101, "a" * 77
    client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": user}], extra_headers={"x-mock-reply": reply}
    )
    (user_event,) = captured.events("gen_ai.user.message")
    assert user_event.body["content"] == _cut(user)
    (choice,) = captured.events("gen_ai.choice")
    assert choice.body["message"]["content"] == _cut(reply)


def test_inline_media_is_cut_at_its_own_limit(instrument: Any, client: Any) -> None:
    captured = instrument(
        capture="SPAN_ONLY",
        env={
            "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": "1000",
            "OTEL_INSTRUMENTATION_GENAI_MAX_BLOB_LENGTH": "16",
        },
    )
    payload = base64.b64encode(bytes(range(256)) * 2).decode()
    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{payload}"}}
    client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": [{"type": "text", "text": "see"}, image]}]
    )
    (user_in,) = json_attr(captured.span(), "gen_ai.input.messages")
    blob = user_in["parts"][1]
    assert blob["type"] == "blob" and blob["mime_type"] == "image/png"
    assert blob["content"] == _cut(payload, 16)


# --- the content hook -----------------------------------------------------------------------------


def _rewrite(inv: Invocation) -> None:
    """Replace every text part and tool-call argument, and drop the system prompt."""
    for message in [*(inv.input_messages or []), *(inv.output_messages or [])]:
        parts = []
        for part in message.parts:
            if part["type"] == "text":
                parts.append(text_part("[redacted text]"))
            elif part["type"] == "tool_call":
                parts.append({**part, "arguments": {"q": "[redacted arguments]"}})
            elif part["type"] == "tool_call_response":
                parts.append({**part, "response": "[redacted result]"})
            elif part["type"] == "blob":
                parts.append({**part, "content": "[redacted media]"})
            else:
                parts.append(part)
        message.parts = parts
    inv.system_instructions = None


def _drop(inv: Invocation) -> None:
    inv.system_instructions = inv.input_messages = inv.output_messages = inv.tool_definitions = None


@pytest.mark.parametrize("conventions", [None, "gen_ai_legacy", "gen_ai/dup"])
def test_content_hook_rewrites_before_anything_is_recorded(
    instrument: Any, mock_server: Any, conventions: str | None
) -> None:
    m = Markers()
    seen: list[str] = []

    def hook(inv: Invocation) -> None:
        seen.append(json.dumps([p for msg in inv.input_messages or [] for p in msg.parts], default=str))
        _rewrite(inv)

    captured = instrument(capture="SPAN_AND_EVENT", conventions=conventions, env=EMIT_EVENTS, content_hook=hook)
    run_everything(m, mock_server.base_url, mock_server.root_url)
    assert any(m.user in s for s in seen)  # the hook saw the real content...
    data = exported(captured)
    assert leaked(data, {k: v for k, v in m.searched().items() if k != "api_key"}) == []  # ...nothing else did
    assert b"[redacted text]" in data and b"[redacted arguments]" in data and b"[redacted result]" in data
    if conventions != "gen_ai_legacy":  # the legacy events carry text only, no media parts
        assert b"[redacted media]" in data
    assert all(s.attributes.get("gen_ai.response.model") for s in captured.spans())  # the rest is recorded


@pytest.mark.parametrize("conventions", [None, "gen_ai_legacy"])
def test_content_hook_can_drop_all_content(instrument: Any, mock_server: Any, conventions: str | None) -> None:
    m = Markers()
    captured = instrument(capture="SPAN_AND_EVENT", conventions=conventions, env=EMIT_EVENTS, content_hook=_drop)
    run_everything(m, mock_server.base_url, mock_server.root_url)
    data = exported(captured)
    assert leaked(data, m.searched()) == []
    for span in captured.spans():
        assert not {k for k in span.attributes if k.endswith(("messages", "instructions", "definitions"))}
        assert span.attributes.get("gen_ai.response.model")


def test_failing_content_hook_drops_content_on_every_signal(instrument: Any, mock_server: Any) -> None:
    def hook(inv: Invocation) -> None:
        raise RuntimeError("redactor crashed")

    m = Markers()
    captured = instrument(capture="SPAN_AND_EVENT", conventions="gen_ai/dup", env=EMIT_EVENTS, content_hook=hook)
    run_everything(m, mock_server.base_url, mock_server.root_url)
    assert leaked(exported(captured), m.searched()) == []
