"""Anthropic's error bodies and the ``x-mock-scenario`` faults on ``/v1/messages``."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from mock_openai_helpers import BROKEN_STREAM_ERRORS, raw_request

from otel_genai.mock_openai import MockOpenAIServer

# The OpenAI half of the suite also runs where anthropic is not installed (make test-oldest-openai).
anthropic = pytest.importorskip("anthropic")

MODEL = "claude-sonnet-4-5"
HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}


def body(**extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 100, "messages": [{"role": "user", "content": "Say hello there!"}], **extra}


def scenario(text: str) -> dict[str, str]:
    return {"x-mock-scenario": text}


def assert_anthropic_error(payload: Any, error_type: str) -> None:
    assert payload["type"] == "error"
    assert payload["error"]["type"] == error_type
    assert payload["error"]["message"]
    assert payload["request_id"].startswith("req_")


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (403, anthropic.PermissionDeniedError, "permission_error"),
        (404, anthropic.NotFoundError, "not_found_error"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        # OverloadedError: an InternalServerError in newer clients, a bare APIStatusError in older ones.
        (529, anthropic.APIStatusError, "overloaded_error"),
    ],
)
def test_forced_errors_map_to_the_client_exceptions(
    anthropic_client: anthropic.Anthropic, status: int, error_class: type[anthropic.APIStatusError], error_type: str
) -> None:
    with pytest.raises(error_class) as caught:
        anthropic_client.messages.create(**body(), extra_headers=scenario(f"error:{status}"))
    assert caught.value.status_code == status
    assert_anthropic_error(caught.value.body, error_type)
    assert caught.value.request_id and caught.value.request_id.startswith("req_011C")


def test_unknown_model_is_404(anthropic_client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        anthropic_client.messages.create(**body(model="claude-does-not-exist"))
    assert_anthropic_error(caught.value.body, "not_found_error")
    assert caught.value.message.endswith(
        "model: claude-does-not-exist'}, 'request_id': '" + caught.value.request_id + "'}"
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}, "max_tokens: Field required"),
        ({"model": MODEL, "max_tokens": 10}, "messages: Field required"),
        ({"max_tokens": 10, "messages": []}, "model: Field required"),
        (body(messages=[{"role": "system", "content": "hi"}]), "messages.0.role"),
        (body(tool_choice={"type": "sometimes"}), "tool_choice"),
        (body(thinking={"type": "enabled", "budget_tokens": 10}), "budget_tokens"),
    ],
)
def test_bad_bodies_are_400(mock_api: MockOpenAIServer, payload: dict[str, Any], message: str) -> None:
    response = raw_request(mock_api, "POST", "/v1/messages", payload, headers=HEADERS)
    assert response.status == 400
    assert_anthropic_error(response.json(), "invalid_request_error")
    assert message in response.json()["error"]["message"]


def test_api_key_and_version_are_required(mock_api: MockOpenAIServer) -> None:
    no_key = raw_request(mock_api, "POST", "/v1/messages", body(), headers={"anthropic-version": "2023-06-01"})
    assert no_key.status == 401
    assert_anthropic_error(no_key.json(), "authentication_error")
    no_version = raw_request(mock_api, "POST", "/v1/messages", body(), headers={"x-api-key": "k"})
    assert no_version.status == 400
    assert no_version.json()["error"]["message"] == "anthropic-version: header is required"
    bad_version = raw_request(
        mock_api, "POST", "/v1/messages", body(), headers={"x-api-key": "k", "anthropic-version": "latest"}
    )
    assert bad_version.status == 400
    assert "invalid version" in bad_version.json()["error"]["message"]


def test_raw_responses_look_like_anthropic(mock_api: MockOpenAIServer) -> None:
    plain = raw_request(mock_api, "POST", "/v1/messages?beta=true", body(), headers=HEADERS)
    assert plain.status == 200
    assert plain.headers["content-type"] == "application/json"
    assert plain.headers["request-id"].startswith("req_011C")
    assert b"\n" not in plain.body  # compact JSON, as the real API sends
    streamed = raw_request(mock_api, "POST", "/v1/messages", body(stream=True), headers=HEADERS)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    names = streamed.sse_names()
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert [payload["type"] for payload in streamed.sse_json()] == names
    garbage = raw_request(mock_api, "POST", "/v1/messages", b"not json", headers=HEADERS)
    assert garbage.status == 400
    assert_anthropic_error(garbage.json(), "invalid_request_error")
    unknown = raw_request(mock_api, "POST", "/v1/messages/nowhere", body(), headers=HEADERS)
    assert unknown.status == 404
    assert_anthropic_error(unknown.json(), "not_found_error")


def test_bad_steering_headers_are_400(mock_api: MockOpenAIServer) -> None:
    for headers in (scenario("explode"), {"x-mock-chunks": "many"}):
        response = raw_request(mock_api, "POST", "/v1/messages", body(), headers={**HEADERS, **headers})
        assert response.status == 400
        assert_anthropic_error(response.json(), "invalid_request_error")


def test_fail_times_is_retried_by_the_client(mock_api: MockOpenAIServer) -> None:
    client = anthropic.Anthropic(base_url=mock_api.root_url, api_key="k", max_retries=2)
    key = {"x-mock-scenario-key": str(uuid.uuid4())}
    response = client.messages.with_raw_response.create(**body(), extra_headers={**scenario("fail-times:2:529"), **key})
    assert response.retries_taken == 2
    assert response.parse().content[0].type == "text"


def test_stream_error_sends_an_error_event(anthropic_client: anthropic.Anthropic) -> None:
    stream = anthropic_client.messages.create(**body(stream=True), extra_headers=scenario("stream-error"))
    seen: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        for event in stream:
            seen.append(event.type)
    assert seen[0] == "message_start" and "message_stop" not in seen
    assert caught.value.body == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


def test_stream_error_without_a_stream_is_500(anthropic_client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.InternalServerError) as caught:
        anthropic_client.messages.create(**body(), extra_headers=scenario("stream-error"))
    assert_anthropic_error(caught.value.body, "api_error")


def test_cut_stream_ends_without_message_stop(anthropic_client: anthropic.Anthropic) -> None:
    stream = anthropic_client.messages.create(**body(stream=True), extra_headers=scenario("cut-stream:3"))
    # The client drops the half event and ends quietly: only the missing message_stop tells.
    assert [event.type for event in stream] == ["message_start", "content_block_start"]


def test_reset_stream_fails_in_the_client(anthropic_client: anthropic.Anthropic) -> None:
    stream = anthropic_client.messages.create(**body(stream=True), extra_headers=scenario("reset-stream:3"))
    seen: list[str] = []
    with pytest.raises((anthropic.APIConnectionError, *BROKEN_STREAM_ERRORS)):
        for event in stream:
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start"]


def test_missing_fields_and_wrong_types(mock_api: MockOpenAIServer) -> None:
    missing = raw_request(mock_api, "POST", "/v1/messages", body(), headers={**HEADERS, **scenario("missing-fields")})
    assert set(missing.json()) == {"type", "role", "content", "stop_sequence"}
    events = raw_request(
        mock_api, "POST", "/v1/messages", body(stream=True), headers={**HEADERS, **scenario("missing-fields")}
    ).sse_json()
    assert "id" not in events[0]["message"] and "usage" not in events[0]["message"]
    final = next(event for event in events if event["type"] == "message_delta")
    assert "usage" not in final and "stop_reason" not in final["delta"]
    retyped = raw_request(mock_api, "POST", "/v1/messages", body(), headers={**HEADERS, **scenario("wrong-types")})
    payload = retyped.json()
    assert isinstance(payload["id"], int) and isinstance(payload["content"], dict)
    assert isinstance(payload["usage"]["input_tokens"], str)
    empty = raw_request(mock_api, "POST", "/v1/messages", body(), headers={**HEADERS, **scenario("empty-choices")})
    assert empty.json()["content"] == []


def test_malformed_json_fails_in_the_client(anthropic_client: anthropic.Anthropic) -> None:
    with pytest.raises((anthropic.APIResponseValidationError, json.JSONDecodeError)):
        anthropic_client.messages.create(**body(), extra_headers=scenario("malformed-json"))
