"""The ``x-mock-scenario`` header: parsing it into a :class:`Scenario`.

The package docstring lists what each scenario does; the app's state counts
``fail-times`` attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

BODY_FAULTS = frozenset({"malformed-json", "missing-fields", "wrong-types", "empty-choices"})

# Scenario errors tell the client to retry after this long, so retry tests stay fast.
DEFAULT_RETRY_AFTER_MS = 10


class ScenarioError(ValueError):
    """The header names a scenario that does not exist or has a bad argument."""


@dataclass(frozen=True)
class FailTimes:
    """``fail-times:<count>:<status>``: the first *count* attempts fail with *status*."""

    count: int
    status: int


@dataclass(frozen=True)
class Scenario:
    """Everything one request's ``x-mock-scenario`` header asks for."""

    text: str = ""
    slow_ms: int = 0
    error_status: int | None = None
    error_without_body: bool = False
    fail_times: FailTimes | None = None
    body_faults: frozenset[str] = field(default_factory=frozenset)
    cut_after: int | None = None
    reset_after: int | None = None
    stall_after: int | None = None
    hang: bool = False
    stream_error: bool = False
    retry_after_ms: int = DEFAULT_RETRY_AFTER_MS


def parse_scenario(header: str | None) -> Scenario:
    """Parse a comma-separated ``x-mock-scenario`` value; raise :class:`ScenarioError` on a bad one."""
    if not header or not header.strip():
        return Scenario()
    scenario = Scenario(text=header.strip())
    for raw in header.split(","):
        item = raw.strip()
        if item:
            scenario = _apply_entry(scenario, item)
    return scenario


def _apply_entry(scenario: Scenario, item: str) -> Scenario:
    name, _, argument = item.partition(":")
    if name in BODY_FAULTS and not argument:
        return replace(scenario, body_faults=scenario.body_faults | {name})
    if name == "stream-error" and not argument:
        return replace(scenario, stream_error=True)
    if name == "hang" and not argument:
        return replace(scenario, hang=True)
    if name == "slow":
        return replace(scenario, slow_ms=_number(item, argument))
    if name == "retry-after-ms":
        return replace(scenario, retry_after_ms=_number(item, argument))
    if name in ("error", "error-no-body"):
        return replace(scenario, error_status=_status(item, argument), error_without_body=name == "error-no-body")
    if name == "cut-stream":
        return replace(scenario, cut_after=_number(item, argument))
    if name == "reset-stream":
        return replace(scenario, reset_after=_number(item, argument))
    if name == "stall-stream":
        return replace(scenario, stall_after=_number(item, argument))
    if name == "fail-times":
        count, _, status = argument.partition(":")
        return replace(scenario, fail_times=FailTimes(_number(item, count), _status(item, status)))
    raise ScenarioError(f"Unknown x-mock-scenario entry {item!r}.")


def _number(item: str, text: str) -> int:
    if not text.isdigit():
        raise ScenarioError(f"x-mock-scenario entry {item!r} needs a non-negative integer argument.")
    return int(text)


def _status(item: str, text: str) -> int:
    status = _number(item, text)
    if not 400 <= status <= 599:
        raise ScenarioError(f"x-mock-scenario entry {item!r} needs an HTTP error status (400-599).")
    return status
