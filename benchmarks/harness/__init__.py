"""Side-by-side overhead benchmark of otel-genai, the peer instrumentations and a hand-written floor,
for the OpenAI client and (``--provider anthropic``, :mod:`benchmarks.harness.suites`) the Anthropic one.

The parent process (:mod:`benchmarks.harness.run`) builds realistic response bodies, creates one
virtual environment per peer, starts one worker process per implementation
(:mod:`benchmarks.harness.worker`) and sends them batches in turn, so that every implementation
is measured interleaved with every other in the same run. See ``benchmarks/README.md``.

Modules imported by the workers (``worker``, ``suites``, ``scenarios``, ``anthropic_scenarios``,
``pipeline``, ``impls``, ``floor``, ``anthropic_floor``) must run in any peer's environment: they
import only the standard library, the client and the OpenTelemetry API and SDK.
"""
