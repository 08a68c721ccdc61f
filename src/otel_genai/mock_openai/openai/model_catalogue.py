"""What the mock knows about model names: snapshots, embedding sizes, and which names do not exist."""

from __future__ import annotations

# Alias -> the dated snapshot the real API reports back in ``model``.
SNAPSHOTS: dict[str, str] = {
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "gpt-4": "gpt-4-0613",
    "gpt-4-turbo": "gpt-4-turbo-2024-04-09",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "gpt-5-nano": "gpt-5-nano-2025-08-07",
    "o1": "o1-2024-12-17",
    "o3": "o3-2025-04-16",
    "o3-mini": "o3-mini-2025-01-31",
    "o4-mini": "o4-mini-2025-04-16",
}

EMBEDDING_DIMENSIONS: dict[str, int] = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
DEFAULT_EMBEDDING_DIMENSIONS = 1536

# Only the third-generation embedding models accept ``dimensions``.
MODELS_WITH_ADJUSTABLE_DIMENSIONS = frozenset({"text-embedding-3-small", "text-embedding-3-large"})

LEGACY_COMPLETION_MODELS = ("gpt-3.5-turbo-instruct", "davinci-002", "babbage-002")

KNOWN_MODELS: tuple[str, ...] = (
    *SNAPSHOTS,
    *SNAPSHOTS.values(),
    *EMBEDDING_DIMENSIONS,
    *LEGACY_COMPLETION_MODELS,
)

# A fixed creation time keeps ``GET /v1/models`` byte-for-byte stable between runs.
MODEL_CREATED = 1_700_000_000

_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def snapshot_of(model: str) -> str:
    """The dated snapshot reported for *model*; names the mock does not know echo as sent."""
    return SNAPSHOTS.get(model, model)


def is_reasoning_model(model: str) -> bool:
    """True for o-series and gpt-5 models, which spend reasoning tokens."""
    return model.startswith(_REASONING_PREFIXES)


def embedding_dimensions(model: str) -> int:
    """The default vector length of *model*."""
    return EMBEDDING_DIMENSIONS.get(model, DEFAULT_EMBEDDING_DIMENSIONS)


def model_object(model: str) -> dict[str, object]:
    """One entry of ``GET /v1/models``."""
    return {"id": model, "object": "model", "created": MODEL_CREATED, "owned_by": "system"}
