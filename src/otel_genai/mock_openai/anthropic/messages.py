"""``POST /v1/messages``: the Messages API handler, and the non-streamed ``message`` object.

Vertex AI and Amazon Bedrock serve the same API under their own URLs: the model
and whether to stream come from the URL, and the body names the API version in
``anthropic_version`` instead of a header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.mock_openai.anthropic import params
from otel_genai.mock_openai.anthropic.errors import invalid_request
from otel_genai.mock_openai.anthropic.plan import MessagePlan, plan_message
from otel_genai.mock_openai.anthropic.stream import message_head, message_stream_events
from otel_genai.mock_openai.pipeline.context import RequestContext
from otel_genai.mock_openai.pipeline.wire import JSONReply, Reply, StreamReply

# The ``anthropic_version`` each cloud's body carries; newer clients send the dated API version instead.
BODY_API_VERSIONS = {"bedrock": "bedrock-2023-05-31", "vertex": "vertex-2023-10-16"}


def create_message(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """Handle one ``POST /v1/messages``."""
    return _reply(body, ctx, params.required_model(body, None), params.wants_stream(body))


def create_cloud_message(body: Mapping[str, Any], ctx: RequestContext, *, stream: bool) -> Reply:
    """Handle a Messages request on a cloud route (``{model}`` in the path; *stream* from the URL)."""
    expected = BODY_API_VERSIONS[ctx.platform]
    version = body.get("anthropic_version")
    if version != expected and not (isinstance(version, str) and params.is_api_version(version)):
        raise invalid_request(f"anthropic_version: Input should be '{expected}'")
    return _reply(body, ctx, params.required_model(body, ctx.path_params["model"]), stream)


def _reply(body: Mapping[str, Any], ctx: RequestContext, model: str, stream: bool) -> Reply:
    plan = plan_message(body, ctx, model)
    if stream:
        return StreamReply(message_stream_events(plan, stream_error=ctx.scenario.stream_error))
    return JSONReply(message_body(plan))


def message_body(plan: MessagePlan) -> dict[str, Any]:
    """The non-streamed ``message`` object."""
    return {
        **message_head(plan),
        "content": [block.body() for block in plan.blocks],
        "stop_reason": plan.stop_reason,
        "stop_sequence": plan.stop_sequence,
        "usage": plan.usage(),
    }
