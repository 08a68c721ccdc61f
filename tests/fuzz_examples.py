"""How many examples each Hypothesis property ran (tests/reliability/test_fuzz.py), for the terminal summary.

Each test process counts its own; under pytest-xdist the workers hand their counts to the
controller, which prints the sums (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

#: property name -> examples run in this process.
FUZZ_EXAMPLES: dict[str, int] = {}


def add_counts(counts: dict[str, int]) -> None:
    """Add a worker's counts to this process's."""
    for name, count in counts.items():
        FUZZ_EXAMPLES[name] = FUZZ_EXAMPLES.get(name, 0) + count


def write_summary(terminalreporter: Any) -> None:
    """The counts as a section of the terminal summary (nothing when no property ran)."""
    if not FUZZ_EXAMPLES:
        return
    terminalreporter.write_sep("-", "hypothesis examples run")
    for name, count in sorted(FUZZ_EXAMPLES.items()):
        terminalreporter.write_line(f"{name}: {count}")
    total = sum(count for name, count in FUZZ_EXAMPLES.items() if ": of which" not in name)
    terminalreporter.write_line(f"total: {total}")
