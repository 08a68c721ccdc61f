"""OpenAI Responses API items and tools -> neutral messages and parts (§4).

Mapping decisions where the conventions are silent:

* **Grouping.** The API speaks in flat *items*; the conventions in role-tagged messages.
  Consecutive items the model produced (assistant ``message`` items, ``reasoning``,
  function and hosted tool calls, ``compaction``) form ONE ``assistant`` message, so a
  response's output echoed back as input reads as the same message it was in the
  output. Each tool output item (``function_call_output`` ...) is its own ``tool``
  message with one ``tool_call_response`` part, as Chat Completions tool messages are.
  System and developer messages inside ``input`` stay in the history (§4.1); only
  ``instructions`` are system instructions.
* **Tools the application runs** (``function_call``, ``custom_tool_call``,
  ``computer_call``, ``local_shell_call``, ``shell_call``, ``apply_patch_call``) are
  ``tool_call`` parts; a function's ``arguments`` are parsed from JSON, the other
  kinds carry their ``input`` / ``action`` / ``operation`` object as the arguments and
  are named after the tool (``computer``, ``local_shell``, ``shell``, ``apply_patch``).
* **Hosted tools** (any other ``*_call`` item, and ``mcp_list_tools``) are a
  ``server_tool_call`` part named after the tool type (``web_search``; an MCP call is
  named after the MCP tool), whose inner object is ``{"type": <tool type>, ...}`` with
  the item's request-side fields under their OpenAI names; the item's result-side
  fields (``status``, ``results``, ``outputs``, ``output``, ``error``, ``result``,
  ``tools``, a web search's ``sources``) go into a ``server_tool_call_response`` part
  with the same id. Media a hosted tool returns (an image generation's base64
  ``result``) stays inside that object: content length limits apply to it like any text.
* **Reasoning** items give one ``reasoning`` part per summary (or reasoning text)
  entry; an item with no readable text (encrypted or summary-less) gives none.
* **Refusals** are ``refusal`` parts ``{"type": "refusal", "content": ...}``, as in
  the Chat Completions adapter. Any other item or content part becomes a generic part
  of its own ``type``; an ``item_reference`` is a message of role ``unknown`` (the
  referenced item's role is not known to the client).
* **Hosted tool definitions** are ``{type, name}`` with the type as the name, except
  an MCP server, named by its ``server_label``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from otel_genai.core.invocation import (
    Message,
    Part,
    ToolDefinition,
    blob_part,
    file_part,
    generic_part,
    reasoning_part,
    text_part,
    tool_call_part,
    tool_call_response_part,
    uri_part,
)
from otel_genai.instrumentation.fields import field, items, string
from otel_genai.instrumentation.openai.messages import parse_arguments

# Tool calls the application executes: item type -> (tool name, or None to read the
# item's "name"; the field that holds the call's arguments).
CLIENT_TOOL_CALLS: dict[str, tuple[str | None, str]] = {
    "function_call": (None, "arguments"),
    "custom_tool_call": (None, "input"),
    "computer_call": ("computer", "action"),
    "local_shell_call": ("local_shell", "action"),
    "shell_call": ("shell", "action"),
    "apply_patch_call": ("apply_patch", "operation"),
}
# Their results, sent back by the application (or, for a hosted shell, by the service).
CLIENT_TOOL_OUTPUTS = frozenset(f"{kind}_output" for kind in CLIENT_TOOL_CALLS)
# Hosted tools whose type is not simply the item type minus "_call".
_SERVER_TOOL_TYPES = {"mcp_call": "mcp", "mcp_list_tools": "mcp_list_tools"}
# Fields of a hosted tool item that describe its outcome rather than the request.
_SERVER_RESULT_FIELDS = ("status", "results", "outputs", "output", "error", "result", "tools")
_ITEM_BOOKKEEPING = frozenset({"id", "type", "call_id", "name"})
# Items the model produces; consecutive ones make one assistant message.
_MODEL_ITEMS = frozenset({"message", "reasoning", "compaction", "mcp_approval_request", *CLIENT_TOOL_CALLS})


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: the client's pydantic models become dicts."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return dump(mode="json", exclude_none=True)
        except Exception:  # noqa: BLE001 - an odd model is recorded by its text, not dropped
            return str(value)
    return value


def _fields_of(item: Any) -> dict[str, Any]:
    data = plain(item)
    return data if isinstance(data, dict) else {}


def _data_url_blob(modality: str, url: str) -> Part:
    # data:[<mime>][;base64],<payload> -> a blob; the conventions keep data: URLs out of uri parts.
    header, _, payload = url.partition(",")
    mime = header[5:].split(";", 1)[0] or None
    return blob_part(modality, payload, mime)


def _media_part(modality: str, url: str | None, file_id: str | None, data: str | None) -> Part | None:
    if file_id:
        return file_part(modality, file_id)
    if url:
        return _data_url_blob(modality, url) if url.startswith("data:") else uri_part(modality, url)
    if data:
        return _data_url_blob(modality, data) if data.startswith("data:") else blob_part(modality, data)
    return None


def content_part(part: Any) -> Part:
    """One content part of an input or output message."""
    kind = string(field(part, "type")) or "unknown"
    if kind in ("input_text", "output_text", "text"):
        return text_part(string(field(part, "text")) or "")
    if kind == "refusal":
        return generic_part("refusal", content=string(field(part, "refusal")))
    if kind == "input_image":
        media = _media_part("image", string(field(part, "image_url")), string(field(part, "file_id")), None)
    elif kind == "input_file":
        media = _media_part(
            "document",
            string(field(part, "file_url")),
            string(field(part, "file_id")),
            string(field(part, "file_data")),
        )
    elif kind == "input_audio":
        audio = field(part, "input_audio")
        fmt = string(field(audio, "format"))
        return blob_part("audio", string(field(audio, "data")) or "", f"audio/{fmt}" if fmt else None)
    else:
        return generic_part(kind)
    return media if media is not None else generic_part(kind)


def _content_parts(content: Any) -> list[Part]:
    if isinstance(content, str):
        return [text_part(content)]
    return [content_part(p) for p in items(content)]


def _tool_output(output: Any) -> Any:
    """A tool output: its text, or its parts when it holds more than text."""
    if isinstance(output, str) or output is None:
        return output
    parts = _content_parts(output)
    if parts and all(p["type"] == "text" for p in parts):
        return "".join(p["content"] for p in parts)
    return parts if parts else plain(output)


def _reasoning_parts(item: Any) -> list[Part]:
    texts = [string(field(s, "text")) for s in items(field(item, "summary"))]
    texts += [string(field(c, "text")) for c in items(field(item, "content"))]
    return [reasoning_part(t) for t in texts if t]


def _server_tool_parts(item: Any, kind: str) -> list[Part]:
    tool_type = _SERVER_TOOL_TYPES.get(kind) or kind.removesuffix("_call")
    details = _fields_of(item)
    item_id = string(details.get("id"))
    call: dict[str, Any] = {"type": tool_type}
    result: dict[str, Any] = {"type": tool_type}
    for key, value in details.items():
        if key in _ITEM_BOOKKEEPING:
            continue
        (result if key in _SERVER_RESULT_FIELDS else call)[key] = value
    if kind == "mcp_call":
        call["arguments"] = parse_arguments(call.get("arguments"))
    action = call.get("action")
    if isinstance(action, dict) and "sources" in action:  # web search results, when included
        call["action"] = {k: v for k, v in action.items() if k != "sources"}
        result["sources"] = action["sources"]
    name = string(details.get("name")) if kind == "mcp_call" else None
    parts = [generic_part("server_tool_call", id=item_id, name=name or tool_type, server_tool_call=call)]
    if len(result) > 1:
        parts.append(generic_part("server_tool_call_response", id=item_id, server_tool_call_response=result))
    return parts


def _client_tool_call_part(item: Any, kind: str) -> Part:
    fixed_name, arguments_field = CLIENT_TOOL_CALLS[kind]
    name = fixed_name or string(field(item, "name")) or kind
    arguments = field(item, arguments_field)
    arguments = parse_arguments(arguments) if kind == "function_call" else plain(arguments)
    if kind == "computer_call" and arguments is None:  # batched computer actions
        arguments = plain(field(item, "actions"))
    return tool_call_part(string(field(item, "call_id")) or string(field(item, "id")), name, arguments)


def item_kind(item: Any) -> str:
    """An item's type; messages given as ``{"role", "content"}`` may leave it out."""
    kind = string(field(item, "type"))
    if kind:
        return kind
    return "message" if field(item, "role") is not None else "unknown"


def _is_server_tool(kind: str) -> bool:
    return (kind.endswith("_call") and kind not in CLIENT_TOOL_CALLS) or kind == "mcp_list_tools"


def model_item_parts(item: Any) -> list[Part]:
    """The parts of one item the model produced (an output item, or one echoed back)."""
    kind = item_kind(item)
    if kind == "message":
        return _content_parts(field(item, "content"))
    if kind in CLIENT_TOOL_CALLS:
        return [_client_tool_call_part(item, kind)]
    if kind == "reasoning":
        return _reasoning_parts(item)
    if kind == "compaction":
        return [generic_part("compaction", id=string(field(item, "id")))]
    if kind in CLIENT_TOOL_OUTPUTS:
        return [tool_call_response_part(string(field(item, "call_id")), _tool_output(plain(field(item, "output"))))]
    if _is_server_tool(kind):
        return _server_tool_parts(item, kind)
    details = {k: v for k, v in _fields_of(item).items() if k != "type"}
    return [generic_part(kind, **details)]


def output_parts(output: Iterable[Any]) -> list[Part]:
    """All parts of a response's output items, in order (one assistant message, §4.3)."""
    parts: list[Part] = []
    for item in output:
        parts.extend(model_item_parts(item))
    return parts


def input_messages(value: Any) -> list[Message]:
    """The request's ``input``: a string (one user message) or a list of items."""
    if isinstance(value, str):
        return [Message("user", [text_part(value)])]
    messages: list[Message] = []
    assistant: Message | None = None  # the assistant message being extended, if the last one is
    for item in items(value):
        kind = item_kind(item)
        role = string(field(item, "role")) if kind == "message" else None
        from_model = role == "assistant" if kind == "message" else kind in _MODEL_ITEMS or _is_server_tool(kind)
        if from_model:
            if assistant is None:
                assistant = Message("assistant", [])
                messages.append(assistant)
            assistant.parts.extend(model_item_parts(item))
            continue
        assistant = None
        if kind == "message":
            messages.append(Message(role or "user", _content_parts(field(item, "content"))))
        elif kind in CLIENT_TOOL_OUTPUTS:
            messages.append(Message("tool", model_item_parts(item)))
        elif kind == "item_reference":
            messages.append(Message("unknown", [generic_part("item_reference", id=string(field(item, "id")))]))
        else:  # e.g. an mcp_approval_response: the application's answer to the model
            details = {k: v for k, v in _fields_of(item).items() if k != "type"}
            messages.append(Message("user", [generic_part(kind, **details)]))
    return messages


def instruction_parts(instructions: Any) -> list[Part]:
    """``instructions``: a string, or (on a stored response) a list of message items."""
    if isinstance(instructions, str):
        return [text_part(instructions)] if instructions else []
    parts: list[Part] = []
    for item in items(instructions):
        parts.extend(p for p in _content_parts(field(item, "content")) if p["type"] == "text")
    return parts


def tool_definitions(tools: Any) -> list[ToolDefinition]:
    """The request's ``tools``: functions and custom tools by name, hosted tools by type."""
    definitions = []
    for tool in items(tools):
        kind = string(field(tool, "type")) or "function"
        if kind in ("function", "custom"):
            name = string(field(tool, "name")) or kind
            definitions.append(
                ToolDefinition(kind, name, string(field(tool, "description")), plain(field(tool, "parameters")))
            )
        elif kind == "mcp":
            definitions.append(ToolDefinition(kind, string(field(tool, "server_label")) or kind))
        else:
            definitions.append(ToolDefinition(kind, kind))
    return definitions


def has_pending_tool_calls(output: Iterable[Any]) -> bool:
    """Whether the output asks the application to run a tool (finish reason ``tool_calls``).

    A call whose output item is in the same response (a hosted shell) already ran.
    """
    calls: set[Any] = set()
    answered: set[Any] = set()
    for item in output:
        kind = field(item, "type")
        if kind in CLIENT_TOOL_CALLS:
            calls.add(field(item, "call_id") or field(item, "id"))
        elif kind in CLIENT_TOOL_OUTPUTS:
            answered.add(field(item, "call_id"))
    return bool(calls - answered)
