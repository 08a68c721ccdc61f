"""The Anthropic translators with the client's own objects (no HTTP): endpoints, usage, streams."""

from __future__ import annotations

from typing import Any

import pytest

from otel_genai.core.invocation import Invocation
from otel_genai.instrumentation.anthropic.endpoint import Endpoints
from otel_genai.instrumentation.anthropic.messages import Messages

anthropic = pytest.importorskip("anthropic")
types = anthropic.types


def _request(path: str, body: dict[str, Any], method: str = "post") -> tuple[Any, ...]:
    """The positional arguments the client's ``post`` hands to its ``request``."""
    from anthropic._models import FinalRequestOptions

    return (object, FinalRequestOptions.construct(method=method, url=path, json_data=body))


def _invocation(client: Any, path: str = "/v1/messages", **body: Any) -> Invocation | None:
    body = {"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [], **body}
    return Messages(Endpoints()).invocation(client, _request(path, body), {"stream": False})


def test_each_client_names_its_provider_and_default_server() -> None:
    direct = _invocation(anthropic.Anthropic(api_key="k"))
    assert direct is not None
    assert (direct.provider, direct.server_address, direct.server_port) == ("anthropic", "api.anthropic.com", 443)
    pytest.importorskip("boto3")
    bedrock = _invocation(anthropic.AnthropicBedrock(aws_access_key="a", aws_secret_key="b", aws_region="eu-west-1"))
    assert bedrock is not None
    assert (bedrock.provider, bedrock.server_address) == ("aws.bedrock", "bedrock-runtime.eu-west-1.amazonaws.com")
    vertex = _invocation(anthropic.AnthropicVertex(region="us-east5", project_id="p", access_token="t"))
    assert vertex is not None
    assert (vertex.provider, vertex.server_address) == ("gcp.vertex_ai", "us-east5-aiplatform.googleapis.com")


def test_provider_override_wins() -> None:
    inv = Messages(Endpoints("my.gateway")).invocation(
        anthropic.Anthropic(api_key="k"), _request("/v1/messages", {"model": "m"}), {}
    )
    assert inv is not None and inv.provider == "my.gateway"


@pytest.mark.parametrize("path", ["/v1/messages/count_tokens", "/v1/messages/batches", "/v1/files", "/v1/complete"])
def test_other_posts_are_not_recorded(path: str) -> None:
    assert _invocation(anthropic.Anthropic(api_key="k"), path) is None


def test_other_methods_are_not_recorded() -> None:
    inv = Messages(Endpoints()).invocation(anthropic.Anthropic(api_key="k"), _request("/v1/messages", {}, "get"), {})
    assert inv is None


def test_the_request_layer_reads_the_body_and_its_extra_fields() -> None:
    from anthropic._models import FinalRequestOptions

    body = {"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [], "stream": True}
    options = FinalRequestOptions.construct(method="post", url="/v1/messages", json_data=body, extra_json={"top_k": 5})
    assert Messages().request_arguments((object, options), {"stream": True}) == {**body, "top_k": 5}


def test_beta_path_and_stream_flag() -> None:
    inv = _invocation(anthropic.Anthropic(api_key="k"), "/v1/messages?beta=true", stream=True)
    assert inv is not None and inv.stream is True


def _message(**usage: Any) -> Any:
    return types.Message.model_construct(
        id="msg_1",
        type="message",
        role="assistant",
        model="claude-sonnet-4-5-20250929",
        content=[types.TextBlock(type="text", text="Hi.")],
        stop_reason="max_tokens",
        stop_sequence=None,
        usage=types.Usage.model_construct(**usage),
    )


_PLAIN = {"input_tokens": 9, "output_tokens": 2}


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (_PLAIN, (9, 2, None, None)),
        ({**_PLAIN, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}, (9, 2, None, None)),
        ({**_PLAIN, "cache_read_input_tokens": 100, "cache_creation_input_tokens": None}, (109, 2, 100, None)),
        ({**_PLAIN, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 2048}, (2057, 2, None, 2048)),
    ],
)
def test_usage_counts_cached_tokens_as_input(usage: dict[str, Any], expected: tuple[Any, ...]) -> None:
    inv = Invocation("chat", "anthropic")
    Messages().fold_response(inv, _message(**usage), messages=True)
    got = (inv.input_tokens, inv.output_tokens, inv.cache_read_input_tokens, inv.cache_write_input_tokens)
    assert got == expected
    assert inv.finish_reasons == ["max_tokens"]
    assert inv.output_messages is not None and inv.output_messages[0].finish_reason == "length"


def _events() -> list[Any]:
    start = types.RawMessageStartEvent(
        type="message_start",
        message=_message(input_tokens=7, output_tokens=1, cache_read_input_tokens=50).model_copy(
            update={"content": [], "stop_reason": None}
        ),
    )
    return [
        start,
        types.RawContentBlockStartEvent(
            type="content_block_start",
            index=0,
            content_block=types.ToolUseBlock(type="tool_use", id="toolu_1", name="get_weather", input={}),
        ),
        types.RawContentBlockDeltaEvent(
            type="content_block_delta",
            index=0,
            delta=types.InputJSONDelta(type="input_json_delta", partial_json='{"location": '),
        ),
        types.RawContentBlockDeltaEvent(
            type="content_block_delta",
            index=0,
            delta=types.InputJSONDelta(type="input_json_delta", partial_json='"Paris"}'),
        ),
        types.RawContentBlockStopEvent(type="content_block_stop", index=0),
        types.RawMessageDeltaEvent.model_construct(
            type="message_delta",
            delta=types.raw_message_delta_event.Delta.model_construct(stop_reason="tool_use", stop_sequence=None),
            usage=types.MessageDeltaUsage.model_construct(output_tokens=12),
        ),
        types.RawMessageStopEvent(type="message_stop"),
    ]


def test_stream_events_fold_like_a_message() -> None:
    inv = Invocation("chat", "anthropic")
    folder = Messages().stream_folder(inv, messages=True)
    for event in _events():
        assert not folder.finished
        folder.fold(event)
    assert folder.finished
    folder.finish()
    assert (inv.response_id, inv.response_model) == ("msg_1", "claude-sonnet-4-5-20250929")
    # The delta's cumulative usage leaves input and cache fields it does not repeat as they were.
    assert (inv.input_tokens, inv.output_tokens, inv.cache_read_input_tokens) == (57, 12, 50)
    assert inv.finish_reasons == ["tool_use"]
    assert inv.output_messages is not None
    (message,) = inv.output_messages
    assert message.finish_reason == "tool_call"
    assert message.parts == [
        {"type": "tool_call", "id": "toolu_1", "name": "get_weather", "arguments": {"location": "Paris"}}
    ]


def test_a_stream_cut_before_its_stop_reason_ends_in_error() -> None:
    inv = Invocation("chat", "anthropic")
    folder = Messages().stream_folder(inv, messages=True)
    for event in _events()[:3]:
        folder.fold(event)
    folder.finish()
    assert not folder.finished
    assert inv.finish_reasons is None
    assert inv.output_messages is not None and inv.output_messages[0].finish_reason == "error"


def test_the_entry_point_names_the_instrumentor() -> None:
    from importlib.metadata import entry_points

    from otel_genai.instrumentation.anthropic import AnthropicInstrumentor

    ours = [e for e in entry_points(group="opentelemetry_instrumentor") if e.value.startswith("otel_genai.")]
    (entry,) = [e for e in ours if e.name == "anthropic"]
    assert entry.load() is AnthropicInstrumentor
