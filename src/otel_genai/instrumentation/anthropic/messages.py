"""The Messages API (``messages.create`` / ``parse`` / ``stream``, and the beta namespace)
-> invocation record.

The operation is wrapped around two layers (``targets.py``): the resources' ``create`` and
``parse``, whose keyword arguments are the request, and the client's ``request``, whose
options hold it (``stream()`` sends through there only); other paths of ``request`` are left
alone. A call seen at both layers is recorded once, at the outer one.
"""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.adapter import Operation
from otel_genai.core.invocation import Invocation
from otel_genai.instrumentation.anthropic.blocks import (
    input_message,
    output_message,
    system_instructions,
    tool_definitions,
)
from otel_genai.instrumentation.anthropic.endpoint import Endpoints
from otel_genai.instrumentation.anthropic.message_stream import MessageStreamFolder
from otel_genai.instrumentation.anthropic.response import read_identity, read_usage
from otel_genai.instrumentation.fields import field, integer, items, number, string, string_list

_MESSAGES_PATH = "/v1/messages"


def _request_options(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The client's ``request(cast_to, options, ...)``: its ``FinalRequestOptions``."""
    return args[1] if len(args) > 1 else kwargs.get("options")


class Messages(Operation):
    """The operation of ``messages.create`` / ``parse`` and of the clients' ``request`` that
    posts to ``/v1/messages`` (sync and async)."""

    def __init__(self, endpoints: Endpoints | None = None) -> None:
        self.endpoints = endpoints if endpoints is not None else Endpoints()

    def request_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The request as the server gets it, from ``create``'s or ``request``'s arguments, with
        the ``extra_body`` fields merged over the method's own (recent clients take some
        sampling parameters only there)."""
        if args:  # request(cast_to, options): the client calls it positionally
            options = _request_options(args, kwargs)
            body, extra = field(options, "json_data"), field(options, "extra_json")
            body = body if isinstance(body, dict) else {}
        else:  # create(model=..., messages=..., extra_body=...)
            body, extra = kwargs, kwargs.get("extra_body")
        return {**body, **extra} if isinstance(extra, dict) and extra else body

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation | None:
        if args:  # the client's request
            options = _request_options(args, kwargs)
            path = field(options, "url")
            # "?beta=true" marks the beta namespace; count_tokens and batches have longer paths.
            if field(options, "method") != "post" or not isinstance(path, str):
                return None
            if path.partition("?")[0] != _MESSAGES_PATH:
                return None
            client = instance
        else:  # a resource's create or parse
            client = getattr(instance, "_client", None)
        body = self.request_arguments(args, kwargs)
        endpoint = self.endpoints.of(client)
        inv = Invocation(
            operation=semconv.OP_CHAT,
            provider=endpoint.provider,
            request_model=string(body.get("model")),
            server_address=endpoint.address,
            server_port=endpoint.port,
        )
        inv.stream = body.get("stream") is True
        return inv

    def request_parameters(self, inv: Invocation, body: dict[str, Any]) -> None:
        inv.max_tokens = integer(body.get("max_tokens"))
        inv.temperature = number(body.get("temperature"))
        inv.top_p = number(body.get("top_p"))
        inv.top_k = integer(body.get("top_k"))
        inv.stop_sequences = string_list(body.get("stop_sequences"))
        inv.reasoning_level = string(field(body.get("output_config"), "effort"))
        # Structured outputs: output_config.format (or the beta's output_format) is a JSON schema.
        output_format = field(body.get("output_config"), "format") or body.get("output_format")
        if string(field(output_format, "type")) == "json_schema":
            inv.output_type = "json"

    def request_content(self, inv: Invocation, body: dict[str, Any]) -> None:
        inv.system_instructions = system_instructions(body.get("system"))
        inv.input_messages = [input_message(m) for m in items(body.get("messages"))]
        tools = tool_definitions(body.get("tools"))
        if tools:
            inv.tool_definitions = tools

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        read_identity(inv, response)
        read_usage(inv, field(response, "usage"))
        stop_reason = string(field(response, "stop_reason"))
        if stop_reason:
            inv.finish_reasons = [stop_reason]
        if messages:
            inv.output_messages = [output_message(field(response, "content"), stop_reason or "error")]

    def stream_folder(self, inv: Invocation, messages: bool) -> MessageStreamFolder:
        return MessageStreamFolder(inv, messages)
