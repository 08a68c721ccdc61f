"""``python -m benchmarks.harness``: see :mod:`benchmarks.harness.run`."""

from benchmarks.harness.run import main

main()
