"""One line, with the fix, for the failures a demo user can cause; None for anything else.

The app's exception is read from the span's ``error.type`` (the telemetry the demo just
printed) or, without a span, from the last line of the app's traceback.
"""

from __future__ import annotations

import re

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_OFFLINE = "or unset OPENAI_API_KEY to run offline against the local endpoint"
# The last line of a Python traceback: ``module.ExceptionName: message``.
_RAISED = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Timeout)): ?(?P<message>.*)$")


def raised_in(stderr: str) -> tuple[str | None, str]:
    """The exception type and message on the traceback's last line, if it has one."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    match = _RAISED.match(lines[-1]) if lines else None
    if match is None:
        return None, ""
    return match["type"], match["message"]


def explain(error_type: str | None, message: str, base_url: str) -> str | None:
    """The one-line explanation of a failed demo call, or None when it is not one we know."""
    name = (error_type or "").rsplit(".", 1)[-1]
    if name == "AuthenticationError":
        return f"the server at {base_url} refused OPENAI_API_KEY (401): set a valid key, {_OFFLINE}."
    if name == "PermissionDeniedError":
        return (
            f"the server at {base_url} denied this OPENAI_API_KEY access (403): "
            f"check the key's project and permissions, {_OFFLINE}."
        )
    if name == "APITimeoutError":
        return f"no answer from {base_url} in time: check your network and OPENAI_BASE_URL, {_OFFLINE}."
    if name == "APIConnectionError":
        return f"cannot connect to {base_url}: check your network and OPENAI_BASE_URL, {_OFFLINE}."
    if name == "NotFoundError":
        detail = message.split(" - ", 1)[-1] if message else "404"
        return (
            f"the server at {base_url} answered 404 ({detail}): check OPENAI_BASE_URL "
            "(OpenAI-compatible servers usually end in /v1) and CHAT_MODEL."
        )
    if name == "RateLimitError":
        return f"the server at {base_url} answered 429 (rate limit or quota): check your plan and billing, {_OFFLINE}."
    return None
