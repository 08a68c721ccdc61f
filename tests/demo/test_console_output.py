"""Reading back what the console exporters printed, beside the app's own lines."""

from __future__ import annotations

import json

from otel_genai.demo.console_output import split_console_output
from otel_genai.demo.failures import explain, raised_in

SPAN = {"name": "chat m", "context": {"trace_id": "0x1"}, "kind": "SpanKind.CLIENT", "start_time": "t"}
EVENT = {"body": None, "severity_number": 9, "event_name": "gen_ai.client.inference.operation.details"}
METRICS = {"resource_metrics": []}


def test_documents_are_sorted_by_signal_and_kept_as_printed() -> None:
    printed = [json.dumps(d, indent=4) for d in (EVENT, METRICS, SPAN)]
    text = "a poem line\n{\nnot json, the app's own brace\n" + "\n".join(printed) + "\n"
    output = split_console_output(text)
    assert output.app_text == "a poem line\n{\nnot json, the app's own brace\n"
    assert [d.text for d in output.spans] == [printed[2]]
    assert [d.text for d in output.events] == [printed[0]]
    assert [d.data for d in output.metrics] == [METRICS]


def test_a_json_object_that_is_no_telemetry_stays_app_output() -> None:
    text = json.dumps({"answer": 42}, indent=4) + "\n"
    output = split_console_output(text)
    assert output.app_text == text
    assert not (output.spans or output.events or output.metrics)


def test_the_exception_on_a_tracebacks_last_line() -> None:
    stderr = 'Traceback (most recent call last):\n  File "x", line 1\nopenai.APIConnectionError: Connection error.\n'
    assert raised_in(stderr) == ("openai.APIConnectionError", "Connection error.")
    assert raised_in("some warning\n") == (None, "")


def test_unknown_failures_get_no_made_up_explanation() -> None:
    assert explain("ValueError", "boom", "http://h/v1") is None
    assert explain(None, "", "http://h/v1") is None
    assert "http://h/v1" in (explain("openai.APITimeoutError", "", "http://h/v1") or "")
