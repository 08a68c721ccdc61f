"""``--memory``: does ours hold on to memory? RSS and tracemalloc over many calls and abandoned streams.

If ``benchmarks/soak.py`` (another engineer's soak test, which measures the same) exists, it is
run instead and its output reported, so there is one measurement of this, not two. Otherwise
:mod:`benchmarks.harness.memory_worker` runs in ours' environment: 100,000 chat calls and 10,000
abandoned streams (10,000 and 1,000 with ``--quick``). Writes ``results/memory.md`` (and the
``memory`` section of ``benchmarks/README.md`` after a full run).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.harness import bodies as bodies_module
from benchmarks.harness import report, venvs

REPO = Path(__file__).resolve().parents[2]
SOAK = REPO / "benchmarks" / "soak.py"
RESULT = report.RESULTS / "memory.md"
#: Growth after warm-up that still counts as flat, per 10,000 calls.
FLAT_TRACED_KIB = 64.0
FLAT_RSS_KIB = 1024.0


def _verdict(points: list[dict[str, Any]], calls: int) -> tuple[float, float, bool]:
    """Traced and RSS growth per 10,000 calls, from the checkpoint at 20% (allocator arenas settle) to the last."""
    first, last = points[2] if len(points) > 3 else points[0], points[-1]
    span = max(1, last["calls"] - first["calls"])
    traced = (last["traced_kib"] - first["traced_kib"]) * 10_000 / span
    rss = (last["rss_kib"] - first["rss_kib"]) * 10_000 / span
    return traced, rss, traced <= FLAT_TRACED_KIB and rss <= FLAT_RSS_KIB


def render(data: dict[str, Any], seconds: float) -> str:
    parts = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, otel-genai at commit {report.source_state()}, "
        f"in {seconds / 60:.1f} min; ours instrumented, content off, the benchmark's SDK pipeline. Growth is "
        f"measured from the checkpoint at 20% of the calls to the last; *flat* means at most "
        f"{FLAT_TRACED_KIB:.0f} KiB (tracemalloc) and {FLAT_RSS_KIB:.0f} KiB (RSS) per 10,000 calls.",
    ]
    names = {"chat": "chat calls", "abandoned_streams": "streams abandoned after their first chunk (never closed)"}
    for key, phase in data.items():
        traced, rss, flat = _verdict(phase["points"], phase["calls"])
        parts += [
            "",
            f"**{phase['calls']:,} {names[key]}** (after {phase['warmup']:,} warm-up calls): "
            f"tracemalloc {traced:+.1f} KiB and RSS {rss:+.0f} KiB per 10,000 calls: "
            f"**{'flat' if flat else 'GROWS'}**; "
            f"spans exported: {phase['spans_exported']:,} of {phase['calls']:,}.",
            "",
            "| calls | RSS MiB | traced KiB |",
            "|---:|---:|---:|",
            *[f"| {p['calls']:,} | {p['rss_kib'] / 1024:.1f} | {p['traced_kib']:.1f} |" for p in phase["points"]],
            "",
            "Largest live allocations at the end (tracemalloc): "
            + "; ".join(f"`{a}`" for a in phase["top_allocations"]),
        ]
    return "\n".join(parts) + "\n"


def main(quick: bool = False, write: bool = True) -> None:
    started = time.monotonic()
    if SOAK.exists():
        args = [venvs.ours_python(), str(SOAK), *(["--quick"] if quick else [])]
        out = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False, timeout=3600)
        text = (
            f"Delegated to `benchmarks/soak.py` (exit {out.returncode}), "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC:\n\n```\n{out.stdout.strip()}\n```\n"
        )
    else:
        calls, streams = (10_000, 1_000) if quick else (100_000, 10_000)
        bodies, _ = bodies_module.build()
        with tempfile.TemporaryDirectory() as tmp:
            bodies_path, out_path = Path(tmp) / "bodies.json", Path(tmp) / "memory.json"
            bodies_path.write_text(json.dumps(bodies))
            print(f"[{time.strftime('%H:%M:%S')}] {calls:,} calls and {streams:,} abandoned streams", file=sys.stderr)
            args = [venvs.ours_python(), "-m", "benchmarks.harness.memory_worker", str(bodies_path), str(out_path)]
            subprocess.run([*args, str(calls), str(streams)], cwd=REPO, check=True, timeout=3600)
            data = json.loads(out_path.read_text())
        text = render(data, time.monotonic() - started)
    print(text)
    if write:
        report.RESULTS.mkdir(parents=True, exist_ok=True)
        RESULT.write_text("# Memory of otel-genai over many calls\n\n" + text, encoding="utf-8")
        if not quick:
            report.replace_section("memory", text)
