"""The agent view's JSON, on both engines: span kinds, tool-call links, run totals, the
root agent in the trace list and the agent filter. Telemetry comes from our own agent API
and OpenAI instrumentation driving the local endpoint."""

from __future__ import annotations

from typing import Any

import openai
import requests
from agent_runs import instrumented, run_weather_agent
from opentelemetry import trace
from viewer_telemetry import emit_failed_call, wait_for

from local_http import openai_http
from otel_genai import agent, conversation


def _detail(viewer: Any, trace_id: str) -> dict[str, Any]:
    def complete() -> dict[str, Any] | None:
        response = requests.get(f"{viewer.endpoints.page}/api/traces/{trace_id}", timeout=10)
        body = response.json() if response.status_code == 200 else None
        return body if body and len(body["spans"]) == 5 else None

    return wait_for(complete)


def _client(mock_server: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0, http_client=openai_http())


def test_spans_are_told_apart_and_nested_under_the_agent(viewer, pipeline_factory, mock_server, monkeypatch) -> None:
    run = run_weather_agent(pipeline_factory(viewer.endpoints), _client(mock_server), monkeypatch)
    detail = _detail(viewer, run.trace_id)
    kinds = [(s["name"], s["agent_kind"]) for s in detail["spans"]]
    assert kinds == [
        ("invoke_agent weather-bot", "agent"),
        ("chat gpt-4o-mini", "model"),
        ("execute_tool get_weather", "tool"),
        ("execute_tool get_forecast", "tool"),
        ("chat gpt-4o-mini", "model"),
    ]
    assert all(s["parent_span_id"] == run.agent_span_id for s in detail["spans"][1:])


def test_a_tool_call_links_the_model_call_that_asked_and_the_tool_span_that_ran_it(
    viewer, pipeline_factory, mock_server, monkeypatch
) -> None:
    run = run_weather_agent(pipeline_factory(viewer.endpoints), _client(mock_server), monkeypatch)
    detail = _detail(viewer, run.trace_id)
    asking = detail["spans"][1]
    output = asking["genai"]["conversation"]["output_messages"]
    asked = [p for m in output for p in m["parts"] if p["type"] == "tool_call"]
    assert [p["id"] for p in asked] == [run.call_id]
    links = {c["call_id"]: c for c in detail["tool_calls"]}
    assert links[run.call_id] == {
        "call_id": run.call_id, "name": "get_weather",
        "requested_by": asking["span_id"], "executed_by": run.tool_span_id,
    }  # fmt: skip
    # A tool run whose call no model output shows is linked to nothing.
    assert links["call_unasked"]["requested_by"] is None
    assert links["call_unasked"]["executed_by"] == detail["spans"][3]["span_id"]


def test_the_trace_totals_the_whole_run(viewer, pipeline_factory, mock_server, monkeypatch) -> None:
    run = run_weather_agent(pipeline_factory(viewer.endpoints), _client(mock_server), monkeypatch)
    detail = _detail(viewer, run.trace_id)
    calls = [s["genai"] for s in detail["spans"] if s["name"].startswith("chat ")]
    totals = detail["totals"]
    assert totals["agents"] == 1
    assert totals["model_calls"] == 2
    assert totals["tool_calls"] == 2
    assert totals["errors"] == 1  # the forecast tool raised
    assert totals["input_tokens"] == sum(c["tokens"]["input"] for c in calls) > 0
    assert totals["output_tokens"] == sum(c["tokens"]["output"] for c in calls) > 0
    assert totals["cost_usd"] == sum(c["cost_usd"] for c in calls) > 0


def _listed(viewer: Any, query: str = "") -> list[dict[str, Any]]:
    response = requests.get(f"{viewer.endpoints.page}/api/traces{query}", timeout=10)
    response.raise_for_status()
    return response.json()["traces"]


def test_trace_list_names_the_root_agent_and_filters_by_any_agent(
    viewer, pipeline_factory, mock_server, monkeypatch
) -> None:
    pipeline = pipeline_factory(viewer.endpoints)
    weather = run_weather_agent(pipeline, _client(mock_server), monkeypatch)
    with instrumented(pipeline, monkeypatch), agent("triage"):
        handoff = format(trace.get_current_span().get_span_context().trace_id, "032x")
        with agent("billing"):
            pass
    plain = emit_failed_call(pipeline)
    pipeline.flush()
    listed = wait_for(lambda: (found := _listed(viewer)) and len(found) == 3 and found)
    roots = {t["trace_id"]: t["root_agent"] for t in listed}
    assert roots == {weather.trace_id: "weather-bot", handoff: "triage", plain: None}

    assert [t["trace_id"] for t in _listed(viewer, "?agent=weather-bot")] == [weather.trace_id]
    # A hand-off's agent finds the trace it ran in; the list still names the root agent.
    (found,) = _listed(viewer, "?agent=billing")
    assert (found["trace_id"], found["root_agent"]) == (handoff, "triage")
    assert _listed(viewer, "?agent=nobody") == []
    assert _listed(viewer, "?agent=triage&error=1") == []


def test_a_session_shows_the_transcript_of_its_turns_in_order(
    viewer, pipeline_factory, mock_server, monkeypatch
) -> None:
    pipeline = pipeline_factory(viewer.endpoints)
    client = _client(mock_server)
    history: list[Any] = []
    answers = []
    with instrumented(pipeline, monkeypatch), conversation("chat-42"):
        for question in ("Weather in Oslo?", "And in Bergen?"):
            with agent("assistant"):
                history.append({"role": "user", "content": question})
                reply = client.chat.completions.create(model="gpt-4o-mini", messages=history).choices[0].message
                history.append({"role": "assistant", "content": reply.content})
                answers.append(reply.content)
    pipeline.flush()

    def session() -> dict[str, Any] | None:
        body = requests.get(f"{viewer.endpoints.page}/api/sessions/chat-42", timeout=10).json()
        return body if len(body["transcript"]) == 2 else None

    turns = wait_for(session)["transcript"]
    assert [[p["content"] for m in t["asked"] for p in m["parts"]] for t in turns] == [
        ["Weather in Oslo?"], ["And in Bergen?"],
    ]  # fmt: skip
    assert [[p["content"] for m in t["answered"] for p in m["parts"]] for t in turns] == [[a] for a in answers]
    assert all(a for a in answers)
