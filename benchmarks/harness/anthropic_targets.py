"""The Anthropic benchmark's targets (issue 11), judged from a timed run and the last instruction counts.

Ours at most 1.3× the floor per call, and cheaper than every peer per call and per streamed
event. A peer that records less (no per-chunk metric, no span of its own for a call) is compared
all the same: the last table of the report says what each left, so a cheap cell can be read for
what it is.
"""

from __future__ import annotations

from typing import Any

from benchmarks.harness.measurements import Run
from benchmarks.harness.report import SHORT, _instructions, chunk_rows, marginal_label, stats

INSTRUCTIONS = "anthropic-instructions"
FLOOR_LIMIT = 1.3


def _counted(counts: dict[str, Any] | None, impl: str, cell: str) -> float | None:
    if counts is None:
        return None
    value = counts["added"].get(impl, {}).get(cell)
    return float(value) if value is not None else None


def _versus(counts: dict[str, Any] | None, cell: str, other: str, note: str = "") -> str:
    ours, theirs = _counted(counts, "ours", cell), _counted(counts, other, cell)
    if counts is None or ours is None or theirs is None:
        return ""
    ratio = f": {ours / theirs:.2f}×" if theirs > 0 and ours > 0 else ""
    return (
        f"; in instructions (`--instructions`, {counts['when']}{note}): ours {ours:+,.0f}, "
        f"{SHORT.get(other, other)} {theirs:+,.0f}{ratio}"
    )


def _verdict(timed: bool | None, counted: bool | None) -> str:
    """Met or not; when time and instructions disagree, both are said (time on this machine is noisy)."""
    if timed is None:
        return "—" if counted is None else ("met" if counted else "not met")
    if counted is None or counted == timed:
        return "met" if timed else "not met"
    return "met in instructions, not in time" if counted else "met in time, not in instructions"


def targets(run: Run) -> list[tuple[str, str, str]]:
    """(target, where we stand, verdict) for the Anthropic suite."""
    table = stats(run)
    counts = _instructions(INSTRUCTIONS)
    rows: list[tuple[str, str, str]] = []

    def added(impl: str, combo: str) -> float | None:
        s = table.get(impl, {}).get(combo)
        return s["added_us"] if s else None

    for combo, label in (("create/off", "messages.create, content off"), ("create/unsampled", "sampled out")):
        ours, floor = added("ours", combo), added("floor", combo)
        if ours is None or floor is None:
            continue
        # With the client's span replaced, both figures are net of the span saved and their ratio
        # says little; the count with the client's tracing off is each one's own work.
        counted_cell = "create/bare" if combo == "create/off" and _counted(counts, "ours", "create/bare") else combo
        note = ", the client's own tracing off" if counted_cell != combo else ""
        c_ours, c_floor = _counted(counts, "ours", counted_cell), _counted(counts, "floor", counted_cell)
        counted = c_ours <= FLOOR_LIMIT * c_floor if c_ours is not None and c_floor and c_floor > 0 else None
        if floor > 0:
            timed: bool | None = ours <= FLOOR_LIMIT * floor
            where = f"ours {ours:+.0f} µs; floor {floor:+.0f} µs: {ours / floor:.2f}×"
        else:
            timed = None
            where = f"ours {ours:+.0f} µs; floor {floor:+.0f} µs (net of the client span both replace: no ratio)"
        rows.append(
            (
                f"{label}: added ≤ {FLOOR_LIMIT}× the floor",
                where + _versus(counts, counted_cell, "floor", note),
                _verdict(timed, counted),
            )
        )
    chunk = dict(chunk_rows(run, "off"))[marginal_label(run, 180)]
    for peer in (p for p in ("genai-anthropic", "openllmetry-anthropic") if p in run.implementations):
        ours, theirs = added("ours", "create/off"), added(peer, "create/off")
        if ours is not None and theirs is not None:
            c_ours, c_theirs = _counted(counts, "ours", "create/off"), _counted(counts, peer, "create/off")
            counted = c_ours < c_theirs if c_ours is not None and c_theirs is not None else None
            rows.append(
                (
                    f"messages.create, content off: cheaper than {SHORT[peer]}",
                    f"ours {ours:+.0f} µs; {SHORT[peer]} {theirs:+.0f} µs" + _versus(counts, "create/off", peer),
                    _verdict(ours < theirs, counted),
                )
            )
        m_ours, m_theirs = chunk.get("ours"), chunk.get(peer)
        if m_ours is not None and m_theirs is not None:
            c_ours, c_theirs = _counted(counts, "ours", "chunk"), _counted(counts, peer, "chunk")
            counted = c_ours < c_theirs if c_ours is not None and c_theirs is not None else None
            rows.append(
                (
                    f"streamed event: cheaper than {SHORT[peer]}",
                    f"ours {m_ours:+.2f} µs an event; {SHORT[peer]} {m_theirs:+.2f} µs"
                    + _versus(counts, "chunk", peer),
                    _verdict(m_ours < m_theirs, counted),
                )
            )
    return rows
