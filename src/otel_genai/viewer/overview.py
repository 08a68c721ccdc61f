"""The overview: calls, tokens and estimated cost over time by model, latency, error rate.

Span figures come from stored model-call spans; metric figures from the
``gen_ai.client.operation.duration`` and ``gen_ai.client.token.usage`` histograms.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from otel_genai.viewer import genai_names as gn
from otel_genai.viewer.pricing import PRICE_BOOK, TokenUsage
from otel_genai.viewer.schema import MODEL_CALL_CONDITION

if TYPE_CHECKING:
    from otel_genai.viewer.reader import Reader

_NS_PER_DAY = 86_400_000_000_000
_CUMULATIVE = 2
# Models with prompt-size tiers are priced call by call; past this many distinct
# (model, usage) combinations, their cost is estimated from summed usage per bucket
# instead (fast, but blind to the tiers), and the page says so.
MAX_PRICED_COMBINATIONS = 20_000
MAX_LATENCY_SAMPLES = 200_000
MIN_WINDOW_BARS = 12


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def histogram_percentile(
    bounds: list[float], counts: list[int], q: float, low: float | None = None, top: float | None = None
) -> float | None:
    """Estimate a percentile from explicit-bucket counts, interpolating inside the bucket.

    ``low`` and ``top`` (the recorded min and max, when known) narrow the first and last
    buckets, which keeps estimates from coarse buckets inside what was actually seen.
    """
    total = sum(counts)
    if total == 0:
        return None
    target = q / 100 * total
    seen = 0.0
    estimate = bounds[-1] if bounds else top
    for i, count in enumerate(counts):
        if count and seen + count >= target:
            bucket_low = bounds[i - 1] if i > 0 else (low if low is not None else 0.0)
            bucket_high = bounds[i] if i < len(bounds) else (top if top is not None else bucket_low)
            if low is not None:
                bucket_low = min(max(bucket_low, low), bucket_high)
            if top is not None:
                bucket_high = max(min(bucket_high, top), bucket_low)
            estimate = bucket_low + (bucket_high - bucket_low) * (target - seen) / count
            break
        seen += count
    if estimate is not None and low is not None:
        estimate = max(estimate, low)
    if estimate is not None and top is not None:
        estimate = min(estimate, top)
    return estimate


def _bucket_size(span_ns: int) -> int:
    """A bucket width giving at most ~60 bars, rounded to a readable unit."""
    for width_s in (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86_400, 7 * 86_400):
        if span_ns / (width_s * 1e9) <= 60:
            return width_s * 1_000_000_000
    return 30 * _NS_PER_DAY


def _per_call_costs(
    conn: Reader, models: set[tuple[str, str | None]], since: int, until: int, width: int
) -> tuple[dict[tuple[int, str], float], bool]:
    """Cost per (bucket, model) priced call by call, for models whose price is not linear."""
    marks = ",".join("?" * len(models))
    names = sorted({m for m, _ in models})
    rows = conn.execute(
        "SELECT (start_ns - ?) / ?, model, provider, start_ns / ?, COALESCE(input_tokens, 0), "
        "COALESCE(output_tokens, 0), COALESCE(cache_read_tokens, 0), COALESCE(cache_write_tokens, 0), COUNT(*) "
        f"FROM spans WHERE {MODEL_CALL_CONDITION} AND start_ns >= ? AND start_ns < ? AND model IN ({marks}) "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 LIMIT ?",
        (since, width, _NS_PER_DAY, since, until, *names, MAX_PRICED_COMBINATIONS + 1),
    ).fetchall()
    if len(rows) > MAX_PRICED_COMBINATIONS:
        return {}, True
    costs: dict[tuple[int, str], float] = defaultdict(float)
    for bucket, model, provider, day, inp, out, cread, cwrite, count in rows:
        if (model, provider) not in models:
            continue
        price = PRICE_BOOK.price(model, provider, TokenUsage(inp, out, cread, cwrite), day * _NS_PER_DAY)
        costs[(int(bucket), model)] += (price.usd or 0.0) * count
    return costs, False


def _span_figures(conn: Reader, since: int, until: int, width: int) -> dict[str, Any]:
    groups = conn.execute(
        "SELECT (start_ns - ?) / ?, model, provider, start_ns / ?, COUNT(*), SUM(is_error), "
        "SUM(COALESCE(input_tokens, 0)), SUM(COALESCE(output_tokens, 0)), SUM(COALESCE(cache_read_tokens, 0)), "
        f"SUM(COALESCE(cache_write_tokens, 0)) FROM spans WHERE {MODEL_CALL_CONDITION} "
        "AND start_ns >= ? AND start_ns < ? GROUP BY 1, 2, 3, 4",
        (since, width, _NS_PER_DAY, since, until),
    ).fetchall()
    # Flat per-token prices: pricing a group's summed usage is exact and costs one call
    # per group. Prices that depend on the request (tiers, per-request fees) are priced
    # call by call.
    linearity = {
        (model, provider, day): PRICE_BOOK.sums_price_exactly(model, provider, day * _NS_PER_DAY)
        for _, model, provider, day, *_ in groups
    }
    per_call = {(model, provider) for (model, provider, _), linear in linearity.items() if linear is False}
    per_call_costs, approximate = _per_call_costs(conn, per_call, since, until, width) if per_call else ({}, False)

    buckets: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    models: dict[str, dict[str, Any]] = {}
    for bucket, model, provider, day, calls, errors, inp, out, cread, cwrite in groups:
        bucket = int(bucket)
        linear = linearity[(model, provider, day)]
        usd: float | None = None
        if linear or (linear is False and approximate):
            usd = PRICE_BOOK.price(model, provider, TokenUsage(inp, out, cread, cwrite), day * _NS_PER_DAY).usd
        cell = buckets[bucket].setdefault(model, {"calls": 0, "tokens": 0, "cost_usd": 0.0})
        cell["calls"] += calls
        cell["tokens"] += inp + out
        m = models.setdefault(
            model,
            {"model": model, "providers": [], "calls": 0, "errors": 0, "input_tokens": 0, "output_tokens": 0,
             "cost_usd": 0.0, "unpriced_calls": 0, "cost_note": None},
        )  # fmt: skip
        if provider and provider not in m["providers"]:
            m["providers"].append(provider)
        m["calls"] += calls
        m["errors"] += errors or 0
        m["input_tokens"] += inp
        m["output_tokens"] += out
        if linear is None:
            m["unpriced_calls"] += calls
            m["cost_note"] = f"no price for model {model!r} in genai-prices"
        elif usd is not None:
            cell["cost_usd"] += usd
            m["cost_usd"] += usd
    for (bucket, model), usd in per_call_costs.items():
        buckets[bucket][model]["cost_usd"] += usd
        models[model]["cost_usd"] += usd

    durations: dict[str, list[float]] = defaultdict(list)
    for model, duration in conn.execute(
        f"SELECT model, end_ns - start_ns FROM spans WHERE {MODEL_CALL_CONDITION} "
        "AND start_ns >= ? AND start_ns < ? ORDER BY start_ns DESC LIMIT ?",
        (since, until, MAX_LATENCY_SAMPLES),
    ):
        durations[model].append(duration / 1e6)
    for model, values in durations.items():
        values.sort()
        models[model].update({f"p{q}_ms": percentile(values, q) for q in (50, 95, 99)})
    for m in models.values():
        m["error_rate"] = m["errors"] / m["calls"] if m["calls"] else 0.0
        if m["unpriced_calls"] == m["calls"]:
            m["cost_usd"] = None
    series = [
        {"t_ms": (since + b * width) / 1e6, "by_model": buckets.get(b, {})}
        for b in range(max(1, math.ceil((until - since) / width)))
    ]
    return {"models": sorted(models.values(), key=lambda m: -m["calls"]), "series": series,
            "cost_approximate": approximate}  # fmt: skip


def _series_deltas(conn: Reader, name: str, since: int, until: int) -> list[dict[str, Any]]:
    """Per series, what it added inside the window (cumulative points differenced)."""
    series: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for row in conn.execute(
        "SELECT model, token_type, attributes, resource_digest, start_ns, time_ns, temporality, count, sum, "
        "max, bounds, bucket_counts, min FROM metric_points WHERE name = ? AND time_ns >= ? AND time_ns < ? "
        "ORDER BY time_ns",
        (name, since, until),
    ):
        series[(row[2], row[3], row[4] if row[6] == _CUMULATIVE else None)].append(row)
    deltas = []
    for points in series.values():
        last, first = points[-1], points[0]
        counts = json.loads(last[11] or "[]")
        count, total = last[7] or 0, last[8] or 0.0
        if last[6] == _CUMULATIVE and first[4] < since and len(points) > 1:
            first_counts = json.loads(first[11] or "[]")
            if len(first_counts) == len(counts):
                counts = [a - b for a, b in zip(counts, first_counts, strict=True)]
            count, total = count - (first[7] or 0), total - (first[8] or 0.0)
        elif last[6] != _CUMULATIVE:
            counts = [sum(c) for c in zip(*(json.loads(p[11] or "[]") for p in points), strict=False)] or counts
            count, total = sum(p[7] or 0 for p in points), sum(p[8] or 0.0 for p in points)
        deltas.append({"model": last[0], "token_type": last[1], "bounds": json.loads(last[10] or "[]"),
                       "counts": counts, "count": count, "sum": total, "max": last[9], "min": last[12]})  # fmt: skip
    return deltas


def _metric_figures(conn: Reader, since: int, until: int) -> dict[str, Any]:
    merged: dict[str, dict[str, Any]] = {}
    for d in _series_deltas(conn, gn.METRIC_OPERATION_DURATION, since, until):
        key = d["model"] or "(no model)"
        m = merged.setdefault(
            key, {"model": key, "count": 0, "bounds": d["bounds"], "counts": None, "max": None, "min": None}
        )
        m["count"] += d["count"]
        if m["bounds"] == d["bounds"] and len(d["counts"]) == len(d["bounds"]) + 1:
            previous = m["counts"] or [0] * len(d["counts"])
            m["counts"] = [a + b for a, b in zip(previous, d["counts"], strict=True)]
        if d["max"] is not None:
            m["max"] = d["max"] if m["max"] is None else max(m["max"], d["max"])
        if d["min"] is not None:
            m["min"] = d["min"] if m["min"] is None else min(m["min"], d["min"])
    durations = []
    for m in merged.values():
        row = {"model": m["model"], "count": m["count"]}
        for q in (50, 95, 99):
            value = histogram_percentile(m["bounds"], m["counts"] or [], q, m["min"], m["max"])
            row[f"p{q}_ms"] = None if value is None else value * 1000
        durations.append(row)
    tokens: dict[tuple[str, str], float] = defaultdict(float)
    for d in _series_deltas(conn, gn.METRIC_TOKEN_USAGE, since, until):
        tokens[(d["model"] or "(no model)", d["token_type"] or "")] += d["sum"]
    return {
        "durations": sorted(durations, key=lambda r: -r["count"]),
        "token_usage": [{"model": m, "token_type": t, "sum": s} for (m, t), s in sorted(tokens.items())],
    }


def data_window(conn: Reader) -> tuple[int, int] | None:
    """The window from the first to the last stored model call or GenAI metric point, in whole bars
    (at least ``MIN_WINDOW_BARS``, the data in the middle).

    None when there is neither. Each end is one read of an index in time order.
    """
    times: list[int] = []
    for order in ("ASC", "DESC"):
        row = conn.execute(
            f"SELECT start_ns FROM spans WHERE {MODEL_CALL_CONDITION} ORDER BY start_ns {order} LIMIT 1"
        ).fetchone()
        times += [row[0]] if row else []
        for name in (gn.METRIC_OPERATION_DURATION, gn.METRIC_TOKEN_USAGE):
            row = conn.execute(
                f"SELECT time_ns FROM metric_points WHERE name = ? ORDER BY time_ns {order} LIMIT 1", (name,)
            ).fetchone()
            times += [row[0]] if row else []
    if not times:
        return None
    first, last = min(times), max(times)
    width = _bucket_size(last - first + 1)
    since, until = first - first % width, (last // width + 1) * width
    # A few bars of data sit amid empty ones, so one bar is not the whole chart.
    missing = max(0, MIN_WINDOW_BARS - (until - since) // width)
    return since - (missing - missing // 2) * width, until + missing // 2 * width


def overview(conn: Reader, since_ns: int, until_ns: int) -> dict[str, Any]:
    """All figures of the overview page for the window ``[since_ns, until_ns)``."""
    width = _bucket_size(max(1, until_ns - since_ns))
    spans = _span_figures(conn, since_ns, until_ns, width)
    models = spans["models"]
    priced = [m["cost_usd"] for m in models if m["cost_usd"] is not None]
    calls = sum(m["calls"] for m in models)
    errors = sum(m["errors"] for m in models)
    return {
        "since_ms": since_ns / 1e6,
        "until_ms": until_ns / 1e6,
        "bucket_ms": width / 1e6,
        "totals": {
            "calls": calls,
            "errors": errors,
            "error_rate": errors / calls if calls else 0.0,
            "input_tokens": sum(m["input_tokens"] for m in models),
            "output_tokens": sum(m["output_tokens"] for m in models),
            "cost_usd": sum(priced) if priced else None,
            "unpriced_calls": sum(m["unpriced_calls"] for m in models),
        },
        "models": models,
        "series": spans["series"],
        "cost_approximate": spans["cost_approximate"],
        "metrics": _metric_figures(conn, since_ns, until_ns),
    }
