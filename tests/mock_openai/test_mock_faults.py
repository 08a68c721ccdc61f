"""The ``x-mock-scenario`` faults, as the real openai client experiences them."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import openai
import pytest
from mock_openai_helpers import BROKEN_STREAM_ERRORS, HAS_RESPONSES_API, raw_request, user

from otel_genai.mock_openai import MockOpenAIServer

CHAT = "/v1/chat/completions"
CHAT_BODY = {"model": "gpt-4o-mini", "messages": user("Say this is a test")}


def _scenario(value: str, **extra: str) -> dict[str, str]:
    return {"x-mock-scenario": value, **extra}


def _attempts(server: MockOpenAIServer, key: str) -> list[str]:
    """The retry counter sent with each attempt carrying scenario key *key*.

    Clients older than x-stainless-retry-count (openai 1.26) get the attempt's position instead.
    """
    attempts = [r for r in server.requests if r.headers.get("x-mock-scenario-key") == key]
    return [r.headers.get("x-stainless-retry-count", str(n)) for n, r in enumerate(attempts)]


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (400, openai.BadRequestError, "invalid_request_error"),
        (401, openai.AuthenticationError, "invalid_request_error"),
        (403, openai.PermissionDeniedError, "invalid_request_error"),
        (404, openai.NotFoundError, "invalid_request_error"),
        (409, openai.ConflictError, "invalid_request_error"),
        (422, openai.UnprocessableEntityError, "invalid_request_error"),
        (429, openai.RateLimitError, "requests"),
        (500, openai.InternalServerError, "server_error"),
        (503, openai.InternalServerError, "server_error"),
    ],
)
def test_error_status_with_openai_body(
    openai_client: openai.OpenAI, status: int, error_class: type[openai.APIStatusError], error_type: str
) -> None:
    with pytest.raises(error_class) as caught:
        openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario(f"error:{status}"))
    assert caught.value.status_code == status
    assert isinstance(caught.value.body, dict) and caught.value.body["type"] == error_type


def test_rate_limit_body_and_retry_hint(mock_api: MockOpenAIServer) -> None:
    response = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario("error:429"))
    assert response.status == 429
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    assert response.headers["retry-after-ms"] == "10"
    quiet = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario("error:429,retry-after-ms:0"))
    assert "retry-after-ms" not in quiet.headers
    not_retryable = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario("error:400"))
    assert "retry-after-ms" not in not_retryable.headers


def test_retryable_errors_are_retried_by_the_client(mock_api: MockOpenAIServer) -> None:
    client = openai.OpenAI(base_url=mock_api.base_url, api_key="sk-test", max_retries=2)
    key = uuid.uuid4().hex
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            **CHAT_BODY, extra_headers=_scenario("error:500", **{"x-mock-scenario-key": key})
        )
    assert _attempts(mock_api, key) == ["0", "1", "2"]


def test_error_without_body(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("error-no-body:502"))
    assert caught.value.status_code == 502
    assert not isinstance(caught.value.body, dict)
    response = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario("error-no-body:502"))
    assert response.headers["content-type"].startswith("text/plain")
    with pytest.raises(ValueError):
        response.json()


def test_fail_times_then_success_through_client_retries(mock_api: MockOpenAIServer) -> None:
    client = openai.OpenAI(base_url=mock_api.base_url, api_key="sk-test", max_retries=2)
    key = uuid.uuid4().hex
    completion = client.chat.completions.create(
        **CHAT_BODY, extra_headers=_scenario("fail-times:2:429", **{"x-mock-scenario-key": key})
    )
    assert completion.choices[0].message.content == "This is a test."
    assert _attempts(mock_api, key) == ["0", "1", "2"]


def test_fail_times_counts_per_key(openai_client: openai.OpenAI) -> None:
    headers = _scenario("fail-times:1:503", **{"x-mock-scenario-key": uuid.uuid4().hex})
    with pytest.raises(openai.InternalServerError):
        openai_client.chat.completions.create(**CHAT_BODY, extra_headers=headers)
    assert openai_client.chat.completions.create(**CHAT_BODY, extra_headers=headers).choices
    fresh_key = _scenario("fail-times:1:503", **{"x-mock-scenario-key": uuid.uuid4().hex})
    with pytest.raises(openai.InternalServerError):
        openai_client.chat.completions.create(**CHAT_BODY, extra_headers=fresh_key)


def test_fail_times_without_key_counts_per_scenario_text(openai_client: openai.OpenAI) -> None:
    # A unique, harmless retry hint makes this scenario text unlike any other test's.
    scenario = _scenario(f"fail-times:1:500,retry-after-ms:{uuid.uuid4().int % 100_000 + 1}")
    with pytest.raises(openai.InternalServerError):
        openai_client.chat.completions.create(**CHAT_BODY, extra_headers=scenario)
    assert openai_client.chat.completions.create(**CHAT_BODY, extra_headers=scenario).choices


def test_malformed_json(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    response = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario("malformed-json"))
    assert (response.status, response.headers["content-type"]) == (200, "application/json")
    with pytest.raises(ValueError):
        response.json()
    # The client lets the decoder's error escape: it is not an openai.APIError.
    with pytest.raises(ValueError):
        openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("malformed-json"))
    stream = openai_client.chat.completions.create(**CHAT_BODY, stream=True, extra_headers=_scenario("malformed-json"))
    with pytest.raises(ValueError):
        list(stream)


def test_missing_fields(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    wire = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario("missing-fields")).json()
    assert not {"id", "model", "usage"} & set(wire)
    assert "finish_reason" not in wire["choices"][0]
    completion = openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("missing-fields"))
    assert getattr(completion, "id", None) is None
    assert getattr(completion, "usage", None) is None
    assert completion.choices[0].message.content == "This is a test."


def test_wrong_types(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    wire = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario("wrong-types")).json()
    assert wire["usage"]["prompt_tokens"] == "12"
    assert wire["usage"]["prompt_tokens_details"]["cached_tokens"] == "0"
    assert isinstance(wire["choices"], dict)
    assert isinstance(wire["created"], str)
    assert isinstance(wire["id"], int)
    completion = openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("wrong-types"))
    # The client does not validate: the object arrives with a dict where a list belongs.
    assert isinstance(completion.choices, dict)


def test_empty_choices(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("empty-choices"))
    assert completion.choices == []
    assert completion.usage is not None and completion.usage.total_tokens == 17
    stream = openai_client.chat.completions.create(**CHAT_BODY, stream=True, extra_headers=_scenario("empty-choices"))
    chunks = list(stream)
    assert chunks and all(chunk.choices == [] for chunk in chunks)


def test_cut_stream_ends_quietly_after_n_chunks(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(**CHAT_BODY, stream=True, extra_headers=_scenario("cut-stream:3"))
    chunks = list(stream)
    assert len(chunks) == 3
    assert all(chunk.choices[0].finish_reason is None for chunk in chunks)
    raw = raw_request(mock_api, "POST", CHAT, {**CHAT_BODY, "stream": True}, headers=_scenario("cut-stream:3"))
    assert raw.headers["connection"] == "close"
    assert b"[DONE]" not in raw.body
    complete, partial = raw.body.rsplit(b"\n\n", 1)
    assert complete.count(b"data: ") == 3
    assert partial.startswith(b"data: {") and not partial.endswith(b"}")


def test_reset_stream_breaks_the_connection(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(**CHAT_BODY, stream=True, extra_headers=_scenario("reset-stream:2"))
    received = []
    with pytest.raises(BROKEN_STREAM_ERRORS):
        for chunk in stream:
            received.append(chunk)
    assert len(received) == 2


async def test_reset_stream_breaks_the_async_client(async_openai_client: openai.AsyncOpenAI) -> None:
    stream = await async_openai_client.chat.completions.create(
        **CHAT_BODY, stream=True, extra_headers=_scenario("reset-stream:1")
    )
    received = []
    with pytest.raises(BROKEN_STREAM_ERRORS):
        async for chunk in stream:
            received.append(chunk)
    assert len(received) == 1


def test_hang_never_answers_and_the_client_times_out(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    key = uuid.uuid4().hex
    patient = openai_client.with_options(timeout=openai.Timeout(30.0, read=1.0))
    with pytest.raises(openai.APITimeoutError):
        patient.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("hang", **{"x-mock-scenario-key": key}))
    assert _attempts(mock_api, key) == ["0"]  # received once, never answered
    assert openai_client.chat.completions.create(**CHAT_BODY).choices  # the server serves on


async def test_stall_stream_sends_n_chunks_then_waits_for_the_client(
    async_openai_client: openai.AsyncOpenAI,
) -> None:
    stream = await async_openai_client.chat.completions.create(
        **CHAT_BODY, stream=True, extra_headers=_scenario("stall-stream:2")
    )
    received = [await stream.__anext__(), await stream.__anext__()]
    assert all(chunk.choices[0].finish_reason is None for chunk in received)
    third = asyncio.ensure_future(stream.__anext__())
    done, _ = await asyncio.wait({third}, timeout=1.0)  # a wait, not a trigger: nothing ever comes
    assert not done
    third.cancel()
    await stream.close()
    assert (await async_openai_client.chat.completions.create(**CHAT_BODY)).choices  # the server serves on


def test_stream_error_raises_while_iterating(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(**CHAT_BODY, stream=True, extra_headers=_scenario("stream-error"))
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in stream:
            received.append(chunk)
    assert not isinstance(caught.value, openai.APIStatusError)
    assert 1 <= len(received) < 7
    with pytest.raises(openai.InternalServerError):
        openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("stream-error"))


@pytest.mark.skipif(not HAS_RESPONSES_API, reason="this openai client predates the Responses API")
def test_stream_error_fails_a_responses_stream(openai_client: openai.OpenAI) -> None:
    events = list(
        openai_client.responses.create(
            model="gpt-4o-mini", input="Say this is a test", stream=True, extra_headers=_scenario("stream-error")
        )
    )
    assert events[-1].type == "response.failed"
    assert events[-1].response.status == "failed"
    assert events[-1].response.error is not None and events[-1].response.error.code == "server_error"


def test_slow_delays_the_response_and_each_chunk(openai_client: openai.OpenAI) -> None:
    started = time.monotonic()
    openai_client.chat.completions.create(**CHAT_BODY, extra_headers=_scenario("slow:150"))
    assert time.monotonic() - started >= 0.15
    stream = openai_client.chat.completions.create(**CHAT_BODY, stream=True, extra_headers=_scenario("slow:20"))
    started = time.monotonic()
    chunks = list(stream)
    # 8 events (role, 5 tokens, finish, [DONE]): 7 gaps after the first.
    assert len(chunks) == 7
    assert time.monotonic() - started >= 6 * 0.02


def test_combined_scenarios(openai_client: openai.OpenAI) -> None:
    started = time.monotonic()
    stream = openai_client.chat.completions.create(
        **CHAT_BODY, stream=True, extra_headers=_scenario("slow:50, cut-stream:2")
    )
    assert len(list(stream)) == 2
    assert time.monotonic() - started >= 0.1


@pytest.mark.parametrize("bad", ["bogus", "slow:fast", "error:200", "fail-times:2", "cut-stream:-1"])
def test_unknown_or_malformed_scenario_is_a_bad_request(mock_api: MockOpenAIServer, bad: str) -> None:
    response = raw_request(mock_api, "POST", CHAT, CHAT_BODY, headers=_scenario(bad))
    assert response.status == 400
    assert response.json()["error"]["param"] == "x-mock-scenario"


def test_body_faults_apply_to_embeddings(mock_api: MockOpenAIServer) -> None:
    body = {"model": "text-embedding-3-small", "input": "x", "dimensions": 4}
    wire = raw_request(mock_api, "POST", "/v1/embeddings", body, headers=_scenario("empty-choices")).json()
    assert wire["data"] == []
    wire = raw_request(mock_api, "POST", "/v1/embeddings", body, headers=_scenario("wrong-types")).json()
    assert wire["usage"] == {"prompt_tokens": "1", "total_tokens": "1"}
    assert json.dumps(wire["data"]).startswith("{")
