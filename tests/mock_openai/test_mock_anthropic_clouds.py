"""Anthropic's Messages API on Vertex AI's and Amazon Bedrock's URLs, driven by the real cloud clients."""

from __future__ import annotations

import base64
import json

import pytest
from mock_openai_helpers import raw_request, user

from otel_genai.mock_openai import MockOpenAIServer

# The OpenAI half of the suite also runs where anthropic is not installed (make test-oldest-openai).
anthropic = pytest.importorskip("anthropic")

BEDROCK_MODEL = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


@pytest.fixture
def bedrock_client(mock_api: MockOpenAIServer) -> anthropic.AnthropicBedrock:
    pytest.importorskip("boto3", reason="AnthropicBedrock signs requests with boto3 (anthropic[bedrock])")
    return anthropic.AnthropicBedrock(
        aws_access_key="AKIDEXAMPLE",
        aws_secret_key="secret",
        aws_region="us-east-1",
        base_url=mock_api.root_url,
        max_retries=0,
    )


def test_vertex_plain_and_streamed(mock_api: MockOpenAIServer) -> None:
    client = anthropic.AnthropicVertex(
        region="us-east5",
        project_id="demo-project",
        access_token="token",
        base_url=f"{mock_api.root_url}/v1",
        max_retries=0,
    )
    message = client.messages.create(model="claude-sonnet-4-5@20250929", max_tokens=50, messages=user("Say hi"))
    assert message.content[0].type == "text" and message.content[0].text == "Hi."
    assert message.model == "claude-sonnet-4-5@20250929"
    recorded = mock_api.requests[-1]
    assert recorded.path.endswith(
        "/projects/demo-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"
    )
    # The version travels in the body ("vertex-2023-10-16", or the dated API version in newer clients).
    assert recorded.body["anthropic_version"] and "model" not in recorded.body
    with client.messages.stream(model="claude-sonnet-4-5@20250929", max_tokens=50, messages=user("Say hi")) as stream:
        assert "".join(stream.text_stream) == "Hi."
    assert mock_api.requests[-1].path.endswith(":streamRawPredict")


def test_bedrock_invoke(bedrock_client: anthropic.AnthropicBedrock, mock_api: MockOpenAIServer) -> None:
    response = bedrock_client.messages.with_raw_response.create(
        model=BEDROCK_MODEL, max_tokens=50, messages=user("Say hello there!")
    )
    message = response.parse()
    assert message.content[0].type == "text" and message.content[0].text == "Hello there."
    assert message.model == "claude-3-5-haiku-20241022"
    assert response.headers["x-amzn-requestid"]
    recorded = mock_api.requests[-1]
    assert recorded.path == f"/model/{BEDROCK_MODEL}/invoke"
    assert recorded.headers["authorization"].startswith("AWS4-HMAC-SHA256 ")
    assert "model" not in recorded.body and "stream" not in recorded.body


def test_bedrock_stream_decodes_with_the_client(bedrock_client: anthropic.AnthropicBedrock) -> None:
    with bedrock_client.messages.stream(
        model=BEDROCK_MODEL, max_tokens=200, messages=user("Weather?"), tools=[_TOOL], extra_headers=_CHUNKS
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    kinds = [event.type for event in events if event.type not in ("text", "input_json")]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert [block.type for block in final.content] == ["text", "tool_use"]
    assert final.stop_reason == "tool_use"
    raw = list(bedrock_client.messages.create(model=BEDROCK_MODEL, max_tokens=50, messages=user("Say hi"), stream=True))
    assert raw[-1].type == "message_stop"
    metrics = (raw[-1].model_extra or {})["amazon-bedrock-invocationMetrics"]
    assert raw[-2].type == "message_delta"
    assert metrics["outputTokenCount"] == raw[-2].usage.output_tokens == 2


def test_bedrock_frames_pass_botocores_checks(
    bedrock_client: anthropic.AnthropicBedrock, mock_api: MockOpenAIServer
) -> None:
    from botocore.eventstream import EventStreamBuffer

    payload = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": user("Say hi")}
    response = raw_request(
        mock_api,
        "POST",
        f"/model/{BEDROCK_MODEL}/invoke-with-response-stream",
        payload,
        headers={"authorization": "AWS4-HMAC-SHA256 Credential=test"},
    )
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    buffer = EventStreamBuffer()
    buffer.add_data(response.body)
    frames = list(buffer)  # raises on a wrong length or CRC
    assert {frame.headers[":event-type"] for frame in frames} == {"chunk"}
    events = [json.loads(base64.b64decode(json.loads(frame.payload)["bytes"])) for frame in frames]
    assert [event["type"] for event in events][:3] == ["message_start", "content_block_start", "ping"]
    assert events[-1]["type"] == "message_stop"


def test_bedrock_errors(bedrock_client: anthropic.AnthropicBedrock, mock_api: MockOpenAIServer) -> None:
    with pytest.raises(anthropic.RateLimitError) as caught:
        bedrock_client.messages.create(
            model=BEDROCK_MODEL, max_tokens=50, messages=user("hi"), extra_headers={"x-mock-scenario": "error:429"}
        )
    assert caught.value.body == {"message": "Too many requests, please wait before trying again."}
    assert caught.value.response.headers["x-amzn-errortype"].startswith("ThrottlingException")
    with pytest.raises(anthropic.BadRequestError) as bad:
        bedrock_client.messages.create(
            model=BEDROCK_MODEL, max_tokens=50, messages=[{"role": "system", "content": "x"}]
        )
    assert "messages.0.role" in bad.value.body["message"]  # type: ignore[index]
    stream = bedrock_client.messages.create(
        model=BEDROCK_MODEL,
        max_tokens=50,
        messages=user("hi"),
        stream=True,
        extra_headers={"x-mock-scenario": "stream-error"},
    )
    # Newer clients turn the exception frame into an error event; older ones let botocore's ValueError out.
    with pytest.raises((anthropic.APIStatusError, ValueError)) as broken:
        list(stream)
    assert "modelStreamErrorException" in str(broken.value) and "Overloaded" in str(broken.value)
    unsigned = raw_request(mock_api, "POST", f"/model/{BEDROCK_MODEL}/invoke", {"max_tokens": 1})
    assert unsigned.status == 403 and unsigned.json() == {"message": "Missing Authentication Token"}


_TOOL = {
    "name": "get_weather",
    "description": "Get the weather",
    "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}
_CHUNKS = {"x-mock-chunks": "5"}
