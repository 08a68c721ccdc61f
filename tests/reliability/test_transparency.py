"""Transparency matrix: with instrumentation, every method behaves exactly as without it.

Each case runs the same scripted server behaviour twice (without, then with
instrumentation, all content capture and events on) and compares what the
application saw: the type of every returned object, every field of it (per-call random
ids and timestamps blanked), every chunk in order, the exception (type and message),
the number of HTTP requests (retries included) and timeouts.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from case_runner import case_result, matrix_params
from method_table import Method, skip_reason
from server_scenarios import Scenario

PROBE = openai.OpenAI(api_key="sk-probe", base_url="http://127.0.0.1:9/v1")


def _expected_baseline(scenario: Scenario, raised: type[BaseException] | None) -> None:
    """The scenario did to the uninstrumented call what it says: the harness tests what it claims."""
    if scenario.name == "timeout":
        assert raised is openai.APITimeoutError
    elif scenario.name in ("ok", "slow-ok", "retried-then-ok"):
        assert raised is None
    elif scenario.name.startswith(("error", "retries-exhausted")):
        assert raised is not None and issubclass(raised, openai.APIStatusError)


@pytest.mark.parametrize(("method", "mode", "scenario"), matrix_params())
def test_same_outcome_with_and_without_instrumentation(
    mock_server: Any, method: Method, mode: str, scenario: Scenario
) -> None:
    reason = skip_reason(method, PROBE)
    if reason:
        pytest.skip(reason)
    result = case_result(mock_server, method, mode, scenario)
    baseline, instrumented = result.baseline, result.instrumented
    _expected_baseline(scenario, baseline.raised)
    assert baseline.requests == scenario.requests

    # Same types, values, chunks (in order) and exception, event by event.
    assert list(instrumented.events) == list(baseline.events)
    assert instrumented.requests == baseline.requests
    assert [e[1] for e in instrumented.events if len(e) > 1 and isinstance(e[1], type)] == [
        e[1] for e in baseline.events if len(e) > 1 and isinstance(e[1], type)
    ]
