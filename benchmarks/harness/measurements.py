"""What one timed run measured (:class:`Run`, one :class:`Cell` per implementation and
scenario), and the medians the report reads from it.

Shared by :mod:`benchmarks.harness.run`, which fills a run, and
:mod:`benchmarks.harness.report`, which renders it.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Cell:
    """One implementation on one (scenario, mode): per-round per-call seconds, or why not."""

    base_wall: list[float] = field(default_factory=list)
    inst_wall: list[float] = field(default_factory=list)
    base_cpu: list[float] = field(default_factory=list)
    inst_cpu: list[float] = field(default_factory=list)
    check: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class Run:
    """Everything one run measured, and the facts the report states."""

    started: str
    quick: bool
    rounds_planned: int
    rounds_done: int = 0
    target_ms: float = 0.0
    calls: dict[str, int] = field(default_factory=dict)
    implementations: list[str] = field(default_factory=list)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # impl -> "scenario/mode" -> cell
    machine: dict[str, Any] = field(default_factory=dict)
    bodies_source: str = ""
    seconds: float = 0.0
    #: The commit ours ran from (and whether src/ had uncommitted changes), taken when the run started.
    source: str = ""
    #: The provider suite measured (benchmarks.harness.suites).
    suite: str = "openai"


def load_run(path: Path) -> Run:
    """A finished run, read back from its JSON (to re-render the report without measuring again)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = {k: v for k, v in data.items() if k in Run.__dataclass_fields__}
    fields["cells"] = {
        impl: {combo: Cell(**cell) for combo, cell in cells.items()} for impl, cells in data["cells"].items()
    }
    run = Run(**fields)
    run.machine["load_start"] = tuple(run.machine["load_start"])
    return run


def cell_stats(cell: Cell) -> dict[str, float] | None:
    """Medians of one cell, in microseconds per call (None when nothing was measured)."""
    if cell.error is not None or not cell.base_wall:
        return None
    added = [i - b for i, b in zip(cell.inst_wall, cell.base_wall, strict=True)]
    added_cpu = [i - b for i, b in zip(cell.inst_cpu, cell.base_cpu, strict=True)]
    ratios = [i / b for i, b in zip(cell.inst_wall, cell.base_wall, strict=True)]
    quartiles = statistics.quantiles(added, n=4) if len(added) >= 2 else [added[0]] * 3
    return {
        "base_us": statistics.median(cell.base_wall) * 1e6,
        "inst_us": statistics.median(cell.inst_wall) * 1e6,
        "added_us": statistics.median(added) * 1e6,
        "added_cpu_us": statistics.median(added_cpu) * 1e6,
        "ratio": statistics.median(ratios),
        "q1_us": quartiles[0] * 1e6,
        "q3_us": quartiles[2] * 1e6,
        "rounds": len(added),
    }


def marginal_per_chunk(cells: dict[str, Cell], mode: str, short: str, long: str, extra: int) -> float | None:
    """Median over rounds of the added cost of ``extra`` more chunks, per chunk (µs)."""
    a, b = cells.get(f"{short}/{mode}"), cells.get(f"{long}/{mode}")
    if a is None or b is None or a.error or b.error or not a.base_wall or not b.base_wall:
        return None
    n = min(len(a.base_wall), len(b.base_wall))
    slopes = [((b.inst_wall[r] - b.base_wall[r]) - (a.inst_wall[r] - a.base_wall[r])) / extra * 1e6 for r in range(n)]
    return statistics.median(slopes)
