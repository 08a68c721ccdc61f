"""The mock's building blocks on their own: tokens, reply shaping, schema samples, scenarios, faults."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otel_genai.mock_openai.faults.damage import damage_payload, malformed_json
from otel_genai.mock_openai.faults.scenarios import FailTimes, ScenarioError, parse_scenario
from otel_genai.mock_openai.generation.schema_samples import sample_arguments
from otel_genai.mock_openai.generation.tokens import count_tokens, shape_reply, split_tokens
from otel_genai.mock_openai.openai.dialect import OPENAI
from otel_genai.mock_openai.openai.usage import cached_tokens


@given(st.text())
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(split_tokens(text)) == text


@given(st.text())
def test_splitting_is_idempotent_on_joined_tokens(text: str) -> None:
    tokens = split_tokens(text)
    assert split_tokens("".join(tokens)) == tokens


def test_token_counts() -> None:
    assert split_tokens("This is a test.") == ["This ", "is ", "a ", "test", "."]
    assert count_tokens("Say this is a test") == 5
    assert count_tokens("") == 0
    assert split_tokens("  padded") == ["  padded"]


def test_shaping_pads_trims_stops_and_limits() -> None:
    assert shape_reply("one two", exact_tokens=4, filler=["x"]).tokens == ("one ", "two ", "x ", "x")
    assert shape_reply("one two three", exact_tokens=2).text == "one two"
    stopped = shape_reply("alpha beta. gamma", stop=["gamma", "."])
    assert (stopped.text, stopped.finish_reason) == ("alpha beta", "stop")
    limited = shape_reply("alpha beta gamma", max_tokens=2)
    assert (limited.text, limited.finish_reason) == ("alpha beta", "length")
    assert shape_reply("alpha beta", max_tokens=2).finish_reason == "stop"


@pytest.mark.parametrize(("prompt", "cached"), [(10, 0), (1024, 0), (1025, 1024), (1300, 1280), (5000, 4992)])
def test_cached_tokens(prompt: int, cached: int) -> None:
    assert cached_tokens(prompt) == cached


def test_sample_arguments_follow_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "destination_city": {"type": "string"},
            "when": {"type": "string", "format": "date"},
            "ratio": {"type": "number"},
            "nights": {"type": ["integer", "null"]},
            "mode": {"anyOf": [{"type": "null"}, {"type": "string", "enum": ["train", "plane"]}]},
            "traveller": {"$ref": "#/$defs/Person"},
            "ignored": {"type": "string"},
        },
        "required": ["destination_city", "when", "ratio", "nights", "mode", "traveller"],
        "$defs": {
            "Person": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "adult": {"type": "boolean"}},
                "required": ["name", "adult"],
            }
        },
    }
    assert sample_arguments(schema) == {
        "destination_city": "Paris",
        "when": "2025-01-01",
        "ratio": 1,
        "nights": 1,
        "mode": "train",
        "traveller": {"name": "sample", "adult": True},
    }
    assert sample_arguments(None) == {}


def test_self_referencing_schema_terminates() -> None:
    schema = {
        "type": "object",
        "properties": {"child": {"$ref": "#"}},
        "required": ["child"],
    }
    assert isinstance(sample_arguments(schema), dict)


def test_scenarios_combine() -> None:
    scenario = parse_scenario(" slow:50 , cut-stream:3,fail-times:2:503,missing-fields,wrong-types ")
    assert scenario.slow_ms == 50
    assert scenario.cut_after == 3
    assert scenario.fail_times == FailTimes(2, 503)
    assert scenario.body_faults == {"missing-fields", "wrong-types"}
    assert parse_scenario(None).body_faults == frozenset()
    assert parse_scenario("error-no-body:502").error_without_body is True
    assert parse_scenario("hang").hang is True
    assert parse_scenario("stall-stream:2").stall_after == 2


@pytest.mark.parametrize(
    "bad", ["nope", "slow", "error:abc", "error:302", "fail-times:1", "malformed-json:1", "hang:1", "stall-stream"]
)
def test_bad_scenarios_are_rejected(bad: str) -> None:
    with pytest.raises(ScenarioError):
        parse_scenario(bad)


def test_faults_damage_a_copy() -> None:
    payload = {
        "id": "x",
        "model": "m",
        "created": 1,
        "choices": [{"index": 0, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "details": {"cached_tokens": 0}},
    }
    missing = damage_payload(payload, {"missing-fields"}, OPENAI.payload_shape)
    assert missing == {"created": 1, "choices": [{"index": 0}]}
    retyped = damage_payload(payload, {"wrong-types"}, OPENAI.payload_shape)
    assert retyped["usage"] == {"prompt_tokens": "1", "details": {"cached_tokens": "0"}}
    assert retyped["choices"] == {"0": {"index": 0, "finish_reason": "stop"}}
    assert damage_payload(payload, {"empty-choices"}, OPENAI.payload_shape)["choices"] == []
    assert payload["choices"] == [{"index": 0, "finish_reason": "stop"}]
    nested = damage_payload(
        {"type": "response.completed", "response": {"id": "r", "output": [1]}}, {"empty-choices"}, OPENAI.payload_shape
    )
    assert nested["response"]["output"] == []
    with pytest.raises(ValueError):
        json.loads(malformed_json(json.dumps(payload)))
