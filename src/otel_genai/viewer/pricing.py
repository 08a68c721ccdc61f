"""Estimated cost of model calls, from the maintained ``genai-prices`` package.

No price is typed here. Pricing one call takes ~0.1 ms in ``genai-prices``, too slow for
the ingest path, so prices are computed when a page asks and memoized per exact usage.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone

from genai_prices import Usage, calc_price, types

# Semantic-convention provider names whose genai-prices id is spelled differently.
# Names absent here are tried as they are, then without a provider (model-only match).
_PROVIDER_IDS = {
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "aws.bedrock": "aws",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "gemini": "google",
    "vertex_ai": "google",
    "mistral_ai": "mistral",
    "x_ai": "x-ai",
    "xai": "x-ai",
    "moonshot_ai": "moonshotai",
}

_MEMO_LIMIT = 50_000


@dataclass(frozen=True)
class TokenUsage:
    """Token counts of one call, in semantic-convention terms (cached ⊂ input, reasoning ⊂ output)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class CallPrice:
    """The estimate for one call; ``usd`` is None when genai-prices knows no price."""

    usd: float | None
    reason: str | None = None


class PriceBook:
    """Thread-safe, memoized access to genai-prices."""

    def __init__(self) -> None:
        self._memo: OrderedDict[tuple[object, ...], CallPrice] = OrderedDict()
        self._linear: dict[tuple[object, ...], bool | None] = {}
        self._lock = threading.Lock()

    def price(self, model: str | None, provider: str | None, usage: TokenUsage, when_ns: int) -> CallPrice:
        """Estimate the price of one call made at ``when_ns`` (prices change over time)."""
        if not model:
            return CallPrice(None, "no model name")
        day = when_ns // 86_400_000_000_000
        key = (model, provider, usage, day)
        with self._lock:
            cached = self._memo.get(key)
            if cached is not None:
                self._memo.move_to_end(key)
                return cached
        result = self._calculate(model, provider, usage, day)
        with self._lock:
            self._memo[key] = result
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.popitem(last=False)
        return result

    def sums_price_exactly(self, model: str | None, provider: str | None, when_ns: int) -> bool | None:
        """Whether pricing summed usage equals summing per-call prices for this model.

        True for flat per-token prices; False when a price depends on the size of one
        request (tiers) or is charged per request; None when there is no price at all.
        """
        if not model:
            return None
        day = when_ns // 86_400_000_000_000
        key = (model, provider, day)
        with self._lock:
            if key in self._linear:
                return self._linear[key]
        calculation = self._lookup(model, provider, datetime.fromtimestamp(day * 86_400, tz=timezone.utc))
        answer: bool | None = None
        if calculation is not None:
            answer = not any(
                isinstance(value, types.TieredPrices) or "request" in name
                for name, value in vars(calculation.model_price).items()
                if value is not None
            )
        with self._lock:
            self._linear[key] = answer
        return answer

    @staticmethod
    def _lookup(model: str, provider: str | None, when: datetime) -> types.PriceCalculation | None:
        """A price calculation for a token of input, to see which price applies, if any."""
        for provider_id in ([_PROVIDER_IDS.get(provider, provider)] if provider else []) + [None]:
            try:
                return calc_price(Usage(input_tokens=1), model, provider_id=provider_id, genai_request_timestamp=when)
            except LookupError:
                continue
            except (ValueError, ArithmeticError):
                return None
        return None

    @staticmethod
    def _calculate(model: str, provider: str | None, usage: TokenUsage, day: int) -> CallPrice:
        when = datetime.fromtimestamp(day * 86_400, tz=timezone.utc)
        # genai-prices counts cache reads and writes inside input_tokens, as the conventions do.
        prices_usage = Usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens or None,
            cache_write_tokens=usage.cache_write_tokens or None,
        )
        candidates: list[str | None] = []
        if provider:
            candidates.append(_PROVIDER_IDS.get(provider, provider))
        candidates.append(None)
        for provider_id in candidates:
            try:
                calculation = calc_price(prices_usage, model, provider_id=provider_id, genai_request_timestamp=when)
            except LookupError:
                continue
            except (ValueError, ArithmeticError) as exc:
                return CallPrice(None, f"genai-prices could not price it: {exc}")
            return CallPrice(float(calculation.total_price))
        return CallPrice(None, f"no price for model {model!r} in genai-prices")


PRICE_BOOK = PriceBook()
