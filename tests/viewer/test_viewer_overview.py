"""Overview figures: calls, tokens, cost (genai-prices), latency percentiles, error rate, metrics."""

from __future__ import annotations

import time

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from viewer_telemetry import kv, trace_request

from otel_genai.viewer import overview as overview_module
from otel_genai.viewer.ingest import ingest
from otel_genai.viewer.overview import histogram_percentile, percentile
from otel_genai.viewer.store import Store

HOUR_NS = 3_600 * 10**9


def _seed(store: Store, now: int) -> None:
    for request, _ in (
        trace_request(8, now - 2 * HOUR_NS, model="gpt-4o-mini"),
        trace_request(2, now - HOUR_NS, model="gpt-4o-mini", error=True),
        trace_request(3, now - HOUR_NS, model="house-model-x", provider="self_hosted"),
    ):
        ingest(store, "traces", request)


def test_span_figures_by_model_with_cost_and_missing_price(store) -> None:
    now = time.time_ns()
    _seed(store, now)
    result = store.overview(now - 24 * HOUR_NS, now)
    models = {m["model"]: m for m in result["models"]}
    mini, house = models["gpt-4o-mini"], models["house-model-x"]
    assert (mini["calls"], mini["errors"], mini["input_tokens"], mini["output_tokens"]) == (10, 2, 100, 50)
    assert mini["error_rate"] == pytest.approx(0.2)
    assert mini["cost_usd"] is not None and mini["cost_usd"] > 0
    assert house["cost_usd"] is None and "no price" in house["cost_note"]
    assert mini["p50_ms"] == pytest.approx(0.799, rel=0.01)
    totals = result["totals"]
    assert totals["calls"] == 13 and totals["errors"] == 2 and totals["unpriced_calls"] == 3
    assert totals["cost_usd"] == pytest.approx(mini["cost_usd"])
    assert sum(cell.get("gpt-4o-mini", {}).get("calls", 0) for cell in (b["by_model"] for b in result["series"])) == 10
    assert result["cost_approximate"] is False


def test_prompt_size_tiers_are_priced_call_by_call(store, monkeypatch) -> None:
    from otel_genai.viewer.pricing import PRICE_BOOK, TokenUsage

    now = time.time_ns()
    model, provider = "gemini-2.5-pro", "gcp.gemini"
    assert PRICE_BOOK.sums_price_exactly(model, provider, now) is False  # genai-prices has tiers for it
    for tokens in (300_000, 10):
        ingest(store, "traces", trace_request(1, now - HOUR_NS, model=model, provider=provider, input_tokens=tokens)[0])
    per_call = sum(PRICE_BOOK.price(model, provider, TokenUsage(t, 5), now).usd or 0 for t in (300_000, 10))
    summed = PRICE_BOOK.price(model, provider, TokenUsage(300_010, 10), now).usd
    assert summed != pytest.approx(per_call)  # the small call would be billed at the big call's tier
    result = store.overview(now - 24 * HOUR_NS, now)
    assert result["models"][0]["cost_usd"] == pytest.approx(per_call)
    assert result["cost_approximate"] is False
    # Past the budget of distinct calls, it falls back to summed usage and says so.
    monkeypatch.setattr(overview_module, "MAX_PRICED_COMBINATIONS", 1)
    approx = store.overview(now - 24 * HOUR_NS, now)
    assert approx["cost_approximate"] is True
    assert approx["models"][0]["cost_usd"] == pytest.approx(summed)


def _duration_point(request, model: str, start: int, at: int, counts: list[int], total: float) -> None:  # type: ignore[no-untyped-def]
    metric = (
        request.resource_metrics.add()
        .scope_metrics.add()
        .metrics.add(name="gen_ai.client.operation.duration", unit="s")
    )
    metric.histogram.aggregation_temporality = 2  # cumulative, the SDK default
    point = metric.histogram.data_points.add(
        start_time_unix_nano=start, time_unix_nano=at, count=sum(counts), sum=total,
        explicit_bounds=[0.5, 1.0, 2.0], bucket_counts=counts,
    )  # fmt: skip
    point.attributes.extend([kv("gen_ai.request.model", model), kv("gen_ai.operation.name", "chat")])


def test_metric_histograms_are_differenced_and_estimated(store) -> None:
    now = time.time_ns()
    start = now - 48 * HOUR_NS
    request = ExportMetricsServiceRequest()
    # Cumulative series: 10 calls before the window, 10 more inside it (all between 1 and 2 s).
    _duration_point(request, "gpt-4o", start, now - 30 * HOUR_NS, [10, 0, 0, 0], 3.0)
    _duration_point(request, "gpt-4o", start, now - 20 * HOUR_NS, [10, 0, 0, 0], 3.0)
    _duration_point(request, "gpt-4o", start, now - HOUR_NS, [10, 0, 10, 0], 18.0)
    ingest(store, "metrics", request)
    figures = store.overview(now - 24 * HOUR_NS, now)["metrics"]["durations"]
    assert len(figures) == 1 and figures[0]["count"] == 10
    assert 1000 <= figures[0]["p50_ms"] <= 2000


def test_percentile_helpers() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 99) == 4.0
    assert percentile([], 50) is None
    assert histogram_percentile([1.0, 2.0], [0, 4, 0], 50) == pytest.approx(1.5)
    assert histogram_percentile([1.0, 2.0], [0, 4, 0], 50, low=1.2, top=1.3) == pytest.approx(1.25)
    assert histogram_percentile([1.0], [0, 2], 99, top=7.0) == pytest.approx(6.94)
    assert histogram_percentile([1.0], [0, 0], 50) is None
