"""Fuzzing the Anthropic paths with Hypothesis, over real HTTP and in process.

Over HTTP, a loopback server answers each example with a generated body: a Messages response
or a stream of server-sent events. The real ``anthropic`` client reads it the way an
application does (``create``, ``create(stream=True)``, ``messages.stream()``,
``with_raw_response``; sync or async) twice, without and with instrumentation:

* whatever the body, the application sees the same thing both times: the same objects, field
  by field, in the same order, or the same exception; every span ends once;
* a body generated to follow Anthropic's wire format is recorded exactly: id, model, stop
  reason, token usage (cache reads and writes included in the input, and apart), and the
  assistant's message part by part, all worked out here from what was generated.

In process, objects no HTTP body can produce (models built without validation from junk,
objects whose every attribute read raises) go through the Anthropic operation and its stream
folder inside the core's guarded entry points: the very object comes back, nothing raises.

The number of examples each property ran is printed in the terminal summary.
"""

from __future__ import annotations

import asyncio
import json
import os
import string
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
anthropic = pytest.importorskip("anthropic")
pytestmark = pytest.mark.slow  # Hypothesis properties: a second or more each

from fuzz_strategies import ERRORS, Hostile, HostileDict, Pipeline, fragments_of, fuzz_settings, mutated  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from instrumentation_probes import EndCounter  # noqa: E402

from fuzz_examples import FUZZ_EXAMPLES  # noqa: E402
from local_http import anthropic_http  # noqa: E402
from otel_genai.core.attributes import error_type_of  # noqa: E402
from otel_genai.core.streams import StreamRecorder, observe_chunks  # noqa: E402
from otel_genai.core.wrapper import _finish  # noqa: E402
from otel_genai.instrumentation.anthropic import AnthropicInstrumentor  # noqa: E402
from otel_genai.instrumentation.anthropic.instrumentor import client_types  # noqa: E402
from otel_genai.instrumentation.anthropic.messages import Messages  # noqa: E402
from telemetry_capture import Captured  # noqa: E402

MODEL = "claude-sonnet-4-5"


def counted(name: str) -> None:
    FUZZ_EXAMPLES[name] = FUZZ_EXAMPLES.get(name, 0) + 1


# --- the loopback server ------------------------------------------------------------------------


class Answers(ThreadingHTTPServer):
    """Answers every request with the body the current example set."""

    daemon_threads = True
    status = 200
    content_type = "application/json"
    body = b"{}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms wait between them
    server: Answers

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(self.server.status)
        self.send_header("content-type", self.server.content_type)
        self.send_header("content-length", str(len(self.server.body)))
        self.send_header("request-id", "req_fuzz")
        # A connection per call: a kept-alive one the server has dropped would fail the next
        # call with a connection error of its own, with or without us.
        self.send_header("connection", "close")
        self.close_connection = True
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass


@pytest.fixture(scope="module")
def answers() -> Iterator[Answers]:
    server = Answers(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def sse(events: list[tuple[str, Any]]) -> bytes:
    """Server-sent events: each ``(name, data)`` (a JSON value, or text sent as it is)."""
    lines = []
    for name, data in events:
        text = data if isinstance(data, str) else json.dumps(data)
        lines.append(f"event: {name}\ndata: {text}\n\n")
    return "".join(lines).encode()


# --- the application's side ----------------------------------------------------------------------


def _seen(obj: Any) -> tuple[Any, ...]:
    """An object as the application sees it: its type and every field."""
    dump = getattr(obj, "model_dump", None)
    return (type(obj), dump(warnings=False) if callable(dump) else obj)


KWARGS = {"model": MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": "Hi"}]}


def read_sync(client: Any, path: str, seen: list[Any]) -> None:
    """Read the answer as an application does, noting each object it gets in ``seen``."""
    if path == "create":
        seen.append(_seen(client.messages.create(**KWARGS)))
    elif path == "with_raw_response":
        seen.append(_seen(client.messages.with_raw_response.create(**KWARGS).parse()))
    elif path == "create(stream)":
        seen.extend(_seen(event) for event in client.messages.create(**KWARGS, stream=True))
    else:
        with client.messages.stream(**KWARGS) as stream:
            seen.extend(_seen(event) for event in stream)
            seen.append(_seen(stream.get_final_message()))


async def read_async(client: Any, path: str, seen: list[Any]) -> None:
    if path == "create":
        seen.append(_seen(await client.messages.create(**KWARGS)))
    elif path == "create(stream)":
        seen.extend([_seen(event) async for event in await client.messages.create(**KWARGS, stream=True)])
    else:
        async with client.messages.stream(**KWARGS) as stream:
            async for event in stream:
                seen.append(_seen(event))
            seen.append(_seen(await stream.get_final_message()))


class Reader:
    """The real client of the loopback server, reading one body without, then with, instrumentation."""

    def __init__(self, server: Answers) -> None:
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self.client = anthropic.Anthropic(**self._options())
        self.captured = Captured()
        self.ends = EndCounter()
        self.captured.tracer_provider.add_span_processor(self.ends)
        self.instrumentor = AnthropicInstrumentor()

    def _options(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "api_key": "sk-ant-fuzz", "max_retries": 0}

    def read(self, path: str, use_async: bool) -> list[Any]:
        seen: list[Any] = []
        try:
            if not use_async:
                read_sync(self.client, path, seen)
            else:

                async def main() -> None:
                    http_client = anthropic_http(asynchronous=True)
                    async with anthropic.AsyncAnthropic(**self._options(), http_client=http_client) as client:
                        await read_async(client, path, seen)

                asyncio.run(main())
        except Exception as exc:  # noqa: BLE001 - what the call raised is what the application saw
            seen.append(("raised", type(exc), str(exc)))
        return seen

    def both(self, path: str, use_async: bool) -> tuple[list[Any], list[Any], list[Any]]:
        """(without us, with us, our spans) for the body the server has now."""
        self.captured.spans_exporter.clear()
        self.ends.started.clear()
        self.ends.ends.clear()
        without = self.read(path, use_async)
        self.instrumentor.instrument(**self.captured.providers())
        try:
            with_us = self.read(path, use_async)
        finally:
            self.instrumentor.uninstrument()
        return without, with_us, self.captured.spans()


@pytest.fixture(scope="module")
def reader(answers: Answers) -> Iterator[Reader]:
    saved = os.environ.get("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_ONLY"
    try:
        yield Reader(answers)
    finally:
        if saved is None:
            os.environ.pop("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
        else:
            os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = saved


# --- strategies: what Anthropic's API sends -----------------------------------------------------

TEXT = st.text(max_size=8)
IDENT = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12)
MODELS = st.sampled_from(["claude-sonnet-4-5-20250929", "claude-3-7-sonnet-20250219", "claude-haiku-4-5"])
STOP_REASONS = st.sampled_from(["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", "pause_turn"])
ARGUMENTS = st.dictionaries(
    TEXT, st.none() | st.booleans() | st.integers(-(10**6), 10**6) | TEXT | st.lists(TEXT, max_size=2), max_size=3
)
CACHE = st.none() | st.integers(0, 10**5)

# What the conventions call each stop reason inside the output message (their finish_reason
# enum; a reason they do not name is kept as it is).
MESSAGE_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_call",
    "refusal": "content_filter",
}


@st.composite
def blocks(draw: Any) -> list[dict[str, Any]]:
    """The assistant's content blocks, with the pieces each streams in."""
    made = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "thinking", "redacted_thinking", "tool_use"]))
        if kind == "tool_use":
            arguments = draw(ARGUMENTS)
            pieces = draw(fragments_of(json.dumps(arguments)))
            if draw(st.booleans()):  # the API opens a tool's input with an empty delta
                pieces = ["", *pieces]
            made.append({"kind": kind, "id": "toolu_" + draw(IDENT), "name": draw(IDENT), "input": arguments})
            made[-1]["pieces"] = pieces
        elif kind == "redacted_thinking":
            made.append({"kind": kind, "data": "REDACTED" + draw(IDENT)})
        else:
            made.append({"kind": kind, "pieces": draw(st.lists(TEXT, max_size=5)), "signature": draw(IDENT)})
    return made


@st.composite
def usages(draw: Any) -> dict[str, Any]:
    usage: dict[str, Any] = {"input_tokens": draw(st.integers(0, 10**6)), "output_tokens": draw(st.integers(0, 10**5))}
    for name in ("cache_read_input_tokens", "cache_creation_input_tokens"):
        if draw(st.booleans()):
            usage[name] = draw(CACHE)
    return usage


@st.composite
def messages(draw: Any) -> dict[str, Any]:
    """A whole reply: what a plain response and a stream of it both say."""
    stop_reason = draw(STOP_REASONS)
    return {
        "id": "msg_" + draw(IDENT),
        "model": draw(MODELS),
        "blocks": draw(blocks()),
        "stop_reason": stop_reason,
        "stop_sequence": draw(IDENT) if stop_reason == "stop_sequence" else None,
        "usage": draw(usages()),
    }


def block_body(block: dict[str, Any]) -> dict[str, Any]:
    kind = block["kind"]
    if kind == "text":
        return {"type": "text", "text": "".join(block["pieces"])}
    if kind == "thinking":
        return {"type": "thinking", "thinking": "".join(block["pieces"]), "signature": block["signature"]}
    if kind == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block["data"]}
    return {"type": "tool_use", "id": block["id"], "name": block["name"], "input": block["input"]}


def message_body(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": message["id"],
        "type": "message",
        "role": "assistant",
        "model": message["model"],
        "content": [block_body(b) for b in message["blocks"]],
        "stop_reason": message["stop_reason"],
        "stop_sequence": message["stop_sequence"],
        "usage": message["usage"],
    }


def _block_events(index: int, block: dict[str, Any]) -> list[tuple[str, Any]]:
    kind = block["kind"]
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in block["pieces"]]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [{"type": "thinking_delta", "thinking": piece} for piece in block["pieces"]]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind == "redacted_thinking":
        start, deltas = block_body(block), []
    else:
        start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in block["pieces"]]
    return [
        ("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
        *(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas),
        ("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]


@st.composite
def streams(draw: Any) -> dict[str, Any]:
    """A reply as Anthropic streams it, and what it says. The first usage report counts the
    input; the last (``message_delta``) is cumulative and may repeat the input side."""
    message = draw(messages())
    usage = message["usage"]
    opening_usage = {**usage, "output_tokens": draw(st.integers(0, 3))}
    closing_usage = {"output_tokens": usage["output_tokens"]}
    if draw(st.booleans()):  # recent releases repeat the input side at the end
        closing_usage |= {"input_tokens": usage["input_tokens"]}
        closing_usage |= {k: v for k, v in usage.items() if k.startswith("cache_")}
    start = {**message_body(message), "content": [], "stop_reason": None, "stop_sequence": None}
    events: list[tuple[str, Any]] = [
        ("message_start", {"type": "message_start", "message": {**start, "usage": opening_usage}})
    ]
    for index, block in enumerate(message["blocks"]):
        events += _block_events(index, block)
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": closing_usage}))
    events.append(("message_stop", {"type": "message_stop"}))
    for _ in range(draw(st.integers(0, 2))):  # pings may come anywhere after the start
        events.insert(draw(st.integers(1, len(events))), ("ping", {"type": "ping"}))
    return {"message": message, "events": events}


def expected_attributes(message: dict[str, Any]) -> dict[str, Any]:
    """The span attributes the conventions give a reply, worked out from the reply itself."""
    usage = message["usage"]
    read, written = usage.get("cache_read_input_tokens"), usage.get("cache_creation_input_tokens")
    parts: list[dict[str, Any]] = []
    for block in message["blocks"]:
        kind = block["kind"]
        if kind == "text":
            parts.append({"type": "text", "content": "".join(block["pieces"])})
        elif kind == "thinking":
            parts.append({"type": "reasoning", "content": "".join(block["pieces"])})
        elif kind == "redacted_thinking":  # that there was reasoning, never its data
            parts.append({"type": "reasoning", "content": "", "redacted": True})
        else:
            parts.append({"type": "tool_call", "id": block["id"], "name": block["name"], "arguments": block["input"]})
    stop = message["stop_reason"]
    expected = {
        "gen_ai.response.id": message["id"],
        "gen_ai.response.model": message["model"],
        "gen_ai.response.finish_reasons": (stop,),
        # Anthropic counts cached tokens apart; the conventions' input includes them.
        "gen_ai.usage.input_tokens": usage["input_tokens"] + (read or 0) + (written or 0),
        "gen_ai.usage.output_tokens": usage["output_tokens"],
        "gen_ai.output.messages": [
            {"role": "assistant", "parts": parts, "finish_reason": MESSAGE_FINISH.get(stop, stop)}
        ],
    }
    if read:  # a zero says nothing
        expected["gen_ai.usage.cache_read.input_tokens"] = read
    if written:
        expected["gen_ai.usage.cache_write.input_tokens"] = written
    return expected


def recorded(span: Any) -> dict[str, Any]:
    """The attributes ``expected_attributes`` speaks of, as the span has them."""
    names = (
        "gen_ai.response.id",
        "gen_ai.response.model",
        "gen_ai.response.finish_reasons",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_write.input_tokens",
        "gen_ai.output.messages",
    )
    found = {name: span.attributes[name] for name in names if name in span.attributes}
    if "gen_ai.output.messages" in found:
        found["gen_ai.output.messages"] = json.loads(found["gen_ai.output.messages"])
    return found


def _answer(server: Answers, body: bytes, content_type: str, status: int = 200) -> None:
    server.body, server.content_type, server.status = body, content_type, status


def _one_span_ended_once(reader: Reader, spans: list[Any]) -> Any:
    assert len(spans) == 1, [s.name for s in spans]
    assert reader.ends.not_ended_once() == {}
    return spans[0]


# --- well-formed replies are recorded exactly -----------------------------------------------------


@fuzz_settings(120)
@given(message=messages(), path=st.sampled_from(["create", "with_raw_response"]), use_async=st.booleans())
def test_a_well_formed_message_is_recorded_exactly(
    answers: Answers, reader: Reader, message: dict[str, Any], path: str, use_async: bool
) -> None:
    counted("anthropic message, well-formed")
    _answer(answers, json.dumps(message_body(message)).encode(), "application/json")
    without, with_us, spans = reader.both(path, use_async and path == "create")
    assert with_us == without and without[-1][0] != "raised"
    span = _one_span_ended_once(reader, spans)
    assert recorded(span) == expected_attributes(message)
    assert "error.type" not in span.attributes


@fuzz_settings(120)
@given(stream=streams(), path=st.sampled_from(["create(stream)", "stream()"]), use_async=st.booleans())
def test_a_well_formed_stream_is_recorded_exactly(
    answers: Answers, reader: Reader, stream: dict[str, Any], path: str, use_async: bool
) -> None:
    counted("anthropic stream, well-formed")
    _answer(answers, sse(stream["events"]), "text/event-stream")
    without, with_us, spans = reader.both(path, use_async)
    assert with_us == without and without[-1][0] != "raised"
    span = _one_span_ended_once(reader, spans)
    assert recorded(span) == expected_attributes(stream["message"])
    assert "error.type" not in span.attributes


# --- any body passes through untouched -----------------------------------------------------------

KEYS = st.sampled_from(
    [
        "id",
        "type",
        "role",
        "model",
        "content",
        "text",
        "thinking",
        "signature",
        "data",
        "name",
        "input",
        "tool_use_id",
        "index",
        "delta",
        "partial_json",
        "content_block",
        "message",
        "stop_reason",
        "stop_sequence",
        "usage",
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
        "error",
    ]
) | st.text(max_size=6)
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["text", "message"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
EVENT_NAMES = st.sampled_from(
    [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
        "completion",
        "mystery",
    ]
)


@st.composite
def junk_bodies(draw: Any) -> tuple[int, str, bytes]:
    """(status, content type, body): a message or a stream, whole, damaged or made of junk."""
    if draw(st.booleans()):  # a message
        body = message_body(draw(messages()))
        shape = draw(st.sampled_from(["whole", "damaged", "junk", "bytes"]))
        data = {"whole": body, "damaged": draw(mutated(body, JUNK)), "junk": draw(JUNK)}.get(shape)
        raw = draw(st.binary(max_size=16)) if data is None else json.dumps(data).encode()
        status = draw(st.sampled_from([200, 200, 200, 400, 429, 500, 529]))
        return status, "application/json", raw
    events = draw(streams())["events"]
    picked = draw(st.lists(st.integers(0, len(events) - 1), max_size=len(events) + 2))  # dropped, repeated, reordered
    damaged: list[tuple[str, Any]] = []
    for position in picked if draw(st.booleans()) else range(len(events)):
        name, data = events[position]
        kind = draw(st.sampled_from(["same", "same", "damaged", "renamed", "text"]))
        if kind == "damaged":
            data = draw(mutated(data, JUNK))
        elif kind == "renamed":
            name = draw(EVENT_NAMES)
        elif kind == "text":
            data = draw(st.text(alphabet=string.printable.replace("\n", "").replace("\r", ""), max_size=8))
        damaged.append((name, data))
    return 200, "text/event-stream", sse(damaged)


PATHS = st.sampled_from(["create", "with_raw_response", "create(stream)", "stream()"])


@fuzz_settings(120)
@given(body=junk_bodies(), path=PATHS, use_async=st.booleans())
def test_any_body_passes_through_untouched(
    answers: Answers, reader: Reader, body: tuple[int, str, bytes], path: str, use_async: bool
) -> None:
    counted("anthropic body, anything")
    _answer(answers, body[2], body[1], body[0])
    without, with_us, spans = reader.both(path, use_async and path != "with_raw_response")
    assert with_us == without
    span = _one_span_ended_once(reader, spans)
    error_type = span.attributes.get("error.type")
    if without and without[-1][0] == "raised":
        # The application's failure is the call's; but once the server has said its last word
        # (message_stop), what fails in a stream() block after it is not the call's.
        stopped = b'event: message_stop\ndata: {"type": "message_stop"' in body[2]
        assert error_type or (path == "stream()" and stopped)
    elif path in ("create", "with_raw_response"):
        assert error_type is None
    else:  # junk may hide the stream's last word: incomplete at most
        assert error_type in (None, "otel_genai.stream_incomplete")


# --- in process: objects no body can make ----------------------------------------------------------

TYPES = client_types()


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    """The OpenAI fuzz's pipeline: the core on in-memory providers (the record's provider name
    matters to neither)."""
    return Pipeline()


def _constructed(model: Any) -> Any:
    return st.dictionaries(KEYS, JUNK, max_size=5).map(lambda fields: model.model_construct(**fields))


types = anthropic.types
ODD_OBJECTS = st.one_of(
    JUNK,
    _constructed(types.Message),
    _constructed(types.RawMessageStartEvent),
    _constructed(types.RawContentBlockStartEvent),
    _constructed(types.RawContentBlockDeltaEvent),
    _constructed(types.RawMessageDeltaEvent),
    _constructed(types.Usage),
    ERRORS.map(Hostile),
    st.dictionaries(KEYS, JUNK, max_size=4).map(HostileDict),
)


@fuzz_settings(120)
@given(response=ODD_OBJECTS)
def test_any_response_object_comes_back_untouched(pipeline: Pipeline, response: Any) -> None:
    counted("anthropic response object, anything")
    call = pipeline.start(stream=False)
    assert _finish(Messages(), TYPES, call, response) is response
    assert pipeline.ended_once(call)
    assert "error.type" not in (call.span.attributes or {})


@fuzz_settings(120)
@given(events=st.lists(ODD_OBJECTS, max_size=8), fail_with=st.none() | ERRORS)
def test_any_event_sequence_comes_back_untouched(
    pipeline: Pipeline, events: list[Any], fail_with: BaseException | None
) -> None:
    counted("anthropic event objects, anything")
    call = pipeline.start(stream=True)

    def source() -> Iterator[Any]:
        yield from events
        if fail_with is not None:
            raise fail_with

    recorder = StreamRecorder(call, Messages().stream_folder(call.invocation, True))
    yielded: list[Any] = []
    raised: BaseException | None = None
    try:
        for event in observe_chunks(source(), recorder):
            yielded.append(event)
    except BaseException as exc:  # noqa: BLE001 - compared with what the source raised
        raised = exc
    assert len(yielded) == len(events) and all(a is b for a, b in zip(yielded, events, strict=True))
    assert raised is fail_with  # only what the source raised, the very object
    assert pipeline.ended_once(call)
    error_type = (call.span.attributes or {}).get("error.type")
    if fail_with is not None:
        assert error_type == error_type_of(fail_with)
    else:  # junk may hide the last word: incomplete at most, never a failure of ours
        assert error_type in (None, "otel_genai.stream_incomplete")
