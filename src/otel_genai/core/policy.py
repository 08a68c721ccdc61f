"""Every content and convention decision, made once at ``instrument()``.

Three settings interact: the content capture mode (where content may go), the event
switch (whether events are emitted at all) and the convention mode (latest names,
legacy names, or both). :class:`ContentPolicy` turns them into the plain answers the
rest of the code asks, so no other module combines settings itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from otel_genai.config import ContentHook, Settings


@dataclass(frozen=True, slots=True)
class ContentPolicy:
    """What one instrumentation records, beyond what every call records."""

    # Attribute names: the latest conventions', the pre-1.37 ones, or both.
    latest_names: bool
    legacy_names: bool
    # gen_ai.input.messages & co. as JSON span attributes.
    content_on_span: bool
    # The gen_ai.client.inference.operation.details event, and whether it carries content.
    details_event: bool
    content_on_details_event: bool
    # The pre-1.37 per-message events, and whether their bodies carry content.
    legacy_events: bool
    content_on_legacy_events: bool
    # The one answer adapters get: read the messages of a recording call? True when any
    # signal above records them (the legacy events list messages even without content).
    reads_messages: bool
    max_content_length: int
    max_blob_length: int
    content_hook: ContentHook | None
    # The gen_ai.client.operation.exception event of a failed call: a latest-conventions event.
    exception_event: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> ContentPolicy:
        latest = settings.conventions.emits_latest
        legacy = settings.conventions.emits_legacy
        events = settings.emit_events
        content_on_span = settings.capture.on_span and latest
        content_on_details_event = settings.capture.on_event and events and latest
        legacy_events = events and legacy
        return cls(
            latest_names=latest,
            legacy_names=legacy,
            content_on_span=content_on_span,
            details_event=events and latest,
            content_on_details_event=content_on_details_event,
            legacy_events=legacy_events,
            content_on_legacy_events=legacy_events and settings.capture.on_event,
            reads_messages=content_on_span or content_on_details_event or legacy_events,
            max_content_length=settings.max_content_length,
            max_blob_length=settings.max_blob_length,
            content_hook=settings.content_hook,
            exception_event=settings.exception_event and latest,
        )

    @property
    def emits_events(self) -> bool:
        return self.details_event or self.legacy_events

    @property
    def content_values_needed(self) -> bool:
        """Whether the latest-convention content values (span JSON or details event) are built."""
        return self.content_on_span or self.content_on_details_event
