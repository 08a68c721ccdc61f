"""Environment parsing: accepted values, and one clear warning for a bad one."""

from __future__ import annotations

import logging

import pytest

from otel_genai.config import ContentCapture, ConventionMode, load_settings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ContentCapture.NO_CONTENT),
        ("", ContentCapture.NO_CONTENT),
        ("span_only", ContentCapture.SPAN_ONLY),
        (" Event_Only ", ContentCapture.EVENT_ONLY),
        ("SPAN_AND_EVENT", ContentCapture.SPAN_AND_EVENT),
        ("TRUE", ContentCapture.SPAN_AND_EVENT),
        ("false", ContentCapture.NO_CONTENT),
    ],
)
def test_capture_values(value, expected):
    env = {} if value is None else {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": value}
    settings = load_settings(env)
    assert settings.capture is expected
    # Events follow the capture mode unless told otherwise.
    assert settings.emit_events is expected.on_event


def test_invalid_capture_value_warns_once_and_falls_back(caplog):
    with caplog.at_level(logging.WARNING):
        settings = load_settings({"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "yes please"})
    assert settings.capture is ContentCapture.NO_CONTENT
    (record,) = caplog.records
    message = record.getMessage()
    assert "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT" in message
    for accepted in ("NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY", "SPAN_AND_EVENT", "true", "false"):
        assert accepted in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ConventionMode.LATEST),
        ("http", ConventionMode.LATEST),
        ("gen_ai_latest_experimental", ConventionMode.LATEST),
        ("database, gen_ai_legacy", ConventionMode.LEGACY),
        ("gen_ai/dup", ConventionMode.DUPLICATE),
        ("gen_ai/dup,gen_ai_legacy", ConventionMode.DUPLICATE),
        ("gen_ai_legacy,gen_ai/dup", ConventionMode.DUPLICATE),
    ],
)
def test_convention_values(value, expected, caplog):
    env = {} if value is None else {"OTEL_SEMCONV_STABILITY_OPT_IN": value}
    assert load_settings(env).conventions is expected
    assert caplog.records == []


def test_invalid_emit_event_value_warns(caplog):
    settings = load_settings({"OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "maybe"})
    assert settings.emit_events is False
    assert "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT" in caplog.records[0].getMessage()


def test_max_content_length(caplog):
    assert load_settings({"OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": "100"}).max_content_length == 100
    default = load_settings({}).max_content_length
    assert load_settings({"OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": "-3"}).max_content_length == default
    assert "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH" in caplog.records[0].getMessage()
