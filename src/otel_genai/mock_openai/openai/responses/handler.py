"""``POST /v1/responses`` and ``GET /v1/responses/{id}``: the Responses API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from otel_genai.mock_openai.generation.replies import (
    FILLER_WORDS,
    WEB_SOURCE_SENTENCE,
    WEB_SOURCE_TITLE,
    WEB_SOURCE_URL,
    answer_for,
    reasoning_summary,
    requested_json_output,
    structured_answer,
    tool_results_answer,
)
from otel_genai.mock_openai.generation.tokens import count_tokens, shape_reply
from otel_genai.mock_openai.generation.tool_calls import definition_tokens
from otel_genai.mock_openai.openai.conversation import Conversation, from_responses_input
from otel_genai.mock_openai.openai.errors import OpenAIError, invalid_value
from otel_genai.mock_openai.openai.identifiers import response_object_id
from otel_genai.mock_openai.openai.model_catalogue import is_reasoning_model, snapshot_of
from otel_genai.mock_openai.openai.params import optional_int, resolve_model, wants_stream
from otel_genai.mock_openai.openai.responses.body import response_object, response_usage
from otel_genai.mock_openai.openai.responses.items import (
    function_call_item,
    message_item,
    reasoning_item,
    url_citation,
    web_search_item,
)
from otel_genai.mock_openai.openai.responses.stream import response_stream_events
from otel_genai.mock_openai.openai.tools import openai_tool_calls, responses_function_tools
from otel_genai.mock_openai.openai.usage import REASONING_TOKENS_PER_OUTPUT_TOKEN
from otel_genai.mock_openai.pipeline.context import RequestContext
from otel_genai.mock_openai.pipeline.wire import JSONReply, Reply, StreamReply


@dataclass
class _Output:
    """Output items as they are planned, and the tokens they cost."""

    items: list[dict[str, Any]] = field(default_factory=list)
    visible_tokens: int = 0
    reasoning_tokens: int = 0
    incomplete: bool = False


def create_response(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """Handle one ``POST /v1/responses``."""
    model = resolve_model(body, ctx, not_found=_model_not_found)
    instructions = body.get("instructions") if isinstance(body.get("instructions"), str) else None
    items = body.get("input", "")
    if not isinstance(items, (str, list)):
        raise invalid_value("input", "Invalid type for 'input': expected a string or an array of input items.")
    conversation = from_responses_input(items, instructions, _earlier_calls(body, ctx))
    output = _plan_output(body, ctx, model, conversation)
    response = response_object(
        body,
        response_id=response_object_id("resp"),
        created_at=ctx.now,
        model=snapshot_of(model),
        reasoning_model=is_reasoning_model(model),
    )
    input_tokens = conversation.prompt_tokens + definition_tokens(body.get("tools"))
    response.update(
        status="incomplete" if output.incomplete else "completed",
        completed_at=ctx.now,
        incomplete_details={"reason": "max_output_tokens"} if output.incomplete else None,
        output=output.items,
        usage=response_usage(input_tokens, output.visible_tokens + output.reasoning_tokens, output.reasoning_tokens),
    )
    billed = _with_billing(response)
    if response["store"]:
        ctx.state.responses.put(billed)
    if wants_stream(body):
        return StreamReply(response_stream_events(response, stream_error=ctx.scenario.stream_error))
    return JSONReply(billed)


def retrieve_response(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """Handle ``GET /v1/responses/{id}``: a stored response, else 404."""
    response_id = ctx.path_params["response_id"]
    stored = ctx.state.responses.get(response_id)
    if stored is None:
        raise OpenAIError(404, f"Response with id '{response_id}' not found.")
    return JSONReply(stored)


def _model_not_found(model: str) -> OpenAIError:
    # Unlike Chat Completions, the Responses API answers an unknown model with 400.
    return OpenAIError(400, f"The requested model '{model}' does not exist.", param="model", code="model_not_found")


def _with_billing(response: dict[str, Any]) -> dict[str, Any]:
    # Non-streamed responses carry the billing block right after "background"; stream events do not.
    ordered: dict[str, Any] = {}
    for key, value in response.items():
        ordered[key] = value
        if key == "background":
            ordered["billing"] = {"payer": "developer"}
    return ordered


def _earlier_calls(body: Mapping[str, Any], ctx: RequestContext) -> dict[str, str]:
    """call id -> function name for calls made by the previous response, so tool outputs can be named."""
    previous_id = body.get("previous_response_id")
    if previous_id is None:
        return {}
    previous = ctx.state.responses.get(str(previous_id))
    if previous is None:
        raise OpenAIError(404, f"Previous response with id '{previous_id}' not found.", param="previous_response_id")
    return {
        str(item["call_id"]): str(item["name"])
        for item in previous.get("output", ())
        if item.get("type") == "function_call"
    }


def _plan_output(body: Mapping[str, Any], ctx: RequestContext, model: str, conversation: Conversation) -> _Output:
    output = _Output()
    prompt = conversation.last_user_text
    if is_reasoning_model(model) and isinstance(body.get("reasoning"), Mapping):
        summary = reasoning_summary(prompt)
        output.items.append(reasoning_item(summary))
        output.reasoning_tokens = count_tokens(summary) * REASONING_TOKENS_PER_OUTPUT_TOKEN
    tool_choice = body.get("tool_choice")
    parallel = body.get("parallel_tool_calls") is not False
    functions = responses_function_tools(body.get("tools"))
    forced = ctx.forced_reply is not None
    calls = [] if forced else openai_tool_calls(functions, tool_choice, parallel, conversation.answered_tools)
    if calls:
        for call in calls:
            output.items.append(function_call_item(call))
            output.visible_tokens += count_tokens(call.arguments) + 1
        return output
    answering_tools = forced or conversation.ends_with_tool_output
    searching = not answering_tools and tool_choice != "none" and _offers_web_search(body.get("tools"))
    if searching:
        output.items.append(web_search_item(prompt))
    _add_message(output, body, ctx, conversation, searching)
    return output


def _add_message(
    output: _Output, body: Mapping[str, Any], ctx: RequestContext, conversation: Conversation, cited: bool
) -> None:
    text_options = body.get("text")
    structured, schema = requested_json_output(
        text_options.get("format") if isinstance(text_options, Mapping) else None
    )
    prompt = conversation.last_user_text
    if ctx.forced_reply is not None:
        text = ctx.forced_reply
    elif structured:
        text = structured_answer(prompt, schema)
    elif conversation.ends_with_tool_output:
        text = tool_results_answer(conversation.tool_results)
    elif cited:
        text = f"{answer_for(prompt)} {WEB_SOURCE_SENTENCE}"
    else:
        text = answer_for(prompt)
    budget = optional_int(body, "max_output_tokens")
    # The budget covers reasoning, and one token closes the message.
    room = None if budget is None else budget - output.reasoning_tokens - 1
    if room is not None and room <= 0:
        output.incomplete = True
        return
    reply = shape_reply(
        text, max_tokens=room, exact_tokens=None if structured else ctx.forced_chunks, filler=FILLER_WORDS
    )
    output.incomplete = reply.finish_reason == "length"
    start = reply.text.find(WEB_SOURCE_SENTENCE) if cited else -1
    annotations = (
        [url_citation(start, start + len(WEB_SOURCE_SENTENCE), WEB_SOURCE_URL, WEB_SOURCE_TITLE)] if start >= 0 else []
    )
    status = "incomplete" if output.incomplete else "completed"
    output.items.append(message_item(reply.text, status=status, annotations=annotations))
    output.visible_tokens += len(reply.tokens) + 1


def _offers_web_search(tools: Any) -> bool:
    return isinstance(tools, list) and any(
        # "web_search", "web_search_preview" and their dated variants
        isinstance(tool, Mapping) and str(tool.get("type", "")).startswith("web_search")
        for tool in tools
    )
