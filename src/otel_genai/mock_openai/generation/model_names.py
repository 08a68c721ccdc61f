"""Model names every API of the mock treats as nonexistent, so tests can ask for a 404."""

from __future__ import annotations


def is_missing_model(model: str) -> bool:
    """True for names the mock treats as nonexistent (``does-not-exist…``, ``unknown-…``).

    ``non-existent…`` and names containing ``does-not-exist`` count too, so the
    recorded cassettes' failing requests fail here the same way.
    """
    return model.startswith(("unknown-", "non-existent")) or "does-not-exist" in model
