"""The content policy: every decision derived from capture mode, event switch and conventions."""

from __future__ import annotations

import pytest

from otel_genai.config import ContentCapture, ConventionMode, Settings
from otel_genai.core.policy import ContentPolicy

NO, SPAN, EVENT, BOTH = (
    ContentCapture.NO_CONTENT,
    ContentCapture.SPAN_ONLY,
    ContentCapture.EVENT_ONLY,
    ContentCapture.SPAN_AND_EVENT,
)
LATEST, LEGACY, DUP = ConventionMode.LATEST, ConventionMode.LEGACY, ConventionMode.DUPLICATE

# (capture, events, conventions) -> (content on span, details event, content on it,
#                                     legacy events, content in them, messages read)
CASES = [
    # Privacy by default: nothing is read, nothing is emitted.
    ((NO, False, LATEST), (False, False, False, False, False, False)),
    # Events without content: the details event carries attributes only, no messages read.
    ((NO, True, LATEST), (False, True, False, False, False, False)),
    ((SPAN, False, LATEST), (True, False, False, False, False, True)),
    ((EVENT, True, LATEST), (False, True, True, False, False, True)),
    # EVENT_ONLY with the events switched off: content has nowhere to go.
    ((EVENT, False, LATEST), (False, False, False, False, False, False)),
    ((BOTH, True, LATEST), (True, True, True, False, False, True)),
    # The pre-1.37 conventions have no content attributes on spans.
    ((SPAN, False, LEGACY), (False, False, False, False, False, False)),
    # Their per-message events list the messages (roles, tool-call ids) even without content.
    ((NO, True, LEGACY), (False, False, False, True, False, True)),
    ((EVENT, True, LEGACY), (False, False, False, True, True, True)),
    ((BOTH, True, DUP), (True, True, True, True, True, True)),
    ((SPAN, False, DUP), (True, False, False, False, False, True)),
]


@pytest.mark.parametrize(("given", "expected"), CASES, ids=[f"{c.name}-{e}-{m.value}" for (c, e, m), _ in CASES])
def test_decisions(given: tuple[ContentCapture, bool, ConventionMode], expected: tuple[bool, ...]) -> None:
    capture, events, conventions = given
    policy = ContentPolicy.from_settings(Settings(capture=capture, emit_events=events, conventions=conventions))
    got = (
        policy.content_on_span,
        policy.details_event,
        policy.content_on_details_event,
        policy.legacy_events,
        policy.content_on_legacy_events,
        policy.reads_messages,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("conventions", "latest", "legacy"), [(LATEST, True, False), (LEGACY, False, True), (DUP, True, True)]
)
def test_attribute_names_follow_the_convention_mode(conventions: ConventionMode, latest: bool, legacy: bool) -> None:
    policy = ContentPolicy.from_settings(Settings(conventions=conventions))
    assert (policy.latest_names, policy.legacy_names) == (latest, legacy)


def test_limits_and_hook_come_from_the_settings() -> None:
    def hook(invocation: object) -> None:
        return None

    policy = ContentPolicy.from_settings(Settings(max_content_length=10, max_blob_length=5, content_hook=hook))
    assert (policy.max_content_length, policy.max_blob_length, policy.content_hook) == (10, 5, hook)


def test_the_policy_is_immutable() -> None:
    policy = ContentPolicy.from_settings(Settings())
    with pytest.raises(AttributeError):
        policy.reads_messages = True  # type: ignore[misc]
