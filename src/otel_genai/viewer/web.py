"""The web page and its JSON API.

The page is one static HTML file plus vanilla JS and CSS shipped in ``static/``; the
browser renders everything with ``textContent``, so captured content is never markup.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from otel_genai.viewer import queries
from otel_genai.viewer.access import COOKIE_NAME, authorized, token_matches
from otel_genai.viewer.config import is_loopback
from otel_genai.viewer.store import Store

STATIC_DIR = Path(__file__).parent / "static"
_SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; object-src 'none'; "
     b"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]  # fmt: skip
_PAGE_PATHS = ("/", "/traces", "/sessions", "/overview", "/logs")


class _Guard:
    """Checks the Host header and the token before anything else, and adds security headers.

    Without a token the page is reachable only by loopback host names: that stops a web
    site from reading captured prompts through DNS rebinding.
    """

    def __init__(self, app: ASGIApp, *, token: str | None, host: str) -> None:
        self.app = app
        self.token = token
        self.host = host

    def _host_allowed(self, header: str) -> bool:
        if self.token is not None:
            return True
        name = header.rsplit(":", 1)[0] if not header.endswith("]") else header
        name = name.strip("[]")
        return is_loopback(name) or name == self.host.strip("[]")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = scope["path"]
        if not self._host_allowed(request.headers.get("host", "")):
            await PlainTextResponse("unexpected Host header", status_code=421)(scope, receive, send)
            return
        public = path == "/login" or path.startswith("/static/")
        if not public and not authorized(
            self.token, request.headers.get("authorization"), request.cookies.get(COOKIE_NAME)
        ):
            if path.startswith("/api/"):
                response: Response = JSONResponse({"error": "token required"}, status_code=401)
            else:
                response = PlainTextResponse(
                    "This viewer needs its token: open the login link printed by `otel-genai ui` (/login?token=...).",
                    status_code=401,
                )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "").strip()
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None


def _ms_param_ns(request: Request, name: str) -> int | None:
    value = _int_param(request, name)
    return None if value is None else value * 1_000_000


def page_app(store: Store, *, token: str | None, host: str) -> ASGIApp:
    """The ASGI application of the page on its own port."""

    def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers={"cache-control": "no-store"})

    def login(request: Request) -> Response:
        presented = request.query_params.get("token")
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # never redirect off-site
        if token is None:
            return RedirectResponse(target, status_code=303)
        if not token_matches(presented, token):
            return PlainTextResponse("wrong token", status_code=401)
        response = RedirectResponse(quote(target, safe="/?=&:"), status_code=303)
        response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="strict", max_age=30 * 86_400)
        return response

    async def api_traces(request: Request) -> Response:
        flt = queries.TraceFilter(
            model=request.query_params.get("model") or None,
            provider=request.query_params.get("provider") or None,
            agent=request.query_params.get("agent") or None,
            errors_only=request.query_params.get("error") in ("1", "true"),
            since_ns=_ms_param_ns(request, "since"),
            until_ns=_ms_param_ns(request, "until"),
            text=request.query_params.get("q") or None,
            before=request.query_params.get("before") or None,
            limit=_int_param(request, "limit") or 50,
        )
        result = await run_in_threadpool(lambda: store.list_traces(flt))
        return JSONResponse(result)

    async def api_trace(request: Request) -> Response:
        trace_id = request.path_params["trace_id"]
        detail = await run_in_threadpool(lambda: store.trace_detail(trace_id))
        if detail is None:
            return JSONResponse({"error": "no such trace"}, status_code=404)
        return JSONResponse(detail)

    async def api_facets(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(store.facet_values))

    async def api_sessions(request: Request) -> Response:
        offset = _int_param(request, "offset") or 0
        rows = await run_in_threadpool(lambda: store.list_sessions(offset=offset))
        return JSONResponse({"sessions": rows})

    async def api_session(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        rows = await run_in_threadpool(lambda: store.session_traces(conversation_id))
        transcript = await run_in_threadpool(lambda: store.session_transcript(conversation_id))
        return JSONResponse({"conversation_id": conversation_id, "traces": rows, "transcript": transcript})

    def overview_of(since: int | None, until: int | None) -> dict[str, Any]:
        window = store.data_window() if since is None and until is None else None
        if window is None:  # an explicit window (since=0 included), or no data: up to the last hour
            until = time.time_ns() if until is None else until
            since = until - 3_600 * 1_000_000_000 if since is None else since
            window = (since, until)
        return {**store.overview(*window), "fits_data": since is None and until is None}

    async def api_overview(request: Request) -> Response:
        # Without since/until the window spans the stored data, so its bars fill the chart.
        since, until = _ms_param_ns(request, "since"), _ms_param_ns(request, "until")
        return JSONResponse(await run_in_threadpool(overview_of, since, until))

    async def api_logs(request: Request) -> Response:
        before, limit = request.query_params.get("before") or None, _int_param(request, "limit") or 100
        page = await run_in_threadpool(lambda: store.untraced_logs(before, limit))
        return JSONResponse(page)

    routes = [
        *(Route(path, index) for path in _PAGE_PATHS),
        Route("/trace/{trace_id:str}", index),
        Route("/session/{conversation_id:path}", index),
        Route("/login", login),
        Route("/api/traces", api_traces),
        Route("/api/traces/{trace_id:str}", api_trace),
        Route("/api/facets", api_facets),
        Route("/api/sessions", api_sessions),
        Route("/api/sessions/{conversation_id:path}", api_session),
        Route("/api/overview", api_overview),
        Route("/api/logs", api_logs),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return _Guard(Starlette(routes=routes), token=token, host=host)
