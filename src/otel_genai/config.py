"""Environment and ``instrument()`` arguments -> :class:`Settings`, read once at ``instrument()``.

The hot path never reads the environment: every call sees the one immutable
``Settings`` object built here (and the content decisions derived from it once, in
:mod:`otel_genai.core.policy`). Bad values log one warning that names the
variable and the accepted values, then fall back to the default.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from otel_genai import semconv

_log = logging.getLogger(__name__)


class ContentCapture(enum.Enum):
    """Where message content goes (``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``)."""

    NO_CONTENT = "NO_CONTENT"
    SPAN_ONLY = "SPAN_ONLY"
    EVENT_ONLY = "EVENT_ONLY"
    SPAN_AND_EVENT = "SPAN_AND_EVENT"

    @property
    def on_span(self) -> bool:
        return self in (ContentCapture.SPAN_ONLY, ContentCapture.SPAN_AND_EVENT)

    @property
    def on_event(self) -> bool:
        return self in (ContentCapture.EVENT_ONLY, ContentCapture.SPAN_AND_EVENT)


class ConventionMode(enum.Enum):
    """Which shape of the GenAI conventions to emit (``OTEL_SEMCONV_STABILITY_OPT_IN``)."""

    LATEST = "latest"
    LEGACY = "legacy"
    DUPLICATE = "dup"

    @property
    def emits_latest(self) -> bool:
        return self is not ConventionMode.LEGACY

    @property
    def emits_legacy(self) -> bool:
        return self is not ConventionMode.LATEST


#: A content hook receives the invocation record before any content is recorded and
#: may rewrite or clear its messages (for redaction). It must not raise; if it does,
#: the error is logged and content is dropped for that call.
ContentHook = Callable[[Any], None]

DEFAULT_MAX_CONTENT_LENGTH = 65_536
# Inline media is rarely worth its size in telemetry: a short prefix says what it was.
DEFAULT_MAX_BLOB_LENGTH = 4_096

_CAPTURE_ALIASES = {"TRUE": ContentCapture.SPAN_AND_EVENT, "FALSE": ContentCapture.NO_CONTENT}
_STABILITY_TOKENS = {
    "gen_ai_latest_experimental": ConventionMode.LATEST,
    "gen_ai_legacy": ConventionMode.LEGACY,
    "gen_ai/dup": ConventionMode.DUPLICATE,
}


@dataclass(frozen=True)
class Settings:
    """Everything the instrumentation decides per process, not per call."""

    capture: ContentCapture = ContentCapture.NO_CONTENT
    emit_events: bool = False
    conventions: ConventionMode = ConventionMode.LATEST
    max_content_length: int = DEFAULT_MAX_CONTENT_LENGTH
    max_blob_length: int = DEFAULT_MAX_BLOB_LENGTH
    content_hook: ContentHook | None = None
    # gen_ai.provider.name for every call, when the client cannot tell (e.g. a vLLM server).
    provider_name: str | None = None
    # {host: provider} the user added to a provider's table of known hosts.
    provider_hosts: Mapping[str, str] | None = None
    # The gen_ai.client.operation.exception event on failed calls (Recommended, so on by default).
    exception_event: bool = True


def parse_capture(value: str | None) -> ContentCapture:
    """Parse the content-capture variable; unset or empty means ``NO_CONTENT``."""
    if value is None or not value.strip():
        return ContentCapture.NO_CONTENT
    key = value.strip().upper()
    if key in _CAPTURE_ALIASES:
        return _CAPTURE_ALIASES[key]
    try:
        return ContentCapture[key]
    except KeyError:
        accepted = ", ".join([m.value for m in ContentCapture] + ["true", "false"])
        _log.warning(
            "%s=%r is not valid; accepted values (any case): %s. Using NO_CONTENT.",
            semconv.ENV_CAPTURE_MESSAGE_CONTENT,
            value,
            accepted,
        )
        return ContentCapture.NO_CONTENT


def parse_conventions(value: str | None) -> ConventionMode:
    """Parse the GenAI tokens of ``OTEL_SEMCONV_STABILITY_OPT_IN``.

    The variable is shared with other instrumentations (``http``, ``database`` ...),
    so only tokens that start with ``gen_ai`` are ours; an unknown one of those warns.
    """
    mode = ConventionMode.LATEST
    if not value:
        return mode
    for token in (t.strip() for t in value.split(",")):
        if not token.startswith("gen_ai"):
            continue
        if token in _STABILITY_TOKENS:
            chosen = _STABILITY_TOKENS[token]
            # dup wins over legacy, legacy over latest, whatever the order of tokens.
            if chosen is ConventionMode.DUPLICATE or mode is ConventionMode.LATEST:
                mode = chosen
        else:
            _log.warning(
                "%s contains %r, which is not valid; accepted GenAI values: %s. Using the latest conventions.",
                semconv.ENV_SEMCONV_STABILITY_OPT_IN,
                token,
                ", ".join(_STABILITY_TOKENS),
            )
    return mode


def parse_bool(name: str, value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    key = value.strip().lower()
    if key in ("true", "false"):
        return key == "true"
    _log.warning("%s=%r is not valid; accepted values: true, false. Using %s.", name, value, default)
    return default


def parse_positive_int(name: str, value: str | None, default: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if number > 0:
        return number
    _log.warning("%s=%r is not valid; accepted values: a positive integer. Using %d.", name, value, default)
    return default


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    content_hook: ContentHook | None = None,
    provider_name: str | None = None,
    provider_hosts: Mapping[str, str] | None = None,
) -> Settings:
    """Build the process's :class:`Settings` from the environment."""
    env = os.environ if environ is None else environ
    capture = parse_capture(env.get(semconv.ENV_CAPTURE_MESSAGE_CONTENT))
    return Settings(
        capture=capture,
        emit_events=parse_bool(semconv.ENV_EMIT_EVENT, env.get(semconv.ENV_EMIT_EVENT), capture.on_event),
        conventions=parse_conventions(env.get(semconv.ENV_SEMCONV_STABILITY_OPT_IN)),
        max_content_length=parse_positive_int(
            semconv.ENV_MAX_CONTENT_LENGTH,
            env.get(semconv.ENV_MAX_CONTENT_LENGTH),
            DEFAULT_MAX_CONTENT_LENGTH,
        ),
        max_blob_length=parse_positive_int(
            semconv.ENV_MAX_BLOB_LENGTH,
            env.get(semconv.ENV_MAX_BLOB_LENGTH),
            DEFAULT_MAX_BLOB_LENGTH,
        ),
        content_hook=content_hook,
        provider_name=provider_name or (env.get(semconv.ENV_PROVIDER_NAME) or "").strip() or None,
        provider_hosts=dict(provider_hosts) if provider_hosts else None,
        exception_event=parse_bool(
            semconv.ENV_EMIT_EXCEPTION_EVENT, env.get(semconv.ENV_EMIT_EXCEPTION_EVENT), default=True
        ),
    )
