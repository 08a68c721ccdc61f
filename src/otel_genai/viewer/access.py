"""The access token: how receivers and the page check it.

Exporters send it as ``Authorization: Bearer <token>``; the browser gets it once through a
``/login?token=...`` link, which turns it into an HttpOnly cookie.
"""

from __future__ import annotations

import hmac

COOKIE_NAME = "otel_genai_ui_token"


def token_matches(presented: str | None, token: str) -> bool:
    """Constant-time comparison, so response timing does not leak the token."""
    if not presented:
        return False
    return hmac.compare_digest(presented.encode(), token.encode())


def bearer_token(authorization: str | None) -> str | None:
    """The token in an ``Authorization: Bearer ...`` header value, if any."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def authorized(token: str | None, authorization: str | None, cookie: str | None = None) -> bool:
    """True when no token is configured, or the header or cookie carries it."""
    if token is None:
        return True
    return token_matches(bearer_token(authorization), token) or token_matches(cookie, token)
