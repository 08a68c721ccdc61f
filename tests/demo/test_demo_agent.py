"""`otel-genai demo --agent` as a user runs it: the OpenAI Agents SDK app, offline, and its span tree.

The app runs under ``opentelemetry-instrument``, so both our OpenAI instrumentation and the
agents instrumentation are active: each model call must appear once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from otel_genai.cli import main
from otel_genai.demo.console_output import ConsoleOutput, Document
from otel_genai.demo.providers import OPENAI_AGENT
from otel_genai.demo.runner import AppRun

OTEL_GENAI = str(Path(sys.executable).parent / "otel-genai")
SECTION = re.compile(r"^── (?P<title>.+?) ─+$", re.MULTILINE)


def _agent_demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_"))}
    return subprocess.run([OTEL_GENAI, "demo", "--agent", *args], env=env, capture_output=True, text=True, timeout=180)


def _printed(stdout: str, title: str) -> list[dict[str, Any]]:
    """The JSON documents printed under sections with this title."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(stdout, m.end() + 1)[0] for m in SECTION.finditer(stdout) if m["title"] == title]


class SpanTree:
    """The printed spans, by id, with their children in the order they started."""

    def __init__(self, spans: list[dict[str, Any]]) -> None:
        self.spans = spans

    def children(self, parent: dict[str, Any]) -> list[dict[str, Any]]:
        found = [s for s in self.spans if s["parent_id"] == parent["context"]["span_id"]]
        return sorted(found, key=lambda s: s["start_time"])

    def roots(self) -> list[dict[str, Any]]:
        return [s for s in self.spans if s["parent_id"] is None]


def _tool_calls(chat: dict[str, Any]) -> dict[str, str]:
    """Tool name -> call id, of the tool calls in a model call's output (captured content)."""
    messages = json.loads(chat["attributes"]["gen_ai.output.messages"])
    return {part["name"]: part["id"] for m in messages for part in m["parts"] if part["type"] == "tool_call"}


def _metric_points(metrics_documents: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [
        point
        for document in metrics_documents
        for resource in document["resource_metrics"]
        for scope in resource["scope_metrics"]
        for metric in scope["metrics"]
        if metric["name"] == name
        for point in metric["data"]["data_points"]
    ]


@pytest.mark.slow
def test_agent_demo_prints_one_trace_with_both_agents_their_tools_and_the_handoff_and_draws_it() -> None:
    agent_demo = _agent_demo()  # one run, seconds long, for the telemetry and the summary
    assert agent_demo.returncode == 0, agent_demo.stderr
    assert "using the local endpoint http://127.0.0.1:" in agent_demo.stderr
    tree = SpanTree(_printed(agent_demo.stdout, "span"))
    assert len({s["context"]["trace_id"] for s in tree.spans}) == 1

    (root,) = tree.roots()
    assert root["name"] == "invoke_agent Concierge" and root["kind"] == "SpanKind.INTERNAL"
    assert root["attributes"]["gen_ai.agent.name"] == "Concierge"
    children = tree.children(root)
    names = [s["name"] for s in children]
    assert names[0] == names[3] == "chat gpt-4o-mini"
    assert sorted(names[1:3]) == ["execute_tool get_local_time", "execute_tool get_weather"]
    assert names[4:] == ["invoke_agent Poet"]
    asks_tools, asks_handoff, tools, poet = children[0], children[3], children[1:3], children[4]

    # Each tool ran under the call id the model gave it, between the call that asked and the next.
    requested = _tool_calls(asks_tools)
    assert sorted(requested) == ["get_local_time", "get_weather"]
    for tool in tools:
        attributes = tool["attributes"]
        assert attributes["gen_ai.tool.call.id"] == requested[attributes["gen_ai.tool.name"]]
        assert attributes["gen_ai.tool.type"] == "function" and attributes["gen_ai.agent.name"] == "Concierge"
        assert json.loads(attributes["gen_ai.tool.call.arguments"]) == {"city": "Paris"}
        assert "Paris" in json.loads(attributes["gen_ai.tool.call.result"])
        assert asks_tools["end_time"] <= tool["start_time"] and tool["end_time"] <= asks_handoff["start_time"]

    # The hand-off: the model asked for transfer_to_poet, and the Poet's run is a child of the Concierge's.
    assert list(_tool_calls(asks_handoff)) == ["transfer_to_poet"]
    assert poet["attributes"]["gen_ai.agent.name"] == "Poet"
    assert asks_handoff["end_time"] <= poet["start_time"] and poet["end_time"] <= root["end_time"]
    (answer,) = tree.children(poet)
    assert answer["name"] == "chat gpt-4o-mini" and answer["attributes"]["gen_ai.response.finish_reasons"] == ["stop"]
    (message,) = json.loads(answer["attributes"]["gen_ai.output.messages"])
    assert message["parts"][0]["content"].strip() == agent_demo.stdout.split("\n── ", 1)[0].strip()  # the poem

    # Model calls appear once: three chat spans, each from the client instrumentation, three of each metric.
    chats = [s for s in tree.spans if s["name"].startswith("chat")]
    assert len(chats) == 3 and len(tree.spans) == 7
    assert {c["attributes"]["server.address"] for c in chats} == {"127.0.0.1"}
    metrics = _printed(agent_demo.stdout, "metrics")
    assert sum(p["count"] for p in _metric_points(metrics, "gen_ai.client.operation.duration")) == 3
    assert sum(p["count"] for p in _metric_points(metrics, "gen_ai.client.token.usage")) == 6  # input and output
    assert sum(p["count"] for p in _metric_points(metrics, "gen_ai.execute_tool.duration")) == 2
    assert sum(p["count"] for p in _metric_points(metrics, "gen_ai.invoke_agent.duration")) == 2
    _assert_summary_draws_the_tree(agent_demo.stdout, tree.spans)


def _assert_summary_draws_the_tree(stdout: str, spans: list[dict[str, Any]]) -> None:
    summary = stdout.split("\nSummary\n", 1)[1].splitlines()
    assert summary[0] == "  spans:    7, in one trace"
    tree = [re.sub(r"\s+\d+(\.\d+)? m?s\b.*$", "", line) for line in summary[1:8]]
    assert tree[0] == "    invoke_agent Concierge"
    assert tree[1] == "    ├─ chat gpt-4o-mini"
    assert sorted(tree[2:4]) == ["    ├─ execute_tool get_local_time", "    ├─ execute_tool get_weather"]
    assert tree[4:] == ["    ├─ chat gpt-4o-mini", "    └─ invoke_agent Poet", "       └─ chat gpt-4o-mini"]
    for span in spans:
        call_id = span["attributes"].get("gen_ai.tool.call.id")
        if call_id:
            assert any(line.endswith(f"call id {call_id}") and span["name"] in line for line in summary[1:8])
    chats = [s["attributes"] for s in spans if s["name"].startswith("chat")]
    tokens_in = sum(c["gen_ai.usage.input_tokens"] for c in chats)
    tokens_out = sum(c["gen_ai.usage.output_tokens"] for c in chats)
    assert summary[8] == f"  tokens:   {tokens_in} input, {tokens_out} output, over 3 model calls"
    assert summary[-1].startswith("  next:     otel-genai demo --agent --ui")


@pytest.mark.slow
def test_agent_demo_with_the_viewer_prints_a_url_that_shows_the_run(viewer_endpoints) -> None:
    result = _agent_demo("--ui", "--page-url", viewer_endpoints.page, "--otlp-endpoint", viewer_endpoints.otlp_http)
    assert result.returncode == 0, result.stderr
    url = re.search(r"^Trace: (\S+)$", result.stdout, re.MULTILINE)
    assert url, result.stdout
    assert url[1].startswith(f"{viewer_endpoints.page}/trace/")
    with urllib.request.urlopen(url[1], timeout=10) as page:
        assert page.status == 200 and "text/html" in page.headers["content-type"]
    trace_id = url[1].rsplit("/", 1)[1]
    with urllib.request.urlopen(f"{viewer_endpoints.page}/api/traces/{trace_id}", timeout=10) as reply:
        detail = json.load(reply)
    assert detail["trace"]["root_name"] == "invoke_agent Concierge"
    assert detail["trace"]["span_count"] == 7 and detail["trace"]["error"] is False
    totals = detail["totals"]
    assert (totals["agents"], totals["model_calls"], totals["tool_calls"], totals["errors"]) == (2, 3, 2, 0)
    # The model's tool calls link to the spans that ran them.
    linked = {call["name"]: call for call in detail["tool_calls"] if call["executed_by"]}
    assert sorted(linked) == ["get_local_time", "get_weather"]
    spans = {span["span_id"]: span for span in detail["spans"]}
    for name, call in linked.items():
        assert spans[call["executed_by"]]["name"] == f"execute_tool {name}"
        assert spans[call["requested_by"]]["name"] == "chat gpt-4o-mini"


def test_agent_demo_takes_no_other_provider() -> None:
    result = CliRunner().invoke(main, ["demo", "--agent", "--provider", "anthropic"])
    assert result.exit_code == 2
    assert "--agent runs an OpenAI Agents SDK app: it takes no --provider anthropic" in result.output


def test_a_failed_agent_run_is_explained_by_its_failed_model_call() -> None:
    # As printed by a run whose first model call got 401: the chat span ends first, then the agent's.
    output = ConsoleOutput(
        spans=[
            Document("", {"attributes": {"error.type": "openai.AuthenticationError"}}),
            Document("", {"attributes": {"error.type": "Error in agent run"}}),
        ]
    )
    run = AppRun(1, "", "Traceback (most recent call last):\n  ...\n", "http://127.0.0.1:9/v1", OPENAI_AGENT)
    assert run.failure(output) == (
        "the server at http://127.0.0.1:9/v1 refused OPENAI_API_KEY (401): set a valid key, "
        "or unset OPENAI_API_KEY to run offline against the local endpoint."
    )
