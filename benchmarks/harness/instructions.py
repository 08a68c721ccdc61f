"""``--instructions``: what each implementation adds, counted in CPU instructions, not seconds.

Time on a shared 2-core machine drifts by tens of microseconds between rounds; an instruction
count moves by a few percent at most. Each cell runs in one process under
``valgrind --tool=callgrind``: a batch of calls uninstrumented, then the same batch
instrumented, each inside a C function that nothing else calls (``itertools.filterfalse`` and
``itertools.takewhile``), and callgrind collects only inside those two. The difference of the
two regions, per call, is what the implementation executes for a call, SDK included; per chunk,
the marginal chunk of the 200-chunk stream over the 20-chunk one. ``PYTHONHASHSEED`` is fixed; two runs of the same code
still differ by up to about 2% (the SDK's background threads, the allocator's state), against
the tens of percent by which timed medians move here.

Instructions are not time (a cache miss costs more than an instruction), so the timed tables
stay the measure of cost; this one says, with little noise, who does more work and where.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import filterfalse, takewhile
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks.harness import report, suites, venvs

REPO = Path(__file__).resolve().parents[2]
RESULT = report.RESULTS / "instructions.md"
RESULT_JSON = report.RESULTS / "instructions.json"
MARKERS = ("filterfalse_next", "takewhile_next")
class Cell(NamedTuple):
    """One count: a scenario, its mode, and the calls in each of its two regions."""

    scenario: str
    mode: str
    calls: int


@dataclass(frozen=True)
class CountPlan:
    """What ``--instructions`` counts for one suite."""

    cells: tuple[Cell, ...]
    implementations: tuple[str, ...]
    #: ``results/<results>.json`` and ``.md``, and the README section the table fills.
    results: str


PLANS = {
    "openai": CountPlan(
        cells=(
            Cell("chat", "off", 20),
            Cell("chat", "on", 20),
            Cell("chat", "unsampled", 20),
            Cell("stream_20", "off", 8),
            Cell("stream_200", "off", 2),
            Cell("embeddings", "off", 10),
        ),
        implementations=("ours", "floor", "genai-openai", "openai-v2"),
        results="instructions",
    ),
    "anthropic": CountPlan(
        cells=(
            Cell("create", "off", 20),
            Cell("create", "on", 20),
            Cell("create", "unsampled", 20),
            Cell("stream_20", "off", 8),
            Cell("stream_200", "off", 2),
            Cell("create", "bare", 20),  # the client's own tracing off: each implementation's own work
        ),
        implementations=("ours", "floor", "ours-client-spans", "genai-anthropic", "openllmetry-anthropic"),
        results="anthropic-instructions",
    ),
}
#: Ours with the time_per_output_chunk records replaced by a C builtin: our own per-chunk work.
NO_CHUNK_RECORDS = "ours-no-chunk-records"


# --- the worker: one cell, run under valgrind --------------------------------------------------


def worker(impl_key: str, scenario: str, mode: str, calls: int, suite_key: str = "openai") -> None:
    from benchmarks.harness import impls, pipeline

    suite = suites.BY_KEY[suite_key]
    base_key = "ours" if impl_key == NO_CHUNK_RECORDS else impl_key
    impl = suite.by_key[base_key]
    os.environ.update(impl.process_env)
    if suite.client_tracing:
        for name in suite.scenarios().CLIENT_TRACING_ENV:
            os.environ.pop(name, None)
    for name, value in impl.content_env(mode == "on").items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    built, _ = suite.bodies()
    pipe = pipeline.make(mode != "unsampled")
    batch = suite.build(scenario, built, pipe.tracer_provider, client_tracing=mode != "bare")
    instrumentation = impls.Instrumentation(impl)
    instrumentation.take_snapshot()
    batch(3)
    gc.collect()
    gc.freeze()
    # Each region runs inside a C iterator that only this line uses: callgrind's
    # --toggle-collect counts exactly these calls.
    deque(filterfalse(lambda _: batch(1), range(calls)), maxlen=0)
    instrumentation.on(pipe.providers(), mode == "on")
    if impl_key == NO_CHUNK_RECORDS:
        _stub_chunk_records()
    batch(3)
    deque(takewhile(lambda _: batch(1) is None, range(calls)), maxlen=0)


def _stub_chunk_records() -> None:
    class _CRecord:
        record = {}.get  # a C call that records nothing

    for obj in gc.get_objects():
        if type(obj).__name__ == "GenAITelemetry":
            obj.time_per_output_chunk = _CRecord()


# --- the parent ----------------------------------------------------------------------------


def _count(
    python: str,
    impl_key: str,
    scenario: str,
    mode: str,
    calls: int,
    module: str = "benchmarks.harness.instructions",
    suite: str = "openai",
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            "--collect-atstart=no",
            *(f"--toggle-collect={m}" for m in MARKERS),
            python,
            "-m",
            module,
            "worker",
            impl_key,
            scenario,
            mode,
            str(calls),
            *([] if suite == "openai" else [suite]),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, timeout=1800, check=False)
        if run.returncode != 0 or not out.exists():
            return {"error": (run.stderr.strip().splitlines() or ["valgrind failed"])[-1][:300]}
        regions = _inclusive(out)
    if any(m not in regions for m in MARKERS):
        return {"error": f"markers not found in the callgrind output: {sorted(regions)}"}
    base, inst = (regions[m] / calls for m in MARKERS)
    return {"base": base, "inst": inst, "added": inst - base, "calls": calls}


_ANNOTATED_LINE = re.compile(r"^\s*([\d,]+) .*:(\w+) \[")


def _inclusive(path: Path) -> dict[str, int]:
    """Inclusive instruction counts of the marker functions in a callgrind output file.

    Every function is listed (``--threshold=100``: by default a region under 1% of the total,
    such as a cheap uninstrumented batch, is left out), and a marker's lines are added up:
    callgrind lists the code inlined from a header file as a function of its own."""
    annotated = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, int] = {}
    for line in annotated.splitlines():
        match = _ANNOTATED_LINE.match(line)
        if match and match.group(2) in MARKERS:
            found[match.group(2)] = found.get(match.group(2), 0) + int(match.group(1).replace(",", ""))
    return found


def _jobs(implementations: tuple[str, ...], cells: tuple[Cell, ...]) -> list[tuple[str, str, str, int]]:
    jobs = [(impl, s, m, n) for impl in implementations for s, m, n in cells]
    if "ours" in implementations:  # our own per-chunk work: ours without the per-chunk records
        jobs += [(NO_CHUNK_RECORDS, s, m, n) for s, m, n in cells if s.startswith("stream")]
    return jobs


def _python_for(impl_key: str, suite: suites.Suite) -> str | None:
    impl = suite.by_key.get(impl_key)
    if impl_key == NO_CHUNK_RECORDS or (impl is not None and impl.requirement is None):
        return venvs.ours_python()
    python = venvs.VENVS / impl_key / "bin" / "python"
    return str(python) if python.exists() else None


def main(
    only: list[str] | None = None,
    write: bool = True,
    parallel: int = 2,
    suite: str = "openai",
    cells: list[str] | None = None,
) -> None:
    """Count every cell (two at a time: valgrind is single-threaded) and write the table.

    ``only`` (implementations) and ``cells`` (``scenario`` or ``scenario/mode``) recount some
    cells; the others keep their last counts (read when the new ones are written).
    """
    started = time.monotonic()
    plan = PLANS[suite]
    the_suite = suites.BY_KEY[suite]
    result_json = report.RESULTS / f"{plan.results}.json"
    implementations = tuple(only) if only else plan.implementations
    planned = plan.cells
    if cells:
        planned = tuple(c for c in planned if c.scenario in cells or f"{c.scenario}/{c.mode}" in cells)
    results: dict[str, dict[str, Any]] = {}

    def one(job: tuple[str, str, str, int]) -> None:
        impl, scenario, mode, calls = job
        python = _python_for(impl, the_suite)
        cell = f"{scenario}/{mode}"
        if python is None:
            results.setdefault(impl, {})[cell] = {"error": "no environment (run the benchmark once first)"}
            return
        result = _count(python, impl, scenario, mode, calls, suite=suite)
        results.setdefault(impl, {})[cell] = result
        shown = f"{result['added']:+,.0f} instructions a call" if "added" in result else result["error"]
        print(f"[{time.strftime('%H:%M:%S')}] {impl} {cell}: {shown}", file=sys.stderr, flush=True)

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(one, _jobs(implementations, planned)))
    minutes = (time.monotonic() - started) / 60
    if (only or cells) and result_json.exists():  # the other cells keep their last counts
        last = json.loads(result_json.read_text(encoding="utf-8"))
        for impl, counted in results.items():
            last["results"].setdefault(impl, {}).update(counted)
        results, minutes = last["results"], minutes + last.get("minutes", 0.0)
    data = {
        "when": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "commit": report.source_state(),
        "minutes": minutes,
        "results": results,
    }
    text = render(data, tuple(i for i in plan.implementations if i in results), suite)
    print(text)
    if write:
        write_results(data, suite)


def write_results(data: dict[str, Any], suite: str = "openai") -> None:
    """The counts as JSON, their table as Markdown, and the table in the README."""
    plan = PLANS[suite]
    text = render(data, tuple(i for i in plan.implementations if i in data["results"]), suite)
    report.RESULTS.mkdir(parents=True, exist_ok=True)
    (report.RESULTS / f"{plan.results}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    (report.RESULTS / f"{plan.results}.md").write_text(
        "# Instructions each implementation adds\n\n" + text, encoding="utf-8"
    )
    report.replace_section(plan.results, text)


_LABELS = {
    "openai": {
        "chat/off": "chat, content off",
        "chat/on": "chat, content on",
        "chat/unsampled": "chat, sampled out",
        "stream_20/off": "chat stream, 20 chunks",
        "stream_200/off": "chat stream, 200 chunks",
        "embeddings/off": "embeddings",
    },
    "anthropic": {
        "create/off": "messages.create, content off",
        "create/on": "messages.create, content on",
        "create/unsampled": "messages.create, sampled out",
        "stream_20/off": "stream, 20 events",
        "stream_200/off": "stream, 200 events",
        "create/bare": "messages.create, content off, the client's own tracing off",
    },
}
_CHUNK_LABELS = {"openai": "one more chat chunk", "anthropic": "one more streamed event"}


def _cell(results: dict[str, Any], impl: str, cell: str, scale: float = 1.0) -> str:
    value = results.get(impl, {}).get(cell, {})
    return f"{value['added'] / scale:+,.0f}" if "added" in value else "—"


def _per_chunk(results: dict[str, Any], impl: str) -> float | None:
    cells = results.get(impl, {})
    try:
        return float((cells["stream_200/off"]["added"] - cells["stream_20/off"]["added"]) / 180)
    except KeyError:
        return None


def render(data: dict[str, Any], implementations: tuple[str, ...], suite: str = "openai") -> str:
    results = data["results"]
    provider = "" if suite == "openai" else f" --provider {suite}"
    lines = [
        f"Counted {data['when']}, otel-genai at commit {data['commit']}, in {data['minutes']:.1f} min "
        f"(`.venv/bin/python -m benchmarks.harness{provider} --instructions`): `valgrind --tool=callgrind`, the same "
        "scenarios, bodies and SDK pipeline as the timed run, `PYTHONHASHSEED=0`.",
        "",
        "Instructions added per call (instrumented region minus uninstrumented region, same process):",
        "",
        "| scenario | uninstrumented | " + " | ".join(report.SHORT.get(i, i) for i in implementations) + " |",
        "|---|---:|" + "---:|" * len(implementations),
    ]
    for cell, label in _LABELS[suite].items():
        base = results.get("ours", {}).get(cell, {}).get("base")
        shown = f"{base:,.0f}" if base else "—"
        lines.append(f"| {label} | {shown} | " + " | ".join(_cell(results, i, cell) for i in implementations) + " |")
    chunk = {i: _per_chunk(results, i) for i in (*implementations, NO_CHUNK_RECORDS)}
    lines.append(
        f"| {_CHUNK_LABELS[suite]} (200 − 20) ÷ 180 | | "
        + " | ".join(f"{chunk[i]:+,.0f}" if chunk[i] is not None else "—" for i in implementations)
        + " |"
    )
    own = chunk.get(NO_CHUNK_RECORDS)
    if own is not None and chunk.get("ours") is not None:
        lines += [
            "",
            f"Of ours' {chunk['ours']:,.0f} instructions a chunk, {chunk['ours'] - own:,.0f} are the SDK's "
            f"`time_per_output_chunk` record and {own:,.0f} our own work (the same run with that histogram's "
            "`record` swapped for a C builtin that does nothing).",
        ]
        spans_on = chunk.get("ours-client-spans")
        if suite == "anthropic" and spans_on is not None:
            lines[-1] += (
                " Our own work is net of the client's own per-event tracing, which ours replaces: with the "
                f"client's spans kept (`client_model_spans=True`) ours costs {spans_on:,.0f} a chunk."
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), *sys.argv[6:7])
    else:
        main()
