"""What a handler knows about the request besides its JSON body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from otel_genai.mock_openai.faults.scenarios import Scenario
from otel_genai.mock_openai.pipeline.state import MockState

# ``x-mock-chunks`` beyond this is surely a typo, and would only exhaust memory.
MAX_FORCED_CHUNKS = 1_000_000


class RequestHeaderError(ValueError):
    """An ``x-mock-*`` steering header has a value the mock can not use."""

    def __init__(self, header: str, message: str) -> None:
        super().__init__(message)
        self.header = header


@dataclass(frozen=True)
class RequestContext:
    """The request's routing, headers and scenario, and the app's state.

    *platform* names the host a route imitates when an API is served from more
    than one (``azure`` for OpenAI, ``bedrock`` or ``vertex`` for Anthropic);
    it is empty on the API's own host.
    """

    path: str
    headers: Mapping[str, str]
    path_params: Mapping[str, str]
    scenario: Scenario
    state: MockState
    now: int
    query: Mapping[str, str] | None = None
    platform: str = ""
    forced_chunks: int | None = None
    """The ``x-mock-chunks`` header: how many content tokens (stream chunks) the reply has."""

    @property
    def forced_reply(self) -> str | None:
        """The ``x-mock-reply`` header: the exact reply text to send."""
        return self.headers.get("x-mock-reply")


def read_forced_chunks(headers: Mapping[str, str]) -> int | None:
    """The ``x-mock-chunks`` header as a number; :class:`RequestHeaderError` when it is not one."""
    raw = headers.get("x-mock-chunks")
    if raw is None:
        return None
    if not raw.strip().isdigit() or int(raw) > MAX_FORCED_CHUNKS:
        raise RequestHeaderError("x-mock-chunks", f"x-mock-chunks must be an integer 0..{MAX_FORCED_CHUNKS}.")
    return int(raw)
