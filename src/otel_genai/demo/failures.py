"""One line, with the fix, for the failures a demo user can cause; None for anything else.

The app's exception is read from the span's ``error.type`` (the telemetry the demo just
printed) or, without a span, from the last line of the app's traceback.
"""

from __future__ import annotations

import re

from otel_genai.demo.providers import OPENAI, DemoProvider

# The last line of a Python traceback: ``module.ExceptionName: message``.
_RAISED = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Timeout)): ?(?P<message>.*)$")


def raised_in(stderr: str) -> tuple[str | None, str]:
    """The exception type and message on the traceback's last line, if it has one."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    match = _RAISED.match(lines[-1]) if lines else None
    if match is None:
        return None, ""
    return match["type"], match["message"]


def explain(error_type: str | None, message: str, base_url: str, provider: DemoProvider = OPENAI) -> str | None:
    """The one-line explanation of a failed demo call, or None when it is not one we know.

    The ``openai`` and ``anthropic`` clients name these exceptions alike.
    """
    name = (error_type or "").rsplit(".", 1)[-1]
    key, base = provider.key_env, provider.base_url_env
    offline = f"or unset {key} to run offline against the local endpoint"
    if name == "AuthenticationError":
        return f"the server at {base_url} refused {key} (401): set a valid key, {offline}."
    if name == "PermissionDeniedError":
        return (
            f"the server at {base_url} denied this {key} access (403): "
            f"check the key's project and permissions, {offline}."
        )
    if name == "APITimeoutError":
        return f"no answer from {base_url} in time: check your network and {base}, {offline}."
    if name == "APIConnectionError":
        return f"cannot connect to {base_url}: check your network and {base}, {offline}."
    if name == "NotFoundError":
        detail = message.split(" - ", 1)[-1] if message else "404"
        return (
            f"the server at {base_url} answered 404 ({detail}): check {base} "
            f"({provider.base_url_hint}) and CHAT_MODEL."
        )
    if name == "RateLimitError":
        return f"the server at {base_url} answered 429 (rate limit or quota): check your plan and billing, {offline}."
    return None
