"""The report of a run: Markdown tables, the raw JSON, and the generated section of the README.

Every number here is computed from the run's per-round samples; nothing is typed by hand.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.harness import suites
from benchmarks.harness.measurements import Run, cell_stats, marginal_per_chunk
from benchmarks.harness.suites import Suite

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
RESULT_MD = RESULTS / "benchmark.md"
RESULT_JSON = RESULTS / "benchmark.json"
README = REPO / "benchmarks" / "README.md"

SHORT = {
    "ours": "ours",
    "floor": "floor",
    "genai-openai": "genai-openai",
    "openai-v2": "openai-v2",
    "openllmetry": "OpenLLMetry",
    "openinference": "OpenInference",
    "ours-client-spans": "ours, client spans on",
    "genai-anthropic": "genai-anthropic",
    "openllmetry-anthropic": "OpenLLMetry",
}
PEERS = ("genai-openai", "openai-v2", "openllmetry", "openinference")
#: The streams whose figures are shown per chunk, by suite.
CHUNK_SCENARIOS = {
    "openai": ("stream_20", "stream_200", "async_stream_20", "responses_200"),
    "anthropic": ("stream_20", "stream_200"),
}
#: The calls whose telemetry is listed in the last table, by suite.
RECORDED = {
    "openai": (("chat", "off"), ("chat", "on"), ("stream_200", "off"), ("responses_200", "off")),
    "anthropic": (("create", "off"), ("create", "on"), ("create", "unsampled"), ("stream_200", "off")),
}


def _suite(run: Run) -> Suite:
    return suites.BY_KEY[run.suite]


def _scenarios(run: Run) -> dict[str, Any]:
    """The run's scenarios by key."""
    by_key: dict[str, Any] = _suite(run).scenarios().BY_KEY
    return by_key


def result_paths(suite: Suite, full: bool) -> tuple[Path, Path]:
    """The Markdown and JSON results of a full (or of a quick or partial) run of ``suite``."""
    stem = suite.results if full else f"{suite.results}-quick"
    return RESULTS / f"{stem}.md", RESULTS / f"{stem}.json"


MODE_TITLES = {
    "off": "content capture off",
    "on": "content capture on (SPAN_AND_EVENT or the peer's nearest)",
    "unsampled": "trace sampled out (ALWAYS_OFF), content off",
}


def section_markers(name: str) -> tuple[str, str]:
    return f"<!-- harness:{name}:start -->", f"<!-- harness:{name}:end -->"


def replace_section(name: str, body: str, path: Path = README) -> None:
    """Replace the generated section ``name`` of ``path`` (appended when missing)."""
    start, end = section_markers(name)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text.rstrip()}\n\n{block}\n"
    path.write_text(text, encoding="utf-8")


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def source_state() -> str:
    """The commit ours ran from, and whether ``src/`` had uncommitted changes (ours runs from the tree)."""
    dirty = _git("status", "--porcelain", "--", "src")
    return f"{_git('rev-parse', '--short', 'HEAD')}{' + uncommitted src/ changes' if dirty else ''}"


# --- numbers -------------------------------------------------------------------------------


def stats(run: Run) -> dict[str, dict[str, dict[str, float] | None]]:

    return {impl: {combo: cell_stats(cell) for combo, cell in cells.items()} for impl, cells in run.cells.items()}


def _records_nothing(run: Run, impl: str, combo: str) -> bool:
    check = run.cells[impl][combo].check
    return check is not None and check["spans"] == 0 and check["histogram_records"] == 0 and check["logs"] == 0


def _fmt_us(value: float) -> str:
    return f"{value:+,.0f}" if abs(value) >= 10 else f"{value:+.1f}"


class Notes:
    """Footnotes, numbered in order of first use."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"<sup>{self.texts.index(text) + 1}</sup>"

    def render(self) -> str:
        return "\n".join(f"{i}. {t}" for i, t in enumerate(self.texts, 1))


def _cell(run: Run, table: dict[str, Any], impl: str, combo: str, notes: Notes, kind: str) -> str:
    env = run.environments.get(impl, {})
    if env.get("error"):
        return "—" + notes.mark(f"{SHORT[impl]}: {env['error']}")
    cell = run.cells.get(impl, {}).get(combo)
    if cell is None:
        return ""
    if cell.error:
        return "—" + notes.mark(f"{SHORT[impl]}, {combo}: {cell.error}")
    s = table[impl].get(combo)
    if s is None:
        return "—"
    nothing = _records_nothing(run, impl, combo) and not combo.endswith("/unsampled")
    mark = notes.mark(f"{SHORT[impl]} records nothing for this call (no span, event or metric)") if nothing else ""
    if kind == "wall":
        return f"{_fmt_us(s['added_us'])} ({s['ratio']:.2f}×){mark}"
    return f"{_fmt_us(s['added_cpu_us'])}{mark}"


def _columns(run: Run) -> list[str]:
    return [k for k in dict.fromkeys(("ours", "floor", *_suite(run).by_key)) if k in run.implementations]


def _baseline(table: dict[str, Any], combo: str) -> str:
    values = [t[combo]["base_us"] for t in table.values() if t.get(combo)]
    return f"{sorted(values)[len(values) // 2]:,.0f}" if values else "—"


def _ours_over_floor(table: dict[str, Any], combo: str, key: str = "added_us") -> str:
    ours, floor = table.get("ours", {}).get(combo), table.get("floor", {}).get(combo)
    if not ours or not floor or floor[key] <= 0:
        return "—"
    return f"{ours[key] / floor[key]:.2f}×"


def per_call_table(run: Run, table: dict[str, Any], mode: str, kind: str, notes: Notes) -> str:
    columns = _columns(run)
    head = ["scenario", "uninstrumented µs", *[SHORT[c] for c in columns], "ours ÷ floor"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for scenario in _scenarios(run).values():
        combo = f"{scenario.key}/{mode}"
        if not any(combo in run.cells.get(c, {}) for c in columns):
            continue
        key = "added_us" if kind == "wall" else "added_cpu_us"
        row = [scenario.label, _baseline(table, combo)]
        row += [_cell(run, table, c, combo, notes, kind) for c in columns]
        row.append(_ours_over_floor(table, combo, key))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def chunk_rows(run: Run, mode: str) -> list[tuple[str, dict[str, float | None]]]:
    """Per-chunk figures: added cost divided by chunks, and the marginal cost of a chunk."""

    table = stats(run)
    scenarios = _scenarios(run)
    rows: list[tuple[str, dict[str, float | None]]] = []
    for key in CHUNK_SCENARIOS[run.suite]:
        scenario = scenarios[key]
        values: dict[str, float | None] = {}
        for impl in run.implementations:
            s = table.get(impl, {}).get(f"{key}/{mode}")
            values[impl] = s["added_us"] / scenario.chunks if s else None
        rows.append((f"{scenario.label}: added ÷ {scenario.chunks}", values))
    short, long = _suite(run).chunk_pair
    extra = scenarios[long].chunks - scenarios[short].chunks
    marginal = {
        impl: marginal_per_chunk(run.cells.get(impl, {}), mode, short, long, extra) for impl in run.implementations
    }
    rows.append((marginal_label(run, extra), marginal))
    return rows


def marginal_label(run: Run, extra: int) -> str:
    what = "chat chunk" if run.suite == "openai" else "streamed event"
    return f"one more {what} (stream {extra + 20} − stream 20) ÷ {extra}"


def chunk_table(run: Run, mode: str) -> str:
    columns = _columns(run)
    head = ["µs per streamed chunk", *[SHORT[c] for c in columns], "ours ÷ floor"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for label, values in chunk_rows(run, mode):
        cells = [f"{values[c]:+.2f}" if values.get(c) is not None else "—" for c in columns]
        ours, floor = values.get("ours"), values.get("floor")
        ratio = f"{ours / floor:.2f}×" if ours is not None and floor and floor > 0 else "—"
        lines.append("| " + " | ".join([label, *cells, ratio]) + " |")
    return "\n".join(lines)


def recorded_table(run: Run) -> str:
    columns = _columns(run)
    head = ["spans / events / histogram records / span attributes", *[SHORT[c] for c in columns]]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(columns)]
    scenarios = _scenarios(run)
    for key, mode in RECORDED[run.suite]:
        combo = f"{key}/{mode}"
        what = "sampled out" if mode == "unsampled" else f"content {mode}"
        row = [f"{scenarios[key].label}, {what}"]
        for impl in columns:
            check = run.cells.get(impl, {}).get(combo)
            c = check.check if check else None
            row.append(f"{c['spans']} / {c['logs']} / {c['histogram_records']} / {len(c['attributes'])}" if c else "—")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


# --- targets -------------------------------------------------------------------------------


def _instructions(name: str = "instructions") -> dict[str, Any] | None:
    """The last ``--instructions`` run (``results/<name>.json``): instructions added per call and per
    chunk, by implementation."""
    try:
        data = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        results = data["results"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    added = {impl: {cell: v["added"] for cell, v in cells.items() if "added" in v} for impl, cells in results.items()}
    for cells in added.values():
        if "stream_200/off" in cells and "stream_20/off" in cells:
            cells["chunk"] = (cells["stream_200/off"] - cells["stream_20/off"]) / 180
    return {"when": data.get("when", "the last --instructions run"), "added": added}


def targets_table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| target | where we stand | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {s} | **{v}** |" for t, s, v in rows]
    return "\n".join(lines)


# --- the document --------------------------------------------------------------------------


def header(run: Run) -> str:
    m = run.machine
    ours_env = run.environments.get("ours") or run.environments.get("floor") or {}
    versions = ours_env.get("versions", {})
    load = f"{m['load_start'][0]:.2f} → {m.get('load_end', m['load_start'])[0]:.2f}"
    calls = ", ".join(f"{k} {v}" for k, v in run.calls.items())
    suite = _suite(run)
    impls = suite.by_key
    impl_lines = []
    for key in _columns(run):
        env = run.environments.get(key, {})
        label = impls[key].label
        if env.get("error"):
            impl_lines.append(f"- **{SHORT[key]}**: {label}: not measured: {env['error']}")
            continue
        own = {k: v for k, v in env.get("versions", {}).items() if k not in (suite.client, "opentelemetry-sdk")}
        text = ", ".join(f"{k} {v}" for k, v in own.items())
        if key == "ours":
            text += f" (commit {run.source or '?'})"
        notes = "; ".join(env.get("notes", []))
        switch = impls[key].content_switch
        impl_lines.append(
            f"- **{SHORT[key]}**: {label}{': ' + text if text else ''}. Content: {switch}."
            + (f" Install notes: {notes}." if notes else "")
        )
    return "\n".join(
        [
            f"Measured {run.started} on {m['cpu']} ({m['cores']} cores, {m['system']}), Python {m['python']}, "
            f"{suite.client} {versions.get(suite.client, '?')}, "
            f"opentelemetry-sdk {versions.get('opentelemetry-sdk', '?')}; "
            f"load average {load} (the machine is shared).",
            f"{run.rounds_done} interleaved rounds{' (quick run)' if run.quick else ''}; each round measures every "
            f"implementation on every scenario as a pair of batches, uninstrumented and instrumented, of about "
            f"{run.target_ms:.0f} ms uninstrumented (calls per batch: {calls}). The run took "
            f"{run.seconds / 60:.1f} min. Bodies: {run.bodies_source}.",
            "",
            *impl_lines,
        ]
    )


def render(run: Run) -> str:
    table = stats(run)
    notes = Notes()
    parts = [
        header(run),
        "",
        "Cells: median added µs per call (instrumented minus uninstrumented, same worker, interleaved) and, in "
        "brackets, the median ratio to the uninstrumented call. Lower is better; *floor* is the hand-written minimum.",
        "",
        "#### Targets",
        "",
        targets_table(suite_targets(run)),
    ]
    for mode in ("off", "on", "unsampled"):
        if not any(k.endswith(f"/{mode}") for cells in run.cells.values() for k in cells):
            continue
        parts += [
            "",
            f"#### Added wall time per call, {MODE_TITLES[mode]}",
            "",
            per_call_table(run, table, mode, "wall", notes),
        ]
        parts += [
            "",
            f"#### Added CPU time per call, {MODE_TITLES[mode]}",
            "",
            per_call_table(run, table, mode, "cpu", notes),
        ]
    for mode in ("off", "on"):
        parts += ["", f"#### Added wall time per streamed chunk, {MODE_TITLES[mode]}", "", chunk_table(run, mode)]
    parts += ["", "#### What each implementation recorded for one call", "", recorded_table(run)]
    if notes.texts:
        parts += ["", notes.render()]
    return "\n".join(parts) + "\n"


def suite_targets(run: Run) -> list[tuple[str, str, str]]:
    """The targets of the run's suite (:mod:`benchmarks.harness.openai_targets`, ``anthropic_targets``)."""
    if run.suite == "anthropic":
        from benchmarks.harness import anthropic_targets

        return anthropic_targets.targets(run)
    from benchmarks.harness import openai_targets

    return openai_targets.targets(run)


def _jsonable(run: Run) -> dict[str, Any]:
    data = asdict(run)
    data["stats"] = stats(run)
    data["targets"] = suite_targets(run)
    return data


def write(run: Run, text: str) -> tuple[Path, Path]:
    """Write the report and the raw data; a full run of every implementation also updates the README.

    A quick or partial run writes ``*-quick`` files and leaves the README alone.
    """
    suite = _suite(run)
    full = not run.quick and set(run.implementations) == set(suite.by_key)
    md, raw = result_paths(suite, full)
    RESULTS.mkdir(parents=True, exist_ok=True)
    client = "OpenAI" if suite.key == "openai" else "Anthropic"
    md.write_text(f"# Overhead of GenAI instrumentations of the {client} client\n\n" + text, encoding="utf-8")
    raw.write_text(json.dumps(_jsonable(run), indent=1, default=str), encoding="utf-8")
    if full:
        replace_section(suite.readme_section, text)
    return md, raw
