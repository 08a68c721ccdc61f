"""From a decoded OTLP export request to committed rows: shared by the HTTP and gRPC receivers."""

from __future__ import annotations

from google.protobuf.message import Message

from otel_genai.viewer import otlp_rows
from otel_genai.viewer.otlp_decode import Signal
from otel_genai.viewer.store import Store

_ADDERS = {
    "traces": otlp_rows.add_traces,
    "metrics": otlp_rows.add_metrics,
    "logs": otlp_rows.add_logs,
}


def ingest(store: Store, signal: Signal, request: Message) -> None:
    """Store everything in ``request``; returns only after the rows are committed."""
    batch = otlp_rows.Batch()
    _ADDERS[signal](batch, request)  # type: ignore[operator]
    store.write(batch)
