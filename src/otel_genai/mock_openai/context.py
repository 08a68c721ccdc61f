"""What a handler knows about the request besides its JSON body."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from otel_genai.mock_openai.errors import MockAPIError, invalid_value, model_not_found
from otel_genai.mock_openai.model_catalogue import is_missing_model
from otel_genai.mock_openai.scenarios import Scenario
from otel_genai.mock_openai.state import MockState

# ``x-mock-chunks`` beyond this is surely a typo, and would only exhaust memory.
_MAX_FORCED_CHUNKS = 1_000_000


@dataclass(frozen=True)
class RequestContext:
    """The request's routing, headers and scenario, and the app's state."""

    path: str
    headers: Mapping[str, str]
    path_params: Mapping[str, str]
    scenario: Scenario
    state: MockState
    now: int
    deployment: str | None = None
    azure: bool = False

    @property
    def forced_reply(self) -> str | None:
        """The ``x-mock-reply`` header: the exact reply text to send."""
        return self.headers.get("x-mock-reply")

    @property
    def forced_chunks(self) -> int | None:
        """The ``x-mock-chunks`` header: how many content tokens (stream chunks) the reply has."""
        raw = self.headers.get("x-mock-chunks")
        if raw is None:
            return None
        if not raw.strip().isdigit() or int(raw) > _MAX_FORCED_CHUNKS:
            raise invalid_value("x-mock-chunks", f"x-mock-chunks must be an integer 0..{_MAX_FORCED_CHUNKS}.")
        return int(raw)


def resolve_model(
    body: Mapping[str, Any],
    ctx: RequestContext,
    *,
    not_found: Callable[[str], MockAPIError] = model_not_found,
) -> str:
    """The model the request is for: the Azure deployment, else ``model``; 400 or 404 if unusable."""
    model = ctx.deployment or body.get("model")
    if model is None or model == "":
        raise MockAPIError(400, "you must provide a model parameter", param="model")
    if not isinstance(model, str):
        raise invalid_value("model", "Invalid type for 'model': expected a string.")
    if is_missing_model(model):
        raise not_found(model)
    return model
