"""Every instrumented OpenAI client method, runnable sync and async against the mock server,
and what one run looked like to the application (:class:`Outcome`).

The transparency matrix and the server-fault suite run the same (method, mode, scenario)
case twice, once without and once with instrumentation, and compare what the application
saw. A case is run once per session (:func:`case_result` caches it), so both suites can
assert on the same runs without paying for them twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import json
import logging
import os
import re
import threading
import time
import urllib.request
import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import openai
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from pydantic import BaseModel

from local_http import openai_http
from otel_genai.instrumentation.openai import OpenAIInstrumentor
from otel_genai.instrumentation.openai.targets import TARGETS
from telemetry_capture import Captured

CHAT_MODEL = "gpt-4o-mini"
TEXT_MODEL = "gpt-3.5-turbo-instruct"
EMBEDDING_MODEL = "text-embedding-3-small"
MESSAGES = [{"role": "user", "content": "Tell me about reliable telemetry."}]
REPLY = "Spans end once, on every path."
API_KEY = "sk-reliability-test-key"
CALL_TAG = "x-reliability-call"

# Fields the server fills with fresh random values (or the clock) on every call.
RANDOM_FIELDS = frozenset(
    {
        "id",
        "created",
        "created_at",
        "completed_at",
        "system_fingerprint",
        "call_id",
        "item_id",
        "obfuscation",
        "response_id",
        "previous_response_id",
    }
)
FAILURE_EVENTS = frozenset({"response.failed", "error"})
# Responses events that end a response: its last word.
TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", *FAILURE_EVENTS})
_REQUEST_ID = re.compile(r"req_[0-9a-f]{16,}")


class Answer(BaseModel):
    """The structured output ``parse`` asks for."""

    answer: str


def normalize(value: Any) -> Any:
    """``value`` with the per-call random fields blanked, at any depth."""
    if isinstance(value, dict):
        return {k: "<random>" if k in RANDOM_FIELDS and v is not None else normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def dump(obj: Any) -> Any:
    """A comparable picture of a returned object: its fields, random ones blanked."""
    model_dump = getattr(obj, "model_dump", None)
    if callable(model_dump):
        return normalize(model_dump(warnings=False))
    return normalize(obj)


def identity(obj: Any) -> tuple[Any, Any]:
    """The (id, model) the object itself reports, exactly as sent: what the span must say."""
    # Chat stream() events carry a chunk, Responses events a response, Anthropic's message_start a message.
    holders = (obj, getattr(obj, "chunk", None), getattr(obj, "response", None), getattr(obj, "message", None))
    for holder in holders:
        if holder is None:
            continue
        found = getattr(holder, "id", None), getattr(holder, "model", None)
        if found != (None, None):
            return found
    return None, None


def error_message(exc: BaseException) -> str:
    return _REQUEST_ID.sub("req_<id>", str(exc))


# --- what the application saw -----------------------------------------------------------


@dataclass
class Run:
    """What one call looked like from the application, event by event."""

    headers: dict[str, str]
    events: list[tuple[Any, ...]] = field(default_factory=list)
    ids: list[tuple[Any, Any]] = field(default_factory=list)
    requested_id: str | None = None  # a retrieve names the response it fetches
    context_kept: bool = True  # the active OpenTelemetry context after the call is the one before

    def saw(self, *event: Any) -> None:
        self.events.append(event)

    def returned(self, obj: Any) -> None:
        self.events.append(("returned", type(obj), dump(obj)))
        self.ids.append(identity(obj))

    def chunk(self, obj: Any) -> None:
        self.events.append(("chunk", type(obj), dump(obj)))
        self.ids.append(identity(obj))

    def stream(self, stream: Any) -> None:
        self.saw("stream", type(stream))
        for chunk in stream:
            self.chunk(chunk)
        self.saw("exhausted")

    async def astream(self, stream: Any) -> None:
        self.saw("stream", type(stream))
        async for chunk in stream:
            self.chunk(chunk)
        self.saw("exhausted")


@dataclass(frozen=True)
class Outcome:
    """Everything the application could observe of one call."""

    events: tuple[tuple[Any, ...], ...]
    requests: int
    # The first (id, model) the application received that carries one: not compared
    # between runs (ids are random), but checked against the span.
    identity: tuple[Any, Any]
    # Python warnings the call raised, by category: instrumentation must add none.
    warnings: tuple[tuple[str, int], ...] = ()
    requested_id: str | None = None
    context_kept: bool = True

    @property
    def raised(self) -> type[BaseException] | None:
        last = self.events[-1] if self.events else ()
        return last[1] if last and last[0] == "raised" else None

    @property
    def failure_event(self) -> str | None:
        """The type of a streamed event that reports the operation failed (Responses
        ``response.failed`` / ``error``): the call failed although nothing was raised."""
        for event in self.events:
            if event[0] == "chunk" and isinstance(event[2], dict) and event[2].get("type") in FAILURE_EVENTS:
                return str(event[2]["type"])
        return None

    @property
    def cut_short(self) -> bool:
        """A stream the application read to its end that never said its last word: no
        terminal Responses event, or a choice without a finish reason (a cut, or a chunk
        whose choices could not be read). The span calls that incomplete."""
        if not any(event[0] == "exhausted" for event in self.events):
            return False
        reasons: dict[Any, Any] = {}
        for event in self.events:
            chunk = event[2] if event[0] == "chunk" else None
            if not isinstance(chunk, dict):
                continue
            if chunk.get("type") in TERMINAL_EVENTS:
                return False
            if chunk.get("type") == "chunk":  # chat.stream()'s events wrap the chunk
                chunk = chunk.get("chunk") or {}
            choices = chunk.get("choices")
            for choice in choices if isinstance(choices, list) else ():
                if isinstance(choice, dict):
                    reasons[choice.get("index")] = reasons.get(choice.get("index")) or choice.get("finish_reason")
        return not (reasons and all(reasons.values()))


# --- the methods ----------------------------------------------------------------------------

SyncRun = Callable[[Any, Run, "Context"], None]
AsyncRun = Callable[[Any, Run, "Context"], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Context:
    """What a method runner may need beyond the client: where the server is."""

    base_url: str


def _with_reply(run: Run) -> dict[str, str]:
    return {**run.headers, "x-mock-reply": REPLY}


def _chat(client: Any) -> Any:
    return client.chat.completions


def _chat_parse_owner(client: Any) -> Any:
    completions = client.chat.completions
    if hasattr(completions, "parse"):
        return completions
    beta = getattr(client, "beta", None)
    chat = getattr(beta, "chat", None)
    return getattr(chat, "completions", None)


def _beta_chat(client: Any) -> Any:
    return getattr(getattr(getattr(client, "beta", None), "chat", None), "completions", None)


def chat_kwargs(run: Run, **extra: Any) -> dict[str, Any]:
    return {"model": CHAT_MODEL, "messages": MESSAGES, "extra_headers": _with_reply(run), **extra}


# chat.completions.create ---------------------------------------------------------------------


def chat_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(_chat(client).create(**chat_kwargs(run)))


async def achat_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await _chat(client).create(**chat_kwargs(run)))


def chat_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(_chat(client).create(**chat_kwargs(run, stream=True)))


async def achat_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await _chat(client).create(**chat_kwargs(run, stream=True)))


def chat_raw(client: Any, run: Run, ctx: Context) -> None:
    raw = _chat(client).with_raw_response.create(**chat_kwargs(run))
    run.saw("raw", type(raw), raw.status_code)
    run.returned(raw.parse())


async def achat_raw(client: Any, run: Run, ctx: Context) -> None:
    raw = await _chat(client).with_raw_response.create(**chat_kwargs(run))
    run.saw("raw", type(raw), raw.status_code)
    parsed = raw.parse()
    run.returned(await parsed if inspect.isawaitable(parsed) else parsed)


def chat_raw_stream(client: Any, run: Run, ctx: Context) -> None:
    raw = _chat(client).with_raw_response.create(**chat_kwargs(run, stream=True))
    run.saw("raw", type(raw), raw.status_code)
    run.stream(raw.parse())


async def achat_raw_stream(client: Any, run: Run, ctx: Context) -> None:
    raw = await _chat(client).with_raw_response.create(**chat_kwargs(run, stream=True))
    run.saw("raw", type(raw), raw.status_code)
    parsed = raw.parse()
    await run.astream(await parsed if inspect.isawaitable(parsed) else parsed)


def chat_streaming_response(client: Any, run: Run, ctx: Context) -> None:
    with _chat(client).with_streaming_response.create(**chat_kwargs(run)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        run.returned(raw.parse())


async def achat_streaming_response(client: Any, run: Run, ctx: Context) -> None:
    async with _chat(client).with_streaming_response.create(**chat_kwargs(run)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        run.returned(await raw.parse())


def chat_streaming_response_stream(client: Any, run: Run, ctx: Context) -> None:
    with _chat(client).with_streaming_response.create(**chat_kwargs(run, stream=True)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        run.stream(raw.parse())


async def achat_streaming_response_stream(client: Any, run: Run, ctx: Context) -> None:
    async with _chat(client).with_streaming_response.create(**chat_kwargs(run, stream=True)) as raw:
        run.saw("raw", type(raw), raw.status_code)
        await run.astream(await raw.parse())


def chat_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    with _chat(client).stream(**chat_kwargs(run)) as stream:
        run.stream(stream)
        run.returned(stream.get_final_completion())


async def achat_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    async with _chat(client).stream(**chat_kwargs(run)) as stream:
        await run.astream(stream)
        run.returned(await stream.get_final_completion())


# The structured answer comes from the schema, so no x-mock-reply here.
def chat_parse(client: Any, run: Run, ctx: Context) -> None:
    owner = _chat_parse_owner(client)
    run.returned(owner.parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers))


async def achat_parse(client: Any, run: Run, ctx: Context) -> None:
    owner = _chat_parse_owner(client)
    parsed = await owner.parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers)
    run.returned(parsed)


def beta_chat_parse(client: Any, run: Run, ctx: Context) -> None:
    run.returned(
        _beta_chat(client).parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers)
    )


async def abeta_chat_parse(client: Any, run: Run, ctx: Context) -> None:
    owner = _beta_chat(client)
    parsed = await owner.parse(model=CHAT_MODEL, messages=MESSAGES, response_format=Answer, extra_headers=run.headers)
    run.returned(parsed)


# embeddings / completions ----------------------------------------------------------------------


def embeddings_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(client.embeddings.create(model=EMBEDDING_MODEL, input="reliable telemetry", extra_headers=run.headers))


async def aembeddings_create(client: Any, run: Run, ctx: Context) -> None:
    result = await client.embeddings.create(
        model=EMBEDDING_MODEL, input="reliable telemetry", extra_headers=run.headers
    )
    run.returned(result)


def completions_kwargs(run: Run, **extra: Any) -> dict[str, Any]:
    return {"model": TEXT_MODEL, "prompt": "Reliable telemetry is", "extra_headers": _with_reply(run), **extra}


def completions_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(client.completions.create(**completions_kwargs(run)))


async def acompletions_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await client.completions.create(**completions_kwargs(run)))


def completions_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(client.completions.create(**completions_kwargs(run, stream=True)))


async def acompletions_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await client.completions.create(**completions_kwargs(run, stream=True)))


# responses ------------------------------------------------------------------------------------


def responses_kwargs(run: Run, **extra: Any) -> dict[str, Any]:
    return {
        "model": CHAT_MODEL,
        "input": "Tell me about reliable telemetry.",
        "extra_headers": _with_reply(run),
        **extra,
    }


def responses_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(client.responses.create(**responses_kwargs(run)))


async def aresponses_create(client: Any, run: Run, ctx: Context) -> None:
    run.returned(await client.responses.create(**responses_kwargs(run)))


def responses_create_stream(client: Any, run: Run, ctx: Context) -> None:
    run.stream(client.responses.create(**responses_kwargs(run, stream=True)))


async def aresponses_create_stream(client: Any, run: Run, ctx: Context) -> None:
    await run.astream(await client.responses.create(**responses_kwargs(run, stream=True)))


def responses_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    with client.responses.stream(**responses_kwargs(run)) as stream:
        run.stream(stream)
        run.returned(stream.get_final_response())


async def aresponses_stream_helper(client: Any, run: Run, ctx: Context) -> None:
    async with client.responses.stream(**responses_kwargs(run)) as stream:
        await run.astream(stream)
        run.returned(await stream.get_final_response())


def responses_parse(client: Any, run: Run, ctx: Context) -> None:
    kwargs = {**responses_kwargs(run), "extra_headers": run.headers}
    run.returned(client.responses.parse(text_format=Answer, **kwargs))


async def aresponses_parse(client: Any, run: Run, ctx: Context) -> None:
    kwargs = {**responses_kwargs(run), "extra_headers": run.headers}
    run.returned(await client.responses.parse(text_format=Answer, **kwargs))


def stored_response_id(base_url: str) -> str:
    """A response stored on the server, created over plain HTTP so no client method is involved."""
    body = json.dumps({"model": CHAT_MODEL, "input": "Store this answer.", "store": True}).encode()
    request = urllib.request.Request(
        f"{base_url}/responses",
        data=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {API_KEY}", "x-mock-reply": REPLY},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the local mock server
        return str(json.loads(answer.read())["id"])


def responses_retrieve(client: Any, run: Run, ctx: Context) -> None:
    run.requested_id = stored_response_id(ctx.base_url)
    run.returned(client.responses.retrieve(run.requested_id, extra_headers=run.headers))


async def aresponses_retrieve(client: Any, run: Run, ctx: Context) -> None:
    run.requested_id = await asyncio.to_thread(stored_response_id, ctx.base_url)
    run.returned(await client.responses.retrieve(run.requested_id, extra_headers=run.headers))


# --- the table ------------------------------------------------------------------------------


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
        lambda c: _chat_parse_owner(c) is not None and hasattr(_chat_parse_owner(c), "parse"),
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


# --- the scenarios --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A server behaviour and the client options that go with it."""

    name: str
    header: str | None
    requests: int = 1  # HTTP requests one call makes
    max_retries: int = 0
    timeout: openai.Timeout | None = None


# The server never answers ("hang"), so the read timeout always fires, and only once the request
# has been sent whole: the client's connect and write steps keep a generous limit.
READ_TIMEOUT = openai.Timeout(30.0, read=1.0)
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("ok", None),
    Scenario("slow-ok", "slow:2"),
    Scenario("error:400", "error:400"),
    Scenario("error:429", "error:429"),
    Scenario("error:500", "error:500"),
    Scenario("error-no-body:503", "error-no-body:503"),
    # The server asks for a 1 ms pause between attempts: the client's own backoff would take ~1 s.
    Scenario("retried-then-ok", "fail-times:2:500,retry-after-ms:1", requests=3, max_retries=2),
    Scenario("retries-exhausted", "error:503,retry-after-ms:1", requests=3, max_retries=2),
    Scenario("malformed-json", "malformed-json"),
    Scenario("missing-fields", "missing-fields"),
    Scenario("wrong-types", "wrong-types"),
    Scenario("empty-choices", "empty-choices"),
    Scenario("cut-stream", "cut-stream:2"),
    Scenario("reset-stream", "reset-stream:2"),
    Scenario("stream-error", "stream-error"),
    Scenario("timeout", "hang", timeout=READ_TIMEOUT),
)
MODES = ("sync", "async")


# --- running a case -------------------------------------------------------------------------


class EndCounter(SpanProcessor):
    """Counts ``on_end`` per span id: every started span must end exactly once."""

    def __init__(self) -> None:
        self.started: dict[int, str] = {}
        self.ends: Counter[int] = Counter()

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        self.started[span.context.span_id] = span.name

    def on_end(self, span: ReadableSpan) -> None:
        self.ends[span.context.span_id] += 1

    def not_ended_once(self) -> dict[str, int]:
        """Spans that ended zero times or more than once: name -> end count."""
        return {f"{name}#{sid:x}": self.ends[sid] for sid, name in self.started.items() if self.ends[sid] != 1}


class LogCollector(logging.Handler):
    """Every record of the loggers it is attached to, from DEBUG up."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def collecting_logs(*names: str) -> Iterator[LogCollector]:
    collector = LogCollector()
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(collector)
        lg.setLevel(logging.DEBUG)
    try:
        yield collector
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(collector)
            lg.setLevel(level)


@contextlib.contextmanager
def instrumented(
    captured: Captured, env: dict[str, str] | None = None, *, kind: ClientKind = OPENAI, **kwargs: Any
) -> Iterator[None]:
    """The ``kind`` of client (OpenAI's by default) instrumented into ``captured`` with the given
    environment, for the block."""
    names = (
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
        "OTEL_SEMCONV_STABILITY_OPT_IN",
        "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT",
        "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH",
        "OTEL_INSTRUMENTATION_GENAI_MAX_BLOB_LENGTH",
        "OTEL_INSTRUMENTATION_GENAI_PROVIDER_NAME",
    )
    saved = {n: os.environ.get(n) for n in names}
    instrumentor = kind.instrumentor()
    try:
        for n in names:
            os.environ.pop(n, None)
        os.environ.update(env or {})
        instrumentor.instrument(**{**captured.providers(), **kwargs})
    finally:
        for n, value in saved.items():
            if value is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = value
    try:
        yield
    finally:
        instrumentor.uninstrument()


def count_requests(server: Any, tag: str, at_least: int = 1, wait_s: float = 30.0) -> int:
    """Requests the server logged for one call (a request the client gave up on may be logged a
    moment after the call returned; the wait ends as soon as it is)."""
    deadline = time.monotonic() + wait_s
    while True:
        count = sum(1 for r in server.requests if r.headers.get(CALL_TAG) == tag)
        if count >= at_least or time.monotonic() > deadline:
            return count
        time.sleep(0.005)


@contextlib.contextmanager
def warnings_by_thread() -> Iterator[dict[int, list[type[Warning]]]]:
    """The Python warnings raised in the block, by the thread that raised them.
    (``warnings.catch_warnings`` swaps process-wide state: threads must share one.)"""
    seen: dict[int, list[type[Warning]]] = defaultdict(list)

    def record(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        seen[threading.get_ident()].append(category)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = record
        yield seen


def run_call(server: Any, method: Method, mode: str, scenario: Scenario) -> Outcome:
    """Run ``method`` once the way the application would, and record what it saw."""
    with warnings_by_thread() as caught:
        return observed_call(server, method, mode, scenario, caught)


def observed_call(
    server: Any,
    method: Method,
    mode: str,
    scenario: Scenario,
    caught: dict[int, list[type[Warning]]],
    tag: str | None = None,
) -> Outcome:
    """:func:`run_call` inside a :func:`warnings_by_thread` block; ``tag`` marks the call's requests."""
    tag = tag or uuid.uuid4().hex
    headers = {CALL_TAG: tag, "x-mock-scenario-key": tag}
    if scenario.header:
        headers["x-mock-scenario"] = scenario.header
    run = Run(headers)
    ctx = Context(server.base_url)
    options: dict[str, Any] = {
        "base_url": method.kind.base_url(server),
        "api_key": API_KEY,
        "max_retries": scenario.max_retries,
    }
    if scenario.timeout is not None:
        options["timeout"] = scenario.timeout
    _run(method, mode, run, ctx, options)
    first_identity = next((i for i in run.ids if i != (None, None)), (None, None))
    # ResourceWarnings come from whatever earlier garbage the collector happens to finalize
    # during the call: they say nothing about this call.
    raised = caught.pop(threading.get_ident(), [])
    categories = Counter(category.__name__ for category in raised if not issubclass(category, ResourceWarning))
    return Outcome(
        tuple(run.events),
        count_requests(server, tag),
        first_identity,
        tuple(sorted(categories.items())),
        run.requested_id,
        run.context_kept,
    )


def _run(method: Method, mode: str, run: Run, ctx: Context, options: dict[str, Any]) -> None:
    try:
        if mode == "sync":
            with method.kind.sync_client(**options) as client:
                before = otel_context.get_current()
                try:
                    method.sync(client, run, ctx)
                finally:
                    run.context_kept = otel_context.get_current() == before
        else:

            async def main() -> None:
                async with method.kind.async_client(**options) as client:
                    before = otel_context.get_current()
                    try:
                        await method.async_(client, run, ctx)
                    finally:
                        run.context_kept = otel_context.get_current() == before

            asyncio.run(main())
    except Exception as exc:  # noqa: BLE001 - whatever the call raises is part of the outcome
        run.saw("raised", type(exc), error_message(exc))


@dataclass
class CaseResult:
    """One case run without and with instrumentation, and what the instrumentation emitted."""

    baseline: Outcome
    instrumented: Outcome
    spans: list[ReadableSpan]
    not_ended_once: dict[str, int]
    logs: list[logging.LogRecord]
    # gen_ai.client.operation.duration points: (count, attributes).
    durations: list[tuple[int, dict[str, Any]]]


def internal_failures(records: list[logging.LogRecord]) -> list[str]:
    """Messages of our own failures (``log_internal_error``), at any level."""
    return [r.getMessage() for r in records if r.name.startswith("otel_genai") and "telemetry failed" in r.getMessage()]


def double_ends(records: list[logging.LogRecord]) -> list[str]:
    """The SDK's warnings about a span ended twice."""
    return [r.getMessage() for r in records if "ended span" in r.getMessage()]


_CASES: dict[tuple[str, str, str], CaseResult] = {}
MATRIX_ENV = {
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_AND_EVENT",
    "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "true",
}


def case_result(server: Any, method: Method, mode: str, scenario: Scenario) -> CaseResult:
    """Run the case (once per test process: the parallel runner sends every suite's test of a case
    to one worker, see tests/conftest.py) without, then with instrumentation (all content on); a
    case that waits out a timeout runs its uninstrumented call alongside (it waits ~1 s twice)."""
    key = (method.name, mode, scenario.name)
    if key in _CASES:
        return _CASES[key]
    captured = Captured()
    counter = EndCounter()
    captured.tracer_provider.add_span_processor(counter)
    with warnings_by_thread() as caught, ThreadPoolExecutor(max_workers=1) as beside:
        if scenario.timeout is None:
            baseline: Future[Outcome] = Future()
            baseline.set_result(observed_call(server, method, mode, scenario, caught))
        else:
            baseline = _baseline_under_way(beside, server, method, mode, scenario, caught)
        with collecting_logs("otel_genai", "opentelemetry") as logs, instrumented(captured, MATRIX_ENV):
            outcome = observed_call(server, method, mode, scenario, caught)
            if counter.not_ended_once():  # a stream left for the garbage collector to end
                gc.collect()
    durations = [(p.count, p.attributes) for p in captured.metrics("gen_ai.client.operation.duration")]
    result = CaseResult(baseline.result(), outcome, captured.spans(), counter.not_ended_once(), logs.records, durations)
    _CASES[key] = result
    return result


def _baseline_under_way(
    beside: ThreadPoolExecutor,
    server: Any,
    method: Method,
    mode: str,
    scenario: Scenario,
    caught: dict[int, list[type[Warning]]],
) -> Future[Outcome]:
    """The uninstrumented call, started on ``beside`` and handed back once its request reached the
    server: by then it has looked up every client method it calls, so an ``instrument()`` from here
    on does not reach it. Both halves of a timeout case then wait out their timeouts together."""
    tag = uuid.uuid4().hex
    running = beside.submit(observed_call, server, method, mode, scenario, caught, tag)
    deadline = time.monotonic() + 30.0
    while not running.done() and time.monotonic() < deadline:
        if any(r.headers.get(CALL_TAG) == tag for r in server.requests):
            break
        time.sleep(0.005)
    return running


def matrix_params(known_bugs: dict[tuple[str, str], str] | None = None) -> list[Any]:
    """pytest params: every method x mode x scenario; ``known_bugs`` (method, scenario) -> reason are strict xfails."""
    import pytest

    params = []
    for method in METHODS:
        for mode in MODES:
            for scenario in SCENARIOS:
                bug = (known_bugs or {}).get((method.name, scenario.name))
                marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
                params.append(
                    pytest.param(method, mode, scenario, id=f"{method.name}-{mode}-{scenario.name}", marks=marks)
                )
    return params


def skip_reason(method: Method, client: Any = None) -> str | None:
    """Why this installed client cannot run ``method`` uninstrumented-vs-instrumented, if it cannot.

    ``client``: one of the method's kind to look at (by default one made here)."""
    if not method.client_has(client if client is not None else method.kind.probe()):
        return f"{method.kind.name} {method.kind.version} has no {method.name}"
    if not method.instrumented():
        return f"{method.name} is not in the instrumentation's target table yet"
    return None


__all__ = [
    "API_KEY",
    "CALL_TAG",
    "CHAT_MODEL",
    "OPENAI",
    "METHODS",
    "MODES",
    "SCENARIOS",
    "CaseResult",
    "ClientKind",
    "EndCounter",
    "Method",
    "Outcome",
    "Scenario",
    "case_result",
    "collecting_logs",
    "instrumented",
    "matrix_params",
    "normalize",
    "run_call",
    "skip_reason",
]
