"""The reliability table: a row (:class:`Method`) for every way an application calls an instrumented
OpenAI method (Anthropic's rows are in ``anthropic_calls``), the client library a row belongs to
(:class:`ClientKind`), the :data:`MODES` each row runs in, and why a row cannot run on the installed
client (:func:`skip_reason`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
from application_record import AsyncRun, SyncRun
from openai_calls import (
    CHAT_MODEL,
    EMBEDDING_MODEL,
    TEXT_MODEL,
    abeta_chat_parse,
    achat_create,
    achat_parse,
    achat_raw,
    achat_raw_stream,
    achat_stream,
    achat_stream_helper,
    achat_streaming_response,
    achat_streaming_response_stream,
    acompletions_create,
    acompletions_stream,
    aembeddings_create,
    aresponses_create,
    aresponses_create_stream,
    aresponses_parse,
    aresponses_retrieve,
    aresponses_stream_helper,
    beta_chat_parse,
    chat_create,
    chat_parse,
    chat_parse_owner,
    chat_raw,
    chat_raw_stream,
    chat_stream,
    chat_stream_helper,
    chat_streaming_response,
    chat_streaming_response_stream,
    completions_create,
    completions_stream,
    embeddings_create,
    responses_create,
    responses_create_stream,
    responses_parse,
    responses_retrieve,
    responses_stream_helper,
)

from local_http import openai_http
from otel_genai.instrumentation.openai import OpenAIInstrumentor
from otel_genai.instrumentation.openai.targets import TARGETS


def _wrapped(module_prefix: str, *methods: str) -> Callable[[], bool]:
    """Whether the target table wraps one of ``methods`` on a class of that module."""

    def check() -> bool:
        return any(t.module.startswith(module_prefix) and t.method in methods for t in TARGETS)

    return check


@dataclass(frozen=True)
class ClientKind:
    """A client library the table covers: its clients, where they point, its instrumentor."""

    name: str
    version: str
    sync_client: Callable[..., Any]  # (base_url=, api_key=, max_retries=, [timeout=]) -> a client
    async_client: Callable[..., Any]
    base_url: Callable[[Any], str]  # the mock server -> the clients' base URL
    instrumentor: Callable[[], Any]

    def probe(self) -> Any:
        """A client that is never called: what the installed release has."""
        return self.sync_client(api_key="sk-probe", base_url="http://127.0.0.1:9", max_retries=0)


OPENAI = ClientKind(
    "openai",
    openai.__version__,
    lambda **options: openai.OpenAI(**options, http_client=openai_http()),
    lambda **options: openai.AsyncOpenAI(**options, http_client=openai_http(asynchronous=True)),
    lambda server: str(server.base_url),
    OpenAIInstrumentor,
)


def _has(path: str) -> Callable[[Any], bool]:
    def check(client: Any) -> bool:
        obj = client
        for name in path.split("."):
            obj = getattr(obj, name, None)
            if obj is None:
                return False
        return True

    return check


@dataclass(frozen=True)
class Method:
    """One way an application calls an instrumented method."""

    name: str
    operation: str
    model: str | None
    streamed: bool
    sync: SyncRun
    async_: AsyncRun
    client_has: Callable[[Any], bool]
    instrumented: Callable[[], bool]
    kind: ClientKind = OPENAI


_RESPONSES = "openai.resources.responses"
METHODS: tuple[Method, ...] = (
    Method("chat.create", "chat", CHAT_MODEL, False, chat_create, achat_create, _has("chat"), lambda: True),
    Method("chat.create(stream)", "chat", CHAT_MODEL, True, chat_stream, achat_stream, _has("chat"), lambda: True),
    Method("chat.with_raw_response", "chat", CHAT_MODEL, False, chat_raw, achat_raw, _has("chat"), lambda: True),
    Method(
        "chat.with_raw_response(stream)",
        "chat",
        CHAT_MODEL,
        True,
        chat_raw_stream,
        achat_raw_stream,
        _has("chat"),
        lambda: True,
    ),
    Method(
        "chat.with_streaming_response",
        "chat",
        CHAT_MODEL,
        False,
        chat_streaming_response,
        achat_streaming_response,
        _has("chat"),
        lambda: True,
    ),
    Method(
        "chat.with_streaming_response(stream)",
        "chat",
        CHAT_MODEL,
        True,
        chat_streaming_response_stream,
        achat_streaming_response_stream,
        _has("chat"),
        lambda: True,
    ),
    Method(
        "chat.stream()",
        "chat",
        CHAT_MODEL,
        True,
        chat_stream_helper,
        achat_stream_helper,
        _has("chat.completions.stream"),
        lambda: True,
    ),
    Method(
        "chat.parse",
        "chat",
        CHAT_MODEL,
        False,
        chat_parse,
        achat_parse,
        lambda c: chat_parse_owner(c) is not None and hasattr(chat_parse_owner(c), "parse"),
        lambda: True,
    ),
    Method(
        "beta.chat.parse",
        "chat",
        CHAT_MODEL,
        False,
        beta_chat_parse,
        abeta_chat_parse,
        _has("beta.chat.completions.parse"),
        lambda: True,
    ),
    Method(
        "embeddings.create",
        "embeddings",
        EMBEDDING_MODEL,
        False,
        embeddings_create,
        aembeddings_create,
        _has("embeddings"),
        lambda: True,
    ),
    Method(
        "completions.create",
        "text_completion",
        TEXT_MODEL,
        False,
        completions_create,
        acompletions_create,
        _has("completions"),
        lambda: True,
    ),
    Method(
        "completions.create(stream)",
        "text_completion",
        TEXT_MODEL,
        True,
        completions_stream,
        acompletions_stream,
        _has("completions"),
        lambda: True,
    ),
    Method(
        "responses.create",
        "chat",
        CHAT_MODEL,
        False,
        responses_create,
        aresponses_create,
        _has("responses"),
        _wrapped(_RESPONSES, "create"),
    ),
    Method(
        "responses.create(stream)",
        "chat",
        CHAT_MODEL,
        True,
        responses_create_stream,
        aresponses_create_stream,
        _has("responses"),
        _wrapped(_RESPONSES, "create"),
    ),
    Method(
        "responses.stream()",
        "chat",
        CHAT_MODEL,
        True,
        responses_stream_helper,
        aresponses_stream_helper,
        _has("responses.stream"),
        _wrapped(_RESPONSES, "stream", "create"),
    ),
    Method(
        "responses.parse",
        "chat",
        CHAT_MODEL,
        False,
        responses_parse,
        aresponses_parse,
        _has("responses.parse"),
        _wrapped(_RESPONSES, "parse"),
    ),
    Method(
        "responses.retrieve",
        "fetch_response",
        None,
        False,
        responses_retrieve,
        aresponses_retrieve,
        _has("responses.retrieve"),
        _wrapped(_RESPONSES, "retrieve"),
    ),
)

MODES = ("sync", "async")


def skip_reason(method: Method, client: Any = None) -> str | None:
    """Why this installed client cannot run ``method`` uninstrumented-vs-instrumented, if it cannot.

    ``client``: one of the method's kind to look at (by default one made here)."""
    if not method.client_has(client if client is not None else method.kind.probe()):
        return f"{method.kind.name} {method.kind.version} has no {method.name}"
    if not method.instrumented():
        return f"{method.name} is not in the instrumentation's target table yet"
    return None
