"""``make bench``: the side-by-side overhead benchmark (``python -m benchmarks.harness``).

This script used to measure otel-genai alone; the harness in ``benchmarks/harness`` now measures
it beside the peer instrumentations and a hand-written floor, in one interleaved run. Every
argument is passed on, so these are the same::

    .venv/bin/python benchmarks/overhead.py --quick
    .venv/bin/python -m benchmarks.harness --quick

See ``benchmarks/README.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness.run import main  # noqa: E402 - needs the repository on the path first

if __name__ == "__main__":
    main()
