"""The path every API request takes: scenario, faults, body parsing, the handler, rendering.

Scenario faults that stand in for the whole request (slowness, forced errors,
``fail-times``) act before the body is even read, as a failing proxy or an
overloaded API would; everything else is the handler's business.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from otel_genai.mock_openai.faults.scenarios import Scenario, ScenarioError, parse_scenario
from otel_genai.mock_openai.pipeline.context import RequestContext, RequestHeaderError, read_forced_chunks
from otel_genai.mock_openai.pipeline.dialect import Dialect
from otel_genai.mock_openai.pipeline.errors import MockAPIError
from otel_genai.mock_openai.pipeline.state import MockState
from otel_genai.mock_openai.pipeline.wire import JSONReply, Reply, render_bodiless_error, render_error, render_reply

Handler = Callable[[Mapping[str, Any], RequestContext], Reply]
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(handler: Handler, dialect: Dialect, *, platform: str = "") -> Endpoint:
    """A Starlette endpoint running *handler* through the common pipeline, speaking *dialect*.

    *platform* is passed on to the handler in :attr:`RequestContext.platform`.
    """

    async def run(request: Request) -> Response:
        started = time.monotonic()
        try:
            scenario = parse_scenario(request.headers.get("x-mock-scenario"))
        except ScenarioError as exc:
            return render_error(dialect.bad_header("x-mock-scenario", str(exc)), dialect, Scenario(), started)
        if scenario.slow_ms:
            await asyncio.sleep(scenario.slow_ms / 1000)
        if scenario.hang:
            await _until_client_leaves(request)
            return Response(status_code=499)  # nobody reads it: the client is gone
        state: MockState = request.app.state.mock
        forced_status = _forced_failure(scenario, request, state)
        if forced_status is not None:
            if scenario.error_without_body and forced_status == scenario.error_status:
                return render_bodiless_error(forced_status, dialect, scenario, started)
            return render_error(dialect.error_for_status(forced_status), dialect, scenario, started)
        try:
            if dialect.access_check is not None:
                dialect.access_check(request.headers, request.query_params)
            body = await _json_body(request, dialect)
            ctx = RequestContext(
                path=request.url.path,
                headers=request.headers,
                path_params=request.path_params,
                scenario=scenario,
                state=state,
                now=int(time.time()),
                query=request.query_params,
                platform=platform,
                forced_chunks=read_forced_chunks(request.headers),
            )
            reply = handler(body, ctx)
        except RequestHeaderError as exc:
            return render_error(dialect.bad_header(exc.header, str(exc)), dialect, scenario, started)
        except MockAPIError as exc:
            return render_error(exc, dialect, scenario, started)
        if scenario.stream_error and isinstance(reply, JSONReply):
            # Without a stream to break, a failure mid-generation is a plain server error.
            return render_error(dialect.error_for_status(500), dialect, scenario, started)
        return render_reply(reply, dialect, scenario, started)

    return run


async def _until_client_leaves(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _forced_failure(scenario: Scenario, request: Request, state: MockState) -> int | None:
    """The error status the scenario imposes on this attempt, if any."""
    if scenario.fail_times is not None:
        key = request.headers.get("x-mock-scenario-key") or scenario.text
        if state.attempts.next_number(key) <= scenario.fail_times.count:
            return scenario.fail_times.status
    return scenario.error_status


async def _json_body(request: Request, dialect: Dialect) -> Mapping[str, Any]:
    if request.method != "POST":
        return {}
    raw = await request.body()
    try:
        body = json.loads(raw)
    except ValueError:
        raise dialect.unparsable_body() from None
    if not isinstance(body, dict):
        raise dialect.unparsable_body()
    return body
