"""The server behaviours every method of the table is run under, and the client options each needs."""

from __future__ import annotations

from dataclasses import dataclass

import openai


@dataclass(frozen=True)
class Scenario:
    """A server behaviour and the client options that go with it."""

    name: str
    header: str | None
    requests: int = 1  # HTTP requests one call makes
    max_retries: int = 0
    timeout: openai.Timeout | None = None


# The server never answers ("hang"), so the read timeout always fires, and only once the request
# has been sent whole: the client's connect and write steps keep a generous limit.
READ_TIMEOUT = openai.Timeout(30.0, read=1.0)
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("ok", None),
    Scenario("slow-ok", "slow:2"),
    Scenario("error:400", "error:400"),
    Scenario("error:429", "error:429"),
    Scenario("error:500", "error:500"),
    Scenario("error-no-body:503", "error-no-body:503"),
    # The server asks for a 1 ms pause between attempts: the client's own backoff would take ~1 s.
    Scenario("retried-then-ok", "fail-times:2:500,retry-after-ms:1", requests=3, max_retries=2),
    Scenario("retries-exhausted", "error:503,retry-after-ms:1", requests=3, max_retries=2),
    Scenario("malformed-json", "malformed-json"),
    Scenario("missing-fields", "missing-fields"),
    Scenario("wrong-types", "wrong-types"),
    Scenario("empty-choices", "empty-choices"),
    Scenario("cut-stream", "cut-stream:2"),
    Scenario("reset-stream", "reset-stream:2"),
    Scenario("stream-error", "stream-error"),
    Scenario("timeout", "hang", timeout=READ_TIMEOUT),
)
