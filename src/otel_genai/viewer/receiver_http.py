"""The OTLP/HTTP receiver: ``POST /v1/traces``, ``/v1/metrics`` and ``/v1/logs``.

Accepts binary protobuf and OTLP/JSON, plain or gzip. Answers 200 only after the rows
are committed; 400 for a malformed body, 413 past the size limit, 415 for another
content type, 401 without the token, 503 if the store fails (exporters retry on 503).
Any other path is 404. Browsers' CORS preflights are answered for the origins allowed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from google.rpc import status_pb2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from otel_genai.viewer.access import authorized
from otel_genai.viewer.ingest import ingest
from otel_genai.viewer.otlp_decode import (
    MalformedRequest,
    RequestTooLarge,
    Signal,
    decompress,
    encode_response,
    parse_request,
)
from otel_genai.viewer.store import Store

log = logging.getLogger(__name__)

_PROTOBUF = "application/x-protobuf"
_JSON = "application/json"


def _error(status: int, message: str, encoding: Literal["protobuf", "json"]) -> Response:
    # OTLP/HTTP wants a google.rpc.Status body in the request's encoding.
    if encoding == "json":
        body = json.dumps({"code": status, "message": message}).encode()
        return Response(body, status_code=status, media_type=_JSON)
    body = status_pb2.Status(code=status, message=message).SerializeToString()
    return Response(body, status_code=status, media_type=_PROTOBUF)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"request body exceeds {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(f"request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def receiver_app(
    store: Store, *, max_request_bytes: int, token: str | None, cors_origins: Sequence[str] = ()
) -> Starlette:
    """The Starlette application that serves the three OTLP/HTTP signal paths.

    ``cors_origins`` lets pages from those origins export from the browser: the CORS
    preflight is answered before the token check, as browsers send it without credentials.
    """

    def store_request(signal: Signal, body: bytes, encoding: str, content_encoding: str) -> None:
        # Runs in a worker thread: decoding and SQLite writes must not block the event loop.
        payload = decompress(body, content_encoding, max_request_bytes)
        message = parse_request(signal, payload, encoding)  # type: ignore[arg-type]
        ingest(store, signal, message)

    def endpoint(signal: Signal) -> Callable[[Request], Awaitable[Response]]:
        async def export(request: Request) -> Response:
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            encoding: Literal["protobuf", "json"] = "json" if media_type == _JSON else "protobuf"
            if not authorized(token, request.headers.get("authorization")):
                return _error(401, "missing or wrong bearer token", encoding)
            if media_type not in (_PROTOBUF, _JSON):
                return _error(415, f"unsupported Content-Type {media_type!r}", encoding)
            try:
                body = await _read_body(request, max_request_bytes)
                await run_in_threadpool(
                    store_request, signal, body, encoding, request.headers.get("content-encoding", "")
                )
            except RequestTooLarge as exc:
                return _error(413, str(exc), encoding)
            except MalformedRequest as exc:
                return _error(400, str(exc), encoding)
            except Exception:
                log.exception("could not store an OTLP %s request", signal)
                return _error(503, "the store failed; retry later", encoding)
            media = _JSON if encoding == "json" else _PROTOBUF
            return Response(encode_response(signal, encoding), media_type=media)

        return export

    routes = [
        Route("/v1/traces", endpoint("traces"), methods=["POST"]),
        Route("/v1/metrics", endpoint("metrics"), methods=["POST"]),
        Route("/v1/logs", endpoint("logs"), methods=["POST"]),
    ]
    middleware = []
    if cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["POST"],
                allow_headers=["*"],
                max_age=600,
            )
        )
    return Starlette(routes=routes, middleware=middleware)
