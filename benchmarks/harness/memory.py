"""``--memory``: does ours hold on to memory? Delegated to ``benchmarks/soak.py``.

The soak test (another engineer's, ``benchmarks/soak.py``) measures exactly this: RSS and
tracemalloc over 100,000 instrumented calls and 10,000 abandoned streams, flat after warm-up.
The harness runs it, so there is one measurement of this, not two, and reports its output in
``results/memory.md`` (and the ``memory`` section of ``benchmarks/README.md`` after a full run).
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.harness import report, venvs

REPO = Path(__file__).resolve().parents[2]
SOAK = REPO / "benchmarks" / "soak.py"
RESULT = report.RESULTS / "memory.md"
QUICK_ARGS = ("--calls", "10000", "--abandoned", "1000", "--checkpoint", "1000")


def main(quick: bool = False, write: bool = True) -> None:
    if not SOAK.exists():
        raise SystemExit("benchmarks/soak.py is not there: the memory measurement is its job")
    started = time.monotonic()
    args = [venvs.ours_python(), str(SOAK), *(QUICK_ARGS if quick else ())]
    print(f"[{time.strftime('%H:%M:%S')}] {' '.join(args[1:])}", file=sys.stderr, flush=True)
    out = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False, timeout=3600)
    verdict = "passed (memory flat, every span ended once)" if out.returncode == 0 else "FAILED"
    text = (
        f"`benchmarks/soak.py {' '.join(args[2:])}` at commit {report.source_state()}, "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {(time.monotonic() - started) / 60:.1f} min: "
        f"**{verdict}** (exit status {out.returncode}).\n\n```\n{out.stdout.strip()}\n```\n"
    )
    if out.returncode != 0 and out.stderr.strip():
        text += f"\nIts last error output:\n\n```\n{out.stderr.strip()[-1500:]}\n```\n"
    print(text)
    if write:
        report.RESULTS.mkdir(parents=True, exist_ok=True)
        RESULT.write_text("# Memory of otel-genai over many calls\n\n" + text, encoding="utf-8")
        if not quick:
            report.replace_section("memory", text)
