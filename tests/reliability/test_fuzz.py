"""Fuzzing the folders and adapters with Hypothesis, through the real core.

Chunk sequences go through ``core.streams.observe_chunks`` (and its async form) with a
``StreamRecorder`` around the real stream folders of Chat and legacy Completions, exactly as
``core.delivery`` wires them; response bodies go through the wrapper's guarded ``_finish``.
The call is opened by ``GenAITelemetry.start`` on in-memory SDK providers.

Properties:

* nothing escapes the guarded entry points: the iterator yields the very objects it was
  given (and raises only what the source raised), ``_finish`` returns the very result;
  every span ends exactly once;
* what was well-formed is recorded exactly: for chunk sequences and responses generated
  to mirror OpenAI's schema, the assembled text is the concatenated deltas, tool-call
  arguments are the JSON that was streamed, finish reasons, ids, models and usage match.

The number of examples each property ran is printed in the terminal summary.
"""

from __future__ import annotations

import asyncio
import json
import logging
import string
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
pytestmark = pytest.mark.slow  # Hypothesis properties: a second or more each

from fuzz_strategies import ERRORS, Hostile, HostileDict, Pipeline, fragments_of, fuzz_settings, mutated  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from openai.types import Completion, CreateEmbeddingResponse  # noqa: E402
from openai.types.chat import ChatCompletion, ChatCompletionChunk  # noqa: E402

from fuzz_examples import FUZZ_EXAMPLES  # noqa: E402
from otel_genai.core.attributes import error_type_of  # noqa: E402
from otel_genai.core.streams import StreamRecorder, observe_chunks, observe_chunks_async  # noqa: E402
from otel_genai.core.telemetry import ModelCall  # noqa: E402
from otel_genai.core.wrapper import _finish  # noqa: E402
from otel_genai.instrumentation.openai.chat import ChatCompletions  # noqa: E402
from otel_genai.instrumentation.openai.completions import TextCompletions  # noqa: E402
from otel_genai.instrumentation.openai.embeddings import Embeddings  # noqa: E402
from otel_genai.instrumentation.openai.instrumentor import client_types  # noqa: E402
from otel_genai.instrumentation.openai.targets import TARGETS  # noqa: E402

TYPES = client_types()


def ChatChunkFolder(call: ModelCall) -> Any:  # noqa: N802 - reads as the folder it makes
    return ChatCompletions().stream_folder(call.invocation, call.reads_messages)


def TextChunkFolder(call: ModelCall) -> Any:  # noqa: N802
    return TextCompletions().stream_folder(call.invocation, call.reads_messages)


def finish(operation: Any, call: ModelCall, result: Any) -> Any:
    """The wrapper's guarded delivery of a result, as for the openai client."""
    return _finish(operation, TYPES, call, result)


def counted(name: str) -> None:
    FUZZ_EXAMPLES[name] = FUZZ_EXAMPLES.get(name, 0) + 1


# --- the pipeline -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline() -> Iterator[Pipeline]:
    built = Pipeline()
    logger = logging.getLogger("otel_genai")
    level = logger.level
    logger.addHandler(built.logs)
    logger.setLevel(logging.DEBUG)
    try:
        yield built
    finally:
        logger.removeHandler(built.logs)
        logger.setLevel(level)


def drive(
    call: ModelCall, folder: Any, chunks: list[Any], use_async: bool, fail_with: BaseException | None = None
) -> Any:
    """Run ``chunks`` through the core's observer as results.py does; returns (yielded, raised)."""
    recorder = StreamRecorder(call, folder)

    def source() -> Iterator[Any]:
        yield from chunks
        if fail_with is not None:
            raise fail_with

    async def asource() -> AsyncIterator[Any]:
        for chunk in chunks:
            yield chunk
        if fail_with is not None:
            raise fail_with

    yielded: list[Any] = []
    raised: BaseException | None = None
    if use_async:

        async def consume() -> None:
            async for chunk in observe_chunks_async(asource(), recorder):
                yielded.append(chunk)

        try:
            asyncio.run(consume())
        except BaseException as exc:  # noqa: BLE001 - compared with what the source raised
            raised = exc
    else:
        try:
            for chunk in observe_chunks(source(), recorder):
                yielded.append(chunk)
        except BaseException as exc:  # noqa: BLE001
            raised = exc
    return yielded, raised


def attributes(call: ModelCall) -> dict[str, Any]:
    return dict(call.span.attributes or {})


def output_messages(call: ModelCall) -> Any:
    value = attributes(call).get("gen_ai.output.messages")
    return json.loads(value) if value is not None else None


# --- strategies: well-formed, mirroring OpenAI's schema ---------------------------------------

TEXT = st.text(max_size=8)
NONEMPTY_TEXT = st.text(min_size=1, max_size=8)
IDENT = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=16)
MODEL = st.sampled_from(["gpt-4o-mini-2024-07-18", "gpt-4.1", "o3-mini", "my-deployment"])
FINISH = st.sampled_from(["stop", "length", "content_filter"])
# Tool arguments as a model writes them: JSON objects.
JSON_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | TEXT
)
JSON_VALUE = st.recursive(
    JSON_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6
)
ARGUMENTS = st.dictionaries(TEXT, JSON_VALUE, max_size=4)
USAGE = st.fixed_dictionaries(
    {
        "prompt_tokens": st.integers(0, 10**6),
        "completion_tokens": st.integers(0, 10**6),
        "total_tokens": st.integers(0, 2 * 10**6),
    }
)


@st.composite
def tool_calls(draw: Any) -> list[dict[str, Any]]:
    calls = []
    for _ in range(draw(st.integers(1, 3))):
        arguments = draw(ARGUMENTS)
        calls.append(
            {
                "id": "call_" + draw(IDENT),
                "name": draw(IDENT),
                "arguments": arguments,
                "fragments": draw(fragments_of(json.dumps(arguments))),
            }
        )
    return calls


@st.composite
def chat_choices(draw: Any, count: int) -> list[dict[str, Any]]:
    """What each choice says: text, refusal and/or tool calls, and its finish reason."""
    choices = []
    for _ in range(count):
        kind = draw(st.sampled_from(["text", "refusal", "tools", "text+tools"]))
        text = draw(st.lists(TEXT, max_size=6)) if "text" in kind else []
        refusal = draw(st.lists(NONEMPTY_TEXT, min_size=1, max_size=3)) if kind == "refusal" else []
        calls = draw(tool_calls()) if "tools" in kind else []
        choices.append(
            {
                "text": text,
                "refusal": refusal,
                "tool_calls": calls,
                "finish": "tool_calls" if calls else draw(FINISH),
                "role_first": draw(st.booleans()),
                "finish_alone": draw(st.booleans()),
            }
        )
    return choices


def chat_deltas(choice: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
    deltas: list[dict[str, Any]] = []
    if choice["role_first"]:
        deltas.append({"role": "assistant", "content": "" if not choice["tool_calls"] else None})
    deltas += [{"content": piece} for piece in choice["text"]]
    deltas += [{"refusal": piece} for piece in choice["refusal"]]
    for position, call in enumerate(choice["tool_calls"]):
        first, *rest = call["fragments"]
        function = {"name": call["name"], "arguments": first}
        deltas.append({"tool_calls": [{"index": position, "id": call["id"], "type": "function", "function": function}]})
        deltas += [{"tool_calls": [{"index": position, "function": {"arguments": f}}]} for f in rest]
    events: list[tuple[dict[str, Any], str | None]] = [(d, None) for d in deltas]
    if choice["finish_alone"] or not events:
        events.append(({}, choice["finish"]))
    else:
        events[-1] = (events[-1][0], choice["finish"])
    return events


def interleave(rnd: Any, per_choice: list[list[Any]]) -> list[tuple[int, Any]]:
    """One random merge of the choices' events, each choice's own order kept."""
    queues = [list(events) for events in per_choice]
    merged = []
    while any(queues):
        index = rnd.choice([i for i, q in enumerate(queues) if q])
        merged.append((index, queues[index].pop(0)))
    return merged


@st.composite
def chat_streams(draw: Any) -> dict[str, Any]:
    """A well-formed ``chat.completion.chunk`` sequence and what it says."""
    response_id, model = "chatcmpl-" + draw(IDENT), draw(MODEL)
    choices = draw(chat_choices(draw(st.integers(1, 3))))
    merged = interleave(draw(st.randoms(use_true_random=False)), [chat_deltas(c) for c in choices])
    usage = draw(st.none() | USAGE)
    base = {"id": response_id, "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model}
    if usage is not None:
        base["usage"] = None
    chunks: list[Any] = []
    azure = draw(st.booleans())
    if azure:  # Azure opens with a prompt-filter chunk that names nothing
        chunks.append({"id": "", "object": "", "created": 0, "model": "", "choices": [], "prompt_filter_results": []})
    for index, (delta, finish) in merged:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        chunks.append({**base, "choices": [choice]})
    if usage is not None:
        chunks.append({**base, "choices": [], "usage": usage})
    if draw(st.booleans()):  # the client's own objects rather than dicts
        chunks = [
            c if c["object"] != "chat.completion.chunk" else ChatCompletionChunk.model_validate(c) for c in chunks
        ]
    return {"id": response_id, "model": model, "choices": choices, "usage": usage, "chunks": chunks}


def as_client_object(model: Any, data: dict[str, Any]) -> Any:
    """``data`` as the client builds a streamed chunk: its models, constructed without validation."""
    try:
        from openai._models import construct_type
    except ImportError:  # pragma: no cover - a client without the private helper
        return model.model_validate(data)
    return construct_type(type_=model, value=data)


def expected_chat_message(choice: dict[str, Any], text_key: str = "text") -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    text = "".join(choice[text_key])
    if text:
        parts.append({"type": "text", "content": text})
    refusal = "".join(choice.get("refusal", []))
    if refusal:
        parts.append({"type": "refusal", "content": refusal})
    for call in choice.get("tool_calls", []):
        parts.append({"type": "tool_call", "id": call["id"], "name": call["name"], "arguments": call["arguments"]})
    finish = "tool_call" if choice["finish"] == "tool_calls" else choice["finish"]
    return {"role": "assistant", "parts": parts, "finish_reason": finish}


# --- well-formed streams ------------------------------------------------------------------------


@fuzz_settings(120)
@given(stream=chat_streams(), use_async=st.booleans())
def test_well_formed_chat_stream_is_recorded_exactly(
    pipeline: Pipeline, stream: dict[str, Any], use_async: bool
) -> None:
    counted("chat stream, well-formed")
    call = pipeline.start()
    yielded, raised = drive(call, ChatChunkFolder(call), stream["chunks"], use_async)
    assert raised is None
    assert len(yielded) == len(stream["chunks"]) and all(a is b for a, b in zip(yielded, stream["chunks"], strict=True))
    assert pipeline.ended_once(call)
    assert pipeline.failures() == []
    attrs = attributes(call)
    assert attrs["gen_ai.response.id"] == stream["id"]
    assert attrs["gen_ai.response.model"] == stream["model"]
    assert list(attrs["gen_ai.response.finish_reasons"]) == [c["finish"] for c in stream["choices"]]
    assert output_messages(call) == [expected_chat_message(c) for c in stream["choices"]]
    if stream["usage"] is not None:
        assert attrs["gen_ai.usage.input_tokens"] == stream["usage"]["prompt_tokens"]
        assert attrs["gen_ai.usage.output_tokens"] == stream["usage"]["completion_tokens"]
    else:
        assert "gen_ai.usage.input_tokens" not in attrs
    assert "error.type" not in attrs


def test_finish_reason_followed_by_annotation_chunks_is_kept(pipeline: Pipeline) -> None:
    """Azure can follow the finish reason with content-filter annotation chunks (one choice,
    no finish reason): the finish reason and the usage still come through."""
    base = {"id": "chatcmpl-annotated", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini"}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> Any:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish, **extra}
        return ChatCompletionChunk.model_validate({**base, "choices": [choice]})

    annotation = {"content_filter_results": {"hate": {"filtered": False, "severity": "safe"}}}
    chunks = [chunk({"role": "assistant", "content": ""}), *(chunk({"content": w}) for w in ("a", "b", "c"))]
    chunks.append(chunk({}, "length"))
    chunks += [chunk({}, **annotation) for _ in range(5)]
    usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    chunks.append(ChatCompletionChunk.model_validate({**base, "choices": [], "usage": usage}))
    call = pipeline.start()
    drive(call, ChatChunkFolder(call), chunks, use_async=False)
    attrs = attributes(call)
    assert list(attrs["gen_ai.response.finish_reasons"]) == ["length"]
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (7, 3)
    assert output_messages(call) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "abc"}], "finish_reason": "length"}
    ]


@st.composite
def text_streams(draw: Any) -> dict[str, Any]:
    """A well-formed streamed ``text_completion`` and what it says."""
    response_id, model = "cmpl-" + draw(IDENT), draw(MODEL)
    choices = [
        {"pieces": draw(st.lists(TEXT, max_size=6)), "finish": draw(FINISH)} for _ in range(draw(st.integers(1, 3)))
    ]
    per_choice = [[*((p, None) for p in c["pieces"]), ("", c["finish"])] for c in choices]
    merged = interleave(draw(st.randoms(use_true_random=False)), per_choice)
    base = {"id": response_id, "object": "text_completion", "created": 1_700_000_000, "model": model}
    chunks: list[Any] = [
        {**base, "choices": [{"index": i, "text": text, "finish_reason": finish, "logprobs": None}]}
        for i, (text, finish) in merged
    ]
    if draw(st.booleans()):
        chunks = [as_client_object(Completion, c) for c in chunks]
    return {"id": response_id, "model": model, "choices": choices, "chunks": chunks}


@fuzz_settings(120)
@given(stream=text_streams(), use_async=st.booleans())
def test_well_formed_text_stream_is_recorded_exactly(
    pipeline: Pipeline, stream: dict[str, Any], use_async: bool
) -> None:
    counted("text-completion stream, well-formed")
    call = pipeline.start("text_completion")
    yielded, raised = drive(call, TextChunkFolder(call), stream["chunks"], use_async)
    assert raised is None and all(a is b for a, b in zip(yielded, stream["chunks"], strict=True))
    assert pipeline.ended_once(call)
    assert pipeline.failures() == []
    attrs = attributes(call)
    assert attrs["gen_ai.response.id"] == stream["id"]
    assert list(attrs["gen_ai.response.finish_reasons"]) == [c["finish"] for c in stream["choices"]]
    assert output_messages(call) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "".join(c["pieces"])}],
            "finish_reason": c["finish"],
        }
        for c in stream["choices"]
    ]


# --- anything at all ------------------------------------------------------------------------------

KEYS = (
    st.sampled_from(
        [
            "id",
            "model",
            "object",
            "choices",
            "index",
            "delta",
            "message",
            "content",
            "role",
            "refusal",
            "tool_calls",
            "function",
            "name",
            "arguments",
            "finish_reason",
            "usage",
            "prompt_tokens",
            "completion_tokens",
            "prompt_tokens_details",
            "completion_tokens_details",
            "cached_tokens",
            "reasoning_tokens",
            "text",
            "data",
            "embedding",
            "output",
            "status",
            "type",
            "service_tier",
            "system_fingerprint",
        ]
    )
    | TEXT
)
ANY_SCALAR = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6) | st.binary(max_size=4)
JSON_JUNK = st.recursive(
    ANY_SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


def constructed(model: Any) -> Any:
    """The client's model built without validation from random fields (as openai does for odd payloads)."""
    return st.dictionaries(KEYS, JSON_JUNK, max_size=6).map(lambda fields: model.model_construct(**fields))


ANYTHING = st.one_of(
    JSON_JUNK,
    constructed(ChatCompletionChunk),
    constructed(ChatCompletion),
    constructed(Completion),
    constructed(CreateEmbeddingResponse),
    ERRORS.map(Hostile),
    st.dictionaries(KEYS, JSON_JUNK, max_size=4).map(HostileDict),
)


@st.composite
def junk_streams(draw: Any) -> list[Any]:
    """A chunk sequence of anything: well-formed chunks, chunks with junk inside, and junk."""
    base = draw(chat_streams())["chunks"]
    plain = [c.model_dump() if hasattr(c, "model_dump") else c for c in base]
    return draw(
        st.lists(
            st.one_of(
                st.sampled_from(plain), st.sampled_from(plain).flatmap(lambda chunk: mutated(chunk, ANYTHING)), ANYTHING
            ),
            max_size=8,
        )
    )


@fuzz_settings(120)
@given(
    chunks=junk_streams(),
    folder=st.sampled_from([ChatChunkFolder, TextChunkFolder]),
    use_async=st.booleans(),
    fail_with=st.none() | ERRORS,
)
def test_any_chunk_sequence_passes_through_untouched(
    pipeline: Pipeline, chunks: list[Any], folder: Any, use_async: bool, fail_with: BaseException | None
) -> None:
    counted("chunk sequence, anything")
    call = pipeline.start()
    yielded, raised = drive(call, folder(call), chunks, use_async, fail_with)
    assert len(yielded) == len(chunks) and all(a is b for a, b in zip(yielded, chunks, strict=True))
    assert raised is fail_with  # only what the source raised, the very object
    assert pipeline.ended_once(call)
    attrs = attributes(call)
    if fail_with is not None:
        assert attrs["error.type"] == error_type_of(fail_with)
    elif not chunks:  # ran out before any last word
        assert attrs["error.type"] == "otel_genai.stream_incomplete"
    else:  # junk may hide the last word, or stop our folding: incomplete at most, never a failure of ours
        assert attrs.get("error.type") in (None, "otel_genai.stream_incomplete")
    if pipeline.failures():  # allowed here (logged, never raised); counted for the report
        counted("chunk sequence, anything: of which logged an internal failure")


def _adapters() -> list[Any]:
    return [operation() for operation in dict.fromkeys(t.operation for t in TARGETS)]


@fuzz_settings(120)
@given(response=ANYTHING, adapter=st.sampled_from(_adapters()), streamed=st.booleans())
def test_any_response_passes_through_untouched(pipeline: Pipeline, response: Any, adapter: Any, streamed: bool) -> None:
    counted("response body, anything")
    call = pipeline.start(stream=streamed)
    assert finish(adapter, call, response) is response
    assert pipeline.ended_once(call)
    assert "error.type" not in attributes(call)
    if pipeline.failures():
        counted("response body, anything: of which logged an internal failure")


# --- well-formed responses ------------------------------------------------------------------------


@st.composite
def chat_completions(draw: Any) -> dict[str, Any]:
    """A well-formed ``chat.completion`` body and what it says."""
    count = draw(st.integers(1, 3))
    plans = draw(chat_choices(count))
    choices = []
    for index, plan in enumerate(plans):
        message: dict[str, Any] = {"role": "assistant", "content": "".join(plan["text"]) or None, "refusal": None}
        if plan["refusal"]:
            message["refusal"] = "".join(plan["refusal"])
        if plan["tool_calls"]:
            message["tool_calls"] = [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for c in plan["tool_calls"]
            ]
        choices.append({"index": index, "message": message, "finish_reason": plan["finish"], "logprobs": None})
    order = draw(st.permutations(range(count)))
    cached, reasoning = draw(st.integers(0, 50)), draw(st.integers(0, 50))
    usage = {
        "prompt_tokens": draw(st.integers(50, 10**6)),
        "completion_tokens": draw(st.integers(50, 10**6)),
        "total_tokens": 0,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0},
    }
    body = {
        "id": "chatcmpl-" + draw(IDENT),
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": draw(MODEL),
        "choices": [choices[i] for i in order],
        "usage": usage,
    }
    obj = ChatCompletion.model_validate(body) if draw(st.booleans()) else body
    return {"body": body, "obj": obj, "plans": plans, "usage": usage}


@fuzz_settings(120)
@given(case=chat_completions())
def test_well_formed_chat_completion_is_recorded_exactly(pipeline: Pipeline, case: dict[str, Any]) -> None:
    counted("chat completion, well-formed")
    call = pipeline.start(stream=False)
    assert finish(ChatCompletions(), call, case["obj"]) is case["obj"]
    assert pipeline.ended_once(call)
    assert pipeline.failures() == []
    attrs, body, usage = attributes(call), case["body"], case["usage"]
    assert attrs["gen_ai.response.id"] == body["id"]
    assert attrs["gen_ai.response.model"] == body["model"]
    assert list(attrs["gen_ai.response.finish_reasons"]) == [p["finish"] for p in case["plans"]]
    assert attrs["gen_ai.usage.input_tokens"] == usage["prompt_tokens"]
    assert attrs["gen_ai.usage.output_tokens"] == usage["completion_tokens"]
    cached = usage["prompt_tokens_details"]["cached_tokens"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert attrs.get("gen_ai.usage.cache_read.input_tokens") == (cached or None)
    assert attrs.get("gen_ai.usage.reasoning.output_tokens") == (reasoning or None)
    assert output_messages(call) == [expected_chat_message(p) for p in case["plans"]]


@fuzz_settings(120)
@given(
    vectors=st.lists(st.lists(st.floats(-1, 1, width=32), min_size=1, max_size=8), min_size=1, max_size=3),
    tokens=st.integers(0, 10**6),
    model=MODEL,
    validated=st.booleans(),
)
def test_well_formed_embeddings_are_recorded_exactly(
    pipeline: Pipeline, vectors: list[list[float]], tokens: int, model: str, validated: bool
) -> None:
    counted("embeddings, well-formed")
    body = {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    obj = CreateEmbeddingResponse.model_validate(body) if validated else body
    call = pipeline.start("embeddings", stream=False)
    assert finish(Embeddings(), call, obj) is obj
    assert pipeline.ended_once(call) and pipeline.failures() == []
    attrs = attributes(call)
    assert attrs["gen_ai.response.model"] == model
    assert attrs["gen_ai.usage.input_tokens"] == tokens
    assert attrs["gen_ai.embeddings.dimension.count"] == len(vectors[0])


@fuzz_settings(120)
@given(
    texts=st.lists(st.tuples(TEXT, FINISH), min_size=1, max_size=3),
    response_id=IDENT,
    model=MODEL,
    validated=st.booleans(),
)
def test_well_formed_text_completion_is_recorded_exactly(
    pipeline: Pipeline, texts: list[tuple[str, str]], response_id: str, model: str, validated: bool
) -> None:
    counted("text completion, well-formed")
    body = {
        "id": "cmpl-" + response_id,
        "object": "text_completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": i, "text": t, "finish_reason": f, "logprobs": None} for i, (t, f) in enumerate(texts)],
    }
    obj = Completion.model_validate(body) if validated else body
    call = pipeline.start("text_completion", stream=False)
    assert finish(TextCompletions(), call, obj) is obj
    assert pipeline.ended_once(call) and pipeline.failures() == []
    attrs = attributes(call)
    assert attrs["gen_ai.response.id"] == body["id"]
    assert list(attrs["gen_ai.response.finish_reasons"]) == [f for _, f in texts]
    assert output_messages(call) == [
        {"role": "assistant", "parts": [{"type": "text", "content": t}], "finish_reason": f} for t, f in texts
    ]


# --- what the fuzzing found (fixed in d7a84ce; kept as regression tests) ---------------------------

CHUNK = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini"}


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {**CHUNK, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


@pytest.mark.parametrize("streamed", [True, False])
def test_none_in_tool_arguments_is_kept(pipeline: Pipeline, streamed: bool) -> None:
    """core/content.py used to drop None-valued keys at every depth: {"city": null} was recorded as {}."""
    arguments = {"city": None, "units": "metric", "filters": {"since": None}}
    call = pipeline.start(stream=streamed)
    tool_call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "weather", "arguments": json.dumps(arguments)},
    }
    if streamed:
        chunks = [_chunk({"role": "assistant", "tool_calls": [{"index": 0, **tool_call}]}), _chunk({}, "tool_calls")]
        drive(call, ChatChunkFolder(call), chunks, use_async=False)
    else:
        message = {"role": "assistant", "content": None, "tool_calls": [tool_call]}
        body = {
            **CHUNK,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
        }
        finish(ChatCompletions(), call, body)
    (message,) = output_messages(call)
    assert message["parts"][0]["arguments"] == arguments


@pytest.mark.parametrize("odd", [5, ["x"], {"text": "x"}], ids=["int", "list", "dict"])
def test_an_odd_delta_does_not_cost_the_rest_of_the_stream(pipeline: Pipeline, odd: Any) -> None:
    """ChatChunkFolder used to keep a non-string delta; ''.join then failed in finish() and the
    output messages of the whole stream were lost."""
    pipeline.failures()
    call = pipeline.start()
    chunks = [
        _chunk({"role": "assistant", "content": "Hello "}),
        _chunk({"content": odd}),  # a value of the wrong type: skipped, as fields.py promises
        _chunk({"content": "world"}),
        _chunk({}, "stop"),
    ]
    drive(call, ChatChunkFolder(call), chunks, use_async=False)
    assert output_messages(call) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello world"}], "finish_reason": "stop"}
    ]
    assert pipeline.failures() == []


def test_an_odd_text_chunk_does_not_cost_the_rest_of_the_stream(pipeline: Pipeline) -> None:
    """The same for TextChunkFolder.fold_content."""
    pipeline.failures()
    call = pipeline.start("text_completion")
    base = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "gpt-3.5-turbo-instruct"}
    chunks = [
        {**base, "choices": [{"index": 0, "text": text, "finish_reason": reason}]}
        for text, reason in (("Hello ", None), (7, None), ("world", "stop"))
    ]
    drive(call, TextChunkFolder(call), chunks, use_async=False)
    assert output_messages(call) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello world"}], "finish_reason": "stop"}
    ]
    assert pipeline.failures() == []
