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

from otel_genai.mock_openai.azure import check_azure_access
from otel_genai.mock_openai.context import RequestContext
from otel_genai.mock_openai.errors import MockAPIError, error_for_status, unparsable_body
from otel_genai.mock_openai.scenarios import Scenario, ScenarioError, parse_scenario
from otel_genai.mock_openai.state import MockState
from otel_genai.mock_openai.wire import JSONReply, Reply, render_bodiless_error, render_error, render_reply

Handler = Callable[[Mapping[str, Any], RequestContext], Reply]
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(handler: Handler, *, azure: bool = False, azure_needs_version: bool = True) -> Endpoint:
    """A Starlette endpoint running *handler* through the common pipeline.

    *azure* routes check Azure's credentials (and ``api-version`` when
    *azure_needs_version*) and take the model from the ``deployment`` path parameter.
    """

    async def run(request: Request) -> Response:
        started = time.monotonic()
        try:
            scenario = parse_scenario(request.headers.get("x-mock-scenario"))
        except ScenarioError as exc:
            return render_error(MockAPIError(400, str(exc), param="x-mock-scenario"), Scenario(), started)
        if scenario.slow_ms:
            await asyncio.sleep(scenario.slow_ms / 1000)
        if scenario.hang:
            await _until_client_leaves(request)
            return Response(status_code=499)  # nobody reads it: the client is gone
        state: MockState = request.app.state.mock
        forced_status = _forced_failure(scenario, request, state)
        if forced_status is not None:
            if scenario.error_without_body and forced_status == scenario.error_status:
                return render_bodiless_error(forced_status, scenario, started)
            return render_error(error_for_status(forced_status), scenario, started)
        try:
            if azure:
                check_azure_access(request.headers, request.query_params, needs_version=azure_needs_version)
            body = await _json_body(request)
            ctx = RequestContext(
                path=request.url.path,
                headers=request.headers,
                path_params=request.path_params,
                scenario=scenario,
                state=state,
                now=int(time.time()),
                deployment=request.path_params.get("deployment"),
                azure=azure,
            )
            reply = handler(body, ctx)
        except MockAPIError as exc:
            return render_error(exc, scenario, started)
        if scenario.stream_error and isinstance(reply, JSONReply):
            # Without a stream to break, a failure mid-generation is a plain server error.
            return render_error(error_for_status(500), scenario, started)
        return render_reply(reply, scenario, started)

    return run


async def _until_client_leaves(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _forced_failure(scenario: Scenario, request: Request, state: MockState) -> int | None:
    """The error status the scenario imposes on this attempt, if any."""
    if scenario.fail_times is not None:
        key = request.headers.get("x-mock-scenario-key") or scenario.text
        if state.attempts.next_attempt(key) <= scenario.fail_times.count:
            return scenario.fail_times.status
    return scenario.error_status


async def _json_body(request: Request) -> Mapping[str, Any]:
    if request.method != "POST":
        return {}
    raw = await request.body()
    try:
        body = json.loads(raw)
    except ValueError:
        raise unparsable_body() from None
    if not isinstance(body, dict):
        raise unparsable_body()
    return body
