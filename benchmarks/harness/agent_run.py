"""The agents benchmark: what an Agents SDK instrumentation adds to an agent run, side by side.

    .venv/bin/python -m benchmarks.harness.agent_run                  # timed rounds + instructions (~30 min)
    .venv/bin/python -m benchmarks.harness.agent_run --quick          # a smoke run (~5 min)
    .venv/bin/python -m benchmarks.harness.agent_run --no-instructions
    .venv/bin/python -m benchmarks.harness.agent_run --rerender       # the report again, from results/agents.json

The run: one agent, two function tools, two model calls (``agent_scenarios``), with the
Responses model and the Chat Completions model, content capture off and on; every
implementation in its own worker (peers in their own environments under
``benchmarks/.venvs/``, with the same ``openai-agents``, ``openai`` and OpenTelemetry SDK as
ours), measured in interleaved rounds of paired batches like the OpenAI benchmark
(:mod:`benchmarks.harness.run`), then counted under callgrind like
:mod:`benchmarks.harness.instructions`. The hand-written API (``agent`` / ``tool``) is measured
the same way against plain function calls. Writes ``results/agents.md``, ``results/agents.json``
and the README's agents section.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.harness import agent_scenarios, instructions, report, venvs
from benchmarks.harness.agent_impls import AGENT_IMPLEMENTATIONS, AGENTS_BY_KEY, SHORT, AgentImplementation
from benchmarks.harness.agent_worker import ANSWERS_ENV, HANDWRITTEN
from benchmarks.harness.measurements import Cell, Run, cell_stats
from benchmarks.harness.run import machine_facts, measure, say, start_workers

RESULT = report.RESULTS / "agents.md"
RESULT_JSON = report.RESULTS / "agents.json"
WORKER = "benchmarks.harness.agent_worker"
RUN_COMBOS = [("responses", "off"), ("responses", "on"), ("chat_completions", "off"), ("chat_completions", "on")]
API_COMBOS = [("api", "nosdk"), ("api", "off"), ("api", "on")]
#: Calls of the hand-written API per batch (a call is an agent with two tools).
API_CALLS = 1000
#: Callgrind cells: (scenario, mode, runs per region).
COUNTED_RUNS = [("responses", "off", 3), ("responses", "on", 3), ("chat_completions", "off", 3)]
COUNTED_API = [("api", "nosdk", 200), ("api", "off", 200), ("api", "on", 200)]
LABELS = {
    "responses/off": "agent run, Responses model, content off",
    "responses/on": "agent run, Responses model, content on",
    "chat_completions/off": "agent run, Chat Completions model, content off",
    "chat_completions/on": "agent run, Chat Completions model, content on",
    "api/nosdk": "`agent()` + 2 × `tool()`, no SDK configured",
    "api/off": "`agent()` + 2 × `tool()`, SDK pipeline, content off",
    "api/on": "`agent()` + 2 × `tool()`, SDK pipeline, content on",
}


class _Handwritten:
    """The hand-written API's worker, in the project's environment."""

    key = HANDWRITTEN


def _versions_of(python: str) -> dict[str, str]:
    import subprocess

    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps({n: m.version(n) for n in ('openai-agents', 'openai', 'opentelemetry-sdk')}))"
    )
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)


def environments(impls: list[AgentImplementation], refresh: bool) -> dict[str, venvs.Environment]:
    """Ours run in the project's environment; each peer in its own, with our versions pinned."""
    ours = venvs.ours_python()
    pinned = _versions_of(ours)
    pins = [f"{name}=={version}" for name, version in pinned.items()]
    result = {i.key: venvs.Environment(ours) for i in impls if not i.requirements}
    peers = [i for i in impls if i.requirements]

    def one(impl: AgentImplementation) -> venvs.Environment:
        try:
            return venvs._ensure(impl, [*pins, *impl.requirements[1:]], refresh, say)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            return venvs.Environment(None, error=f"{type(exc).__name__}: {exc}"[:200])

    with ThreadPoolExecutor(max_workers=4) as pool:
        for impl, env in zip(peers, pool.map(one, peers), strict=True):
            result[impl.key] = env
    return result


def count_instructions(envs: dict[str, venvs.Environment], keys: list[str]) -> dict[str, dict[str, Any]]:
    """Callgrind counts per implementation and cell (two valgrind processes at a time)."""
    jobs = [(k, s, m, n) for k in keys if k != HANDWRITTEN for s, m, n in COUNTED_RUNS]
    jobs += [(HANDWRITTEN, s, m, n) for s, m, n in COUNTED_API] if HANDWRITTEN in keys else []
    results: dict[str, dict[str, Any]] = {}

    def one(job: tuple[str, str, str, int]) -> None:
        key, scenario, mode, calls = job
        python = envs[key].python
        cell = f"{scenario}/{mode}"
        if python is None:
            results.setdefault(key, {})[cell] = {"error": "no environment"}
            return
        result = instructions._count(python, key, scenario, mode, calls, module=WORKER)
        results.setdefault(key, {})[cell] = result
        shown = f"{result['added']:+,.0f} instructions a run" if "added" in result else result["error"]
        say(f"{key} {cell}: {shown}")

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, jobs))
    return results


# --- the report ----------------------------------------------------------------------------------


def _us(value: float | None, sign: str = "+") -> str:
    if value is None:
        return "—"
    shown = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"
    return f"{sign}{shown}" if value >= 0 else shown


def _base_cpu_us(cell: Cell) -> float | None:
    return statistics.median(cell.base_cpu) * 1e6 if cell.error is None and cell.base_cpu else None


def _timed_table(run: Run, keys: list[str], combos: list[str], field: str) -> list[str]:
    """``field``: ``added_us`` (wall) or ``added_cpu_us``; the uninstrumented column is the same clock."""
    cpu = field == "added_cpu_us"
    lines = [f"| | uninstrumented ({'CPU' if cpu else 'wall'}) | " + " | ".join(SHORT.get(k, k) for k in keys) + " |"]
    lines.append("|---|---:|" + "---:|" * len(keys))
    for combo in combos:
        found = [run.cells[k][combo] for k in keys if combo in run.cells.get(k, {})]
        stats = {k: cell_stats(run.cells[k][combo]) if combo in run.cells.get(k, {}) else None for k in keys}
        if cpu:
            base = next((b for b in map(_base_cpu_us, found) if b is not None), None)
        else:
            base = next((s["base_us"] for s in stats.values() if s), None)
        cells = [_us(s[field]) if s else "—" for s in stats.values()]
        lines.append(f"| {LABELS[combo]} | {_us(base, sign='')} | " + " | ".join(cells) + " |")
    return lines


def _counted_table(counts: dict[str, dict[str, Any]], keys: list[str], cells: list[str]) -> list[str]:
    lines = ["| | uninstrumented | " + " | ".join(SHORT.get(k, k) for k in keys) + " |"]
    lines.append("|---|---:|" + "---:|" * len(keys))
    for cell in cells:
        found = [counts.get(k, {}).get(cell, {}) for k in keys]
        base = next((c["base"] for c in found if "base" in c), None)
        shown = [f"+{c['added']:,.0f}" if "added" in c else "—" for c in found]
        lines.append(f"| {LABELS[cell]} | {f'{base:,.0f}' if base else '—'} | " + " | ".join(shown) + " |")
    return lines


def _span_summary(check: dict[str, Any]) -> str:
    names: dict[str, int] = {}
    for span in check["spans"]:
        names[span["name"]] = names.get(span["name"], 0) + 1
    return ", ".join(f"`{n}`" + (f" ×{c}" if c > 1 else "") for n, c in names.items())


def _tree(check: dict[str, Any]) -> str:
    """The spans as an indented tree, children in start order."""
    children: dict[int | None, list[dict[str, Any]]] = {}
    for span in check["spans"]:
        children.setdefault(span["parent"], []).append(span)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for span in children.get(parent, []):
            lines.append(f"{'  ' * depth}{span['name']} ({span['kind']})")
            walk(span["id"], depth + 1)

    walk(None, 0)
    return "\n".join(lines)


def _recorded(run: Run, keys: list[str]) -> list[str]:
    lines = [
        "| | spans (one run, Responses model, content off) | metric records | events | model calls |",
        "|---|---|---|---:|---|",
    ]
    for key in keys:
        check = run.cells.get(key, {}).get("responses/off")
        check = check.check if check is not None else None
        if not check:
            continue
        metrics = ", ".join(f"`{n}` {c}" for n, c in sorted(check["metrics"].items())) or "none"
        impl = AGENTS_BY_KEY[key]
        events_on = run.cells[key].get("responses/on")
        logs_on = events_on.check["logs"] if events_on is not None and events_on.check else 0
        lines.append(
            f"| {SHORT[key]} | {len(check['spans'])}: {_span_summary(check)} | {metrics} | "
            f"{check['logs']} (content on: {logs_on}) | {impl.model_calls} |"
        )
    return lines


def render(run: Run, counts: dict[str, dict[str, Any]], command: str) -> str:
    keys = [k for k in run.implementations if k != HANDWRITTEN]
    facts = run.machine
    versions = run.environments.get("ours", {}).get("versions", {})
    lines = [
        f"Measured {run.started} on {facts.get('cpu')} ({facts.get('cores')} cores), Python {facts.get('python')}, "
        + ", ".join(f"{k} {v}" for k, v in versions.items() if k != "otel-genai")
        + f"; otel-genai at commit {run.source}; load average {facts['load_start'][0]:.2f} → "
        f"{facts.get('load_end', (0,))[0]:.2f} (the machine is shared). `{command}`, {run.rounds_done} interleaved "
        f"rounds, batches of {run.calls.get('responses', '?')} runs (Responses model) and "
        f"{run.calls.get('chat_completions', '?')} (Chat Completions model), in {run.seconds / 60:.1f} min.",
        "",
    ]
    for key in [*keys, HANDWRITTEN]:
        env = run.environments.get(key, {})
        if "error" in env:
            lines.append(f"- **{SHORT.get(key, key)}**: not measured: {env['error']}")
        else:
            shown = {k: v for k, v in env.get("versions", {}).items() if k not in versions or k == "otel-genai"}
            label = AGENTS_BY_KEY[key].label if key in AGENTS_BY_KEY else "otel_genai.agent / tool"
            short = "ours, hand-written API" if key == HANDWRITTEN else SHORT.get(key, key)
            lines.append(f"- **{short}**: {label}; " + ", ".join(f"{k} {v}" for k, v in shown.items()))
    run_cells = [f"{s}/{m}" for s, m in RUN_COMBOS]
    lines += [
        "",
        "**Instructions added per agent run** (callgrind; the figures to read on this shared machine):",
        "",
        *_counted_table(counts, keys, [f"{s}/{m}" for s, m, _ in COUNTED_RUNS]),
        "",
        "**Time added per agent run**, µs (median over rounds of instrumented minus uninstrumented; wall):",
        "",
        *_timed_table(run, keys, run_cells, "added_us"),
        "",
        "The same, CPU time (`process_time`, the batch processors' threads included):",
        "",
        *_timed_table(run, keys, run_cells, "added_cpu_us"),
        "",
        "**What one run recorded:**",
        "",
        *_recorded(run, keys),
        "",
    ]
    for key in keys:
        check = run.cells.get(key, {}).get("responses/off")
        if check is not None and check.check:
            lines += [f"{SHORT[key]}:", "", "```", _tree(check.check), "```", ""]
    api_cells = [f"{s}/{m}" for s, m in API_COMBOS]
    lines += [
        "**The hand-written API** against the same two functions called bare (one call: an agent "
        "with two tools; instructions and µs added per call):",
        "",
        *_counted_table(counts, [HANDWRITTEN], [f"{s}/{m}" for s, m, _ in COUNTED_API]),
        "",
        *_timed_table(run, [HANDWRITTEN], api_cells, "added_us"),
        "",
        *_timed_table(run, [HANDWRITTEN], api_cells, "added_cpu_us"),
    ]
    return "\n".join(lines).replace(f"| {HANDWRITTEN} |", "| ours |") + "\n"


# --- the whole run -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 rounds, instructions of ours and one peer")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--target-ms", type=float, default=60.0, help="uninstrumented time of a batch of runs")
    parser.add_argument("--only", help="comma-separated implementations (ours, agents-genai, ..., handwritten)")
    parser.add_argument("--no-instructions", action="store_true")
    parser.add_argument("--refresh-venvs", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--rerender", action="store_true", help="only render results/agents.json again")
    args = parser.parse_args(argv)
    if args.rerender:
        rerender()
        return
    started = time.monotonic()
    keys = args.only.split(",") if args.only else [*AGENTS_BY_KEY, HANDWRITTEN]
    rounds = 5 if args.quick else args.rounds
    run = Run(
        started=f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        quick=args.quick,
        rounds_planned=rounds,
        implementations=keys,
        machine=machine_facts(),
        source=report.source_state(),
        bodies_source="the local endpoint's answers, replayed in-process",
    )
    say("recording the local endpoint's answers")
    answers = agent_scenarios.record_answers()
    impls = [i for i in AGENT_IMPLEMENTATIONS if i.key in keys]
    envs = environments(impls, args.refresh_venvs)
    envs[HANDWRITTEN] = venvs.Environment(venvs.ours_python())
    members: list[Any] = [*impls, *([_Handwritten()] if HANDWRITTEN in keys else [])]
    workers = start_workers(run, members, envs, answers, module=WORKER)
    try:
        run_workers = {k: w for k, w in workers.items() if k != HANDWRITTEN}
        if run_workers:
            reference = run_workers.get("ours") or next(iter(run_workers.values()))
            for scenario in ("responses", "chat_completions"):
                seconds = reference.ask(cmd="calibrate", scenario=scenario)["seconds"]
                run.calls[scenario] = max(1, round(args.target_ms / 1000 / seconds))
            say("runs per batch: " + ", ".join(f"{k} {v}" for k, v in run.calls.items()))
            measure(run, run_workers, RUN_COMBOS, budget_s=3600)
        if HANDWRITTEN in workers:
            run.calls["api"] = API_CALLS
            measure(run, {HANDWRITTEN: workers[HANDWRITTEN]}, API_COMBOS, budget_s=1200)
    finally:
        for worker in workers.values():
            worker.close()
    run.machine["load_end"] = os.getloadavg()
    counts: dict[str, dict[str, Any]] = {}
    if not args.no_instructions:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(answers, file)
        os.environ[ANSWERS_ENV] = file.name
        try:
            say("counting instructions under valgrind")
            counted = [k for k in workers if not args.quick or k in ("ours", "agents-genai", HANDWRITTEN)]
            counts = count_instructions(envs, counted)
        finally:
            Path(file.name).unlink()
    run.seconds = time.monotonic() - started
    if not args.no_write:  # the raw data first: a report that fails to render loses no measurement
        report.RESULTS.mkdir(parents=True, exist_ok=True)
        data = {"run": _jsonable(run), "instructions": counts}
        RESULT_JSON.write_text(json.dumps(data, indent=1), encoding="utf-8")
    command = ".venv/bin/python -m benchmarks.harness.agent_run" + (" --quick" if args.quick else "")
    text = render(run, counts, command)
    print(text)
    if args.no_write:
        return
    RESULT.write_text("# Agents: what each instrumentation adds to an agent run\n\n" + text, encoding="utf-8")
    if not args.quick:
        report.replace_section("agents", text)


def rerender() -> None:
    """The report of the last run again, from its raw data (after a change to the report only)."""
    data = json.loads(RESULT_JSON.read_text(encoding="utf-8"))
    fields = dict(data["run"])
    fields["cells"] = {impl: {c: Cell(**cell) for c, cell in cells.items()} for impl, cells in fields["cells"].items()}
    run = Run(**fields)
    command = ".venv/bin/python -m benchmarks.harness.agent_run" + (" --quick" if run.quick else "")
    text = render(run, data["instructions"], command)
    RESULT.write_text("# Agents: what each instrumentation adds to an agent run\n\n" + text, encoding="utf-8")
    if not run.quick:
        report.replace_section("agents", text)


def _jsonable(run: Run) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(run)


if __name__ == "__main__":
    sys.exit(main())
