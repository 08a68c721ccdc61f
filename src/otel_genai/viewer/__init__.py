"""``otel-genai ui``: a local GenAI trace viewer with OTLP receivers, SQLite and a web page.

The viewer reads standard OTLP only, so it shows telemetry from any GenAI
instrumentation; it imports nothing from the rest of this package.
"""

from __future__ import annotations

import re

_TRACE_ID = re.compile(r"^[0-9a-fA-F]{32}$")


def trace_url(page_base_url: str, trace_id_hex: str) -> str:
    """The page URL that opens one trace, e.g. for a demo to print after its run.

    ``page_base_url`` is the page's address as printed by ``otel-genai ui``
    (``http://127.0.0.1:4319`` by default); ``trace_id_hex`` is the 32-digit trace id.
    """
    if not _TRACE_ID.match(trace_id_hex):
        raise ValueError(f"a trace id is 32 hex digits, got {trace_id_hex!r}")
    return f"{page_base_url.rstrip('/')}/trace/{trace_id_hex.lower()}"


__all__ = ["trace_url"]
