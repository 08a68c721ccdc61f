"""The OpenAI benchmark's targets, judged from a timed run, the last instruction counts and the
last ``--profile`` and ``--memory`` runs.

Per call: at most half the best peer's added time and at most 1.3× the floor; per streamed chunk:
our own work under 1 µs and the whole chunk at most a third of the official package's; a
sampled-out call at most 1.3× the floor; memory flat.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.harness.measurements import Run
from benchmarks.harness.report import (
    PEERS,
    RESULTS,
    SHORT,
    _instructions,
    _records_nothing,
    chunk_rows,
    marginal_label,
    stats,
)
from benchmarks.harness.scenarios import BY_KEY as SCENARIOS


def targets(run: Run) -> list[tuple[str, str, str]]:
    """(target, where we stand, verdict) for each of the issue's targets we can judge from this run."""
    table = stats(run)
    result: list[tuple[str, str, str]] = []
    counts = _instructions()

    def added(impl: str, combo: str) -> float | None:
        s = table.get(impl, {}).get(combo)
        return s["added_us"] if s else None

    ours, floor = added("ours", "chat/off"), added("floor", "chat/off")
    peers = {p: added(p, "chat/off") for p in PEERS if added(p, "chat/off") is not None}
    peers = {p: v for p, v in peers.items() if not _records_nothing(run, p, "chat/off")}
    if ours is not None and peers:
        best = min(peers, key=lambda p: peers[p])  # type: ignore[arg-type,return-value]
        limit = peers[best] / 2  # type: ignore[operator]
        result.append(
            (
                "chat, content off: added ≤ ½ of the best peer's",
                f"ours {ours:+.0f} µs; best peer {SHORT[best]} {peers[best]:+.0f} µs (limit {limit:.0f} µs)"
                + (f"; the floor alone is {floor:+.0f} µs" if floor is not None else "")
                + _in_instructions(counts, "chat/off", best, 0.5),
                "met" if ours <= limit else "not met",
            )
        )
    if ours is not None and floor is not None:
        result.append(
            (
                "chat, content off: added ≤ 1.3× the floor",
                f"ours {ours:+.0f} µs; floor {floor:+.0f} µs: {ours / floor:.2f}× (limit {1.3 * floor:.0f} µs)"
                + _in_instructions(counts, "chat/off", "floor"),
                "met" if ours <= 1.3 * floor else "not met",
            )
        )
    rows = dict(chunk_rows(run, "off"))
    marginal = rows[marginal_label(run, 180)]
    m_ours, m_floor, m_official = marginal.get("ours"), marginal.get("floor"), marginal.get("genai-openai")
    ablation = _ablation()
    if ablation is not None:
        own, when = ablation
        above = f"; here, ours minus the floor's chunk: {m_ours - m_floor:+.2f} µs" if m_ours and m_floor else ""
        result.append(
            (
                "streamed chunk: our own work < 1 µs a chunk",
                f"{own:+.2f} µs a chunk without the time_per_output_chunk records (ablation, `--profile` of "
                f"{when}){above}" + _own_instructions(counts),
                "met" if own < 1 else "not met",
            )
        )
    elif m_ours is not None and m_floor is not None:
        own = m_ours - m_floor
        result.append(
            (
                "streamed chunk: our own work < 1 µs a chunk",
                f"ours {m_ours:+.2f} µs a chunk, the floor's (clock, append, reads, time_per_output_chunk record) "
                f"{m_floor:+.2f}: ours above the floor {own:+.2f} µs (run `--profile` for the direct ablation)",
                "met" if own < 1 else "not met",
            )
        )
    if m_ours is not None and m_official is not None:
        result.append(
            (
                "streamed chunk, in total: ≤ ⅓ of the official package's (genai-openai)",
                f"ours {m_ours:+.2f} µs; genai-openai {m_official:+.2f} µs (limit {m_official / 3:.2f} µs)"
                + (f"; the floor's chunk {m_floor:+.2f} µs" if m_floor is not None else "")
                + _in_instructions(counts, "chunk", "genai-openai", 1 / 3),
                "met" if m_ours <= m_official / 3 else "not met",
            )
        )
    for scenario in ("chat", "stream_200"):
        o, f = added("ours", f"{scenario}/unsampled"), added("floor", f"{scenario}/unsampled")
        if o is None or f is None:
            continue
        result.append(
            (
                f"sampled out ({SCENARIOS[scenario].label}): pays for its metrics and nothing else (≤ 1.3× floor)",
                f"ours {o:+.0f} µs; floor (non-recording span + the same metric records) {f:+.0f} µs: {o / f:.2f}×"
                + _in_instructions(counts, f"{scenario}/unsampled", "floor"),
                "met" if o <= 1.3 * f else "not met",
            )
        )
    memory = RESULTS / "memory.md"
    if memory.exists():
        text = memory.read_text(encoding="utf-8")
        passed = "**passed" in text
        first = next((ln for ln in text.splitlines() if "soak.py" in ln), "")
        when = first.split("UTC")[0].rsplit(", ", 1)[-1].strip() + " UTC" if "UTC" in first else "the last --memory run"
        result.append(
            (
                "no memory growth (100,000 calls, 10,000 abandoned streams)",
                f"`benchmarks/soak.py` via `--memory`, {when}: {'flat, every span ended once' if passed else 'failed'}",
                "met" if passed else "not met",
            )
        )
    return result


def _in_instructions(counts: dict[str, Any] | None, cell: str, other: str, limit: float = 1.0) -> str:
    """``; in instructions: ours N, other M: ratio`` from the last ``--instructions`` run, if it has both."""
    if counts is None:
        return ""
    ours, theirs = counts["added"].get("ours", {}).get(cell), counts["added"].get(other, {}).get(cell)
    if ours is None or theirs is None:
        return ""
    return (
        f"; in instructions (`--instructions`, {counts['when']}): ours {ours:+,.0f}, {SHORT.get(other, other)} "
        f"{theirs * limit:+,.0f}{' as the limit' if limit != 1.0 else ''}: {ours / (theirs * limit):.2f}×"
    )


def _own_instructions(counts: dict[str, Any] | None) -> str:
    if counts is None:
        return ""
    own = counts["added"].get("ours-no-chunk-records", {}).get("chunk")
    full = counts["added"].get("ours", {}).get("chunk")
    if own is None or full is None:
        return ""
    return f"; in instructions: {own:,.0f} of ours' {full:,.0f} a chunk are our own, the rest the SDK's record"


def _ablation() -> tuple[float, str] | None:
    """Our own work per chunk from the last ``--profile`` run, and when it ran."""
    path = RESULTS / "profile.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        own = float(data["own_work_per_chunk"]["without_records_us"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return own, str(data.get("when", "the last profile run"))
