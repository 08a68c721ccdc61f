"""What the mock knows about Claude model names: aliases and the snapshots reported back."""

from __future__ import annotations

import re

# Alias -> the dated snapshot the real API reports back in ``model``.
SNAPSHOTS: dict[str, str] = {
    "claude-3-haiku": "claude-3-haiku-20240307",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
    "claude-3-5-sonnet-latest": "claude-3-5-sonnet-20241022",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-opus-4-0": "claude-opus-4-20250514",
    "claude-opus-4-1": "claude-opus-4-1-20250805",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-opus-4-5": "claude-opus-4-5-20251101",
}

# Bedrock's model ids add a vendor prefix (after a region group's, maybe) and a version
# suffix to the snapshot: us.anthropic.claude-3-5-haiku-20241022-v1:0. Vertex AI's
# "claude-sonnet-4-5@20250929" is reported as sent.
_BEDROCK_ID = re.compile(r"^(?:[a-z]{2,4}\.)?anthropic\.(?P<snapshot>.+?)(?:-v\d+(?::\d+)?)?$")


def snapshot_of(model: str) -> str:
    """The dated snapshot reported for *model*; names the mock does not know echo as sent."""
    bedrock = _BEDROCK_ID.match(model)
    if bedrock is not None:
        return bedrock["snapshot"]
    return SNAPSHOTS.get(model, model)
