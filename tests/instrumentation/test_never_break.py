"""Whatever the server sends and whatever fails inside us, the app's call behaves as without us."""

from __future__ import annotations

import json
import logging

import openai
import pytest
from opentelemetry.trace import StatusCode

from otel_genai.core import internal_errors
from otel_genai.instrumentation.openai.chat import ChatCompletions

POEM = [{"role": "user", "content": "Write a short poem on OpenTelemetry."}]


def _outcome(call):
    """(kind, value) of a call: its result's shape, or its exception's type and message."""
    try:
        result = call()
    except Exception as exc:  # noqa: BLE001 - comparing whatever happens
        return ("raised", type(exc), str(exc).split(" request_id")[0])
    if isinstance(result, openai.Stream):
        try:
            return ("stream", [type(c).__name__ for c in result])
        except Exception as exc:  # noqa: BLE001
            return ("stream raised", type(exc), str(exc))
    return ("returned", type(result), sorted(result.model_dump(exclude={"id", "created", "system_fingerprint"})))


@pytest.mark.parametrize(
    "scenario",
    ["missing-fields", "wrong-types", "empty-choices", "malformed-json", "error:500", "error-no-body:503", "error:429"],
)
@pytest.mark.parametrize("stream", [False, True])
def test_malformed_or_failing_server_behaves_as_without_us(instrument, client, scenario, stream, caplog):
    def call():
        return client.chat.completions.create(
            model="gpt-4o-mini", messages=POEM, stream=stream, extra_headers={"x-mock-scenario": scenario}
        )

    baseline = _outcome(call)
    captured = instrument(capture="SPAN_AND_EVENT")
    assert _outcome(call) == baseline
    span = captured.span()
    assert span.end_time is not None
    if baseline[0] in ("raised", "stream raised"):
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"].endswith(baseline[1].__name__)
    assert not [r for r in caplog.records if r.name == "otel_genai" and r.levelno >= logging.ERROR]


def test_our_failure_is_swallowed_and_logged_once(instrument, client, monkeypatch, caplog):
    def broken(self, call, response):
        raise RuntimeError("bug in otel-genai")

    monkeypatch.setattr(ChatCompletions, "fold_response", broken)
    # Forget the kinds another test of this process already warned about.
    monkeypatch.setattr(internal_errors, "_seen", set())
    captured = instrument()
    with caplog.at_level(logging.DEBUG, logger="otel_genai"):
        first = client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
        second = client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    assert first.choices[0].message.content and second.choices[0].message.content
    warnings = [r for r in caplog.records if r.name == "otel_genai" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "reading the response" in warnings[0].getMessage()
    assert len(captured.spans()) == 2  # both spans still ended


def test_failure_reading_the_request_leaves_the_call_alone(instrument, client, monkeypatch):
    def broken(self, instance, args, kwargs):
        raise ValueError("cannot read")

    monkeypatch.setattr(ChatCompletions, "invocation", broken)
    captured = instrument()
    response = client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    assert response.choices
    assert captured.spans() == []


def test_failing_content_hook_drops_content_not_the_call(instrument, client):
    def hook(invocation):
        raise RuntimeError("redactor crashed")

    captured = instrument(capture="SPAN_ONLY", content_hook=hook)
    response = client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    attrs = captured.span().attributes
    assert attrs["gen_ai.response.id"] == response.id
    assert "gen_ai.input.messages" not in attrs


def test_content_hook_can_redact(instrument, client):
    from otel_genai.core.invocation import text_part

    def redact(invocation):
        for message in invocation.input_messages or []:
            message.parts = [text_part("[redacted]")]

    captured = instrument(capture="SPAN_ONLY", content_hook=redact)
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    assert "[redacted]" in captured.span().attributes["gen_ai.input.messages"]
    assert "poem" not in captured.span().attributes["gen_ai.input.messages"]


def test_long_content_is_truncated_and_marked(instrument, client):
    captured = instrument(capture="SPAN_ONLY", env={"OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": "20"})
    long_text = "x" * 100
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": long_text}])
    value = captured.span().attributes["gen_ai.input.messages"]
    assert long_text not in value
    assert "x" * 20 + "…[truncated 80 chars]" in value


def test_api_key_never_in_telemetry(instrument, mock_server):
    secret = "sk-secret-never-exported-123"
    captured = instrument(capture="SPAN_AND_EVENT")
    keyed = openai.OpenAI(base_url=mock_server.base_url, api_key=secret, max_retries=0)
    keyed.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    exported = captured.span().to_json() + "".join(str(r.attributes) for r in captured.logs())
    assert secret not in exported


def test_azure_client(instrument, mock_server):
    captured = instrument()
    azure = openai.AzureOpenAI(azure_endpoint=mock_server.root_url, api_key="k", api_version="2024-10-21")
    azure.chat.completions.create(model="my-gpt4o-deployment", messages=POEM)
    attrs = captured.span().attributes
    assert attrs["gen_ai.provider.name"] == "azure.ai.openai"
    assert attrs["gen_ai.request.model"] == "my-gpt4o-deployment"
    assert attrs["server.address"] == "127.0.0.1"


def test_inline_media_is_capped_and_marked(instrument, client):
    captured = instrument(capture="SPAN_ONLY", env={"OTEL_INSTRUMENTATION_GENAI_MAX_BLOB_LENGTH": "64"})
    payload = "iVBORw0KGgo" + "A" * 5000
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this image?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{payload}"}},
                ],
            }
        ],
    )
    (message,) = json.loads(captured.span().attributes["gen_ai.input.messages"])
    blob = message["parts"][1]
    assert blob["type"] == "blob" and blob["mime_type"] == "image/png"
    assert blob["content"] == payload[:64] + f"…[truncated {len(payload) - 64} chars]"
    assert message["parts"][0]["content"] == "What is in this image?"  # text keeps its own, larger limit
