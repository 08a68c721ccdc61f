"""Stream observation and result delivery, driven with bare records and stand-in classes.

The stand-ins have the shape the core relies on (a stream iterates ``_iterator`` and holds
its HTTP ``response``; a raw response has ``parse()``); no client library is involved.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry.trace import StatusCode

from otel_genai.config import ContentCapture, Settings
from otel_genai.core.adapter import Operation
from otel_genai.core.delivery import ClientTypes, deliver
from otel_genai.core.invocation import Invocation, Message, text_part
from otel_genai.core.patching import unwrap_all, wrap_parsers
from otel_genai.core.streams import StreamRecorder, observe_chunks, observe_chunks_async
from otel_genai.core.telemetry import GenAITelemetry, ModelCall
from telemetry_capture import Captured

ABANDONED = "otel_genai.stream_abandoned"
INCOMPLETE = "otel_genai.stream_incomplete"


class Words:
    """A stream folder: each chunk is a word or, last, the string "<end>"."""

    def __init__(self, inv: Invocation, messages: bool) -> None:
        self.inv = inv
        self.messages = messages
        self.words: list[str] = []
        self.done = False

    def fold(self, chunk: Any) -> None:
        if chunk == "<end>":
            self.done = True
        else:
            self.words.append(chunk.strip())

    @property
    def finished(self) -> bool:
        return self.done

    def finish(self) -> None:
        self.inv.finish_reasons = ["stop" if self.done else "error"]
        self.inv.output_tokens = len(self.words)
        if self.messages:
            self.inv.output_messages = [Message("assistant", [text_part(" ".join(self.words))])]


class WordsOperation(Operation):
    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        return Invocation(operation="chat", provider="acme", request_model="m-1", stream=True)

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        inv.response_id = response["id"]

    def stream_folder(self, inv: Invocation, messages: bool) -> Words:
        return Words(inv, messages)


class Pipeline:
    def __init__(self) -> None:
        self.captured = Captured()
        settings = Settings(capture=ContentCapture.SPAN_ONLY)
        self.telemetry = GenAITelemetry(settings, **self.captured.providers())

    def start(self) -> ModelCall:
        return self.telemetry.start(Invocation(operation="chat", provider="acme", request_model="m-1", stream=True))

    def attributes(self) -> dict[str, Any]:
        return dict(self.captured.span().attributes or {})


@pytest.fixture
def pipeline() -> Pipeline:
    return Pipeline()


def recorder(call: ModelCall, **kwargs: Any) -> StreamRecorder:
    return StreamRecorder(call, Words(call.invocation, call.reads_messages), **kwargs)


CHUNKS = ["Hello ", "world", "<end>"]


# --- observe_chunks ---------------------------------------------------------------------------------


def test_chunks_pass_through_unchanged_and_the_call_ends_at_the_end(pipeline: Pipeline) -> None:
    call = pipeline.start()
    assert list(observe_chunks(iter(CHUNKS), recorder(call))) == CHUNKS
    attrs = pipeline.attributes()
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    assert attrs["gen_ai.usage.output_tokens"] == 2
    assert "Hello world" in attrs["gen_ai.output.messages"]
    assert len(call.chunk_times) == 3


def test_the_async_observer_does_the_same(pipeline: Pipeline) -> None:
    async def chunks() -> AsyncIterator[str]:
        for chunk in CHUNKS:
            yield chunk

    async def consume(call: ModelCall) -> list[str]:
        return [chunk async for chunk in observe_chunks_async(chunks(), recorder(call))]

    call = pipeline.start()
    assert asyncio.run(consume(call)) == CHUNKS
    assert pipeline.attributes()["gen_ai.response.finish_reasons"] == ("stop",)


def test_an_error_of_the_stream_reaches_the_caller_and_fails_the_call(pipeline: Pipeline) -> None:
    failure = ConnectionResetError("peer gone")

    def chunks() -> Iterator[str]:
        yield "Hello"
        raise failure

    call = pipeline.start()
    seen = []
    with pytest.raises(ConnectionResetError) as raised:
        for chunk in observe_chunks(chunks(), recorder(call)):
            seen.append(chunk)
    assert raised.value is failure and seen == ["Hello"]
    attrs = pipeline.attributes()
    assert attrs["error.type"] == "ConnectionResetError"
    assert attrs["gen_ai.response.finish_reasons"] == ("error",)


def test_a_chunk_the_folder_cannot_read_stops_folding_not_the_stream(pipeline: Pipeline) -> None:
    call = pipeline.start()
    chunks = ["Hello", 42, "world", "<end>"]  # 42 has no .strip()
    assert list(observe_chunks(iter(chunks), recorder(call))) == chunks
    attrs = pipeline.attributes()
    assert "error.type" not in attrs
    # Folding stopped at the bad chunk: the record is left as it was, the call still ended.
    assert "gen_ai.response.finish_reasons" not in attrs


class Undecided(Words):
    """A folder whose ``finished`` fails (a bug of ours)."""

    @property
    def finished(self) -> bool:
        raise LookupError("cannot tell")


def test_a_folder_that_cannot_tell_whether_the_stream_finished_does_not_fail_the_call(pipeline: Pipeline) -> None:
    call = pipeline.start()
    folder = Undecided(call.invocation, call.reads_messages)
    assert list(observe_chunks(iter(CHUNKS), StreamRecorder(call, folder))) == CHUNKS
    attrs = pipeline.attributes()
    assert "error.type" not in attrs  # our failure is not an incomplete stream
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)  # what the folder read is kept


def test_a_stream_dropped_unfinished_ends_as_abandoned(pipeline: Pipeline) -> None:
    call = pipeline.start()
    observer = observe_chunks(iter(CHUNKS), recorder(call))
    assert next(observer) == "Hello "
    del observer
    gc.collect()
    assert call.ended
    assert pipeline.attributes()["error.type"] == ABANDONED


def test_a_stream_never_iterated_ends_as_abandoned_when_collected(pipeline: Pipeline) -> None:
    call = pipeline.start()
    observer = observe_chunks(iter(CHUNKS), recorder(call))
    del observer
    gc.collect()
    assert pipeline.attributes()["error.type"] == ABANDONED


def test_a_stream_dropped_after_its_last_word_is_complete(pipeline: Pipeline) -> None:
    call = pipeline.start()
    observer = observe_chunks(iter([*CHUNKS, "trailing"]), recorder(call))
    assert [next(observer) for _ in CHUNKS] == CHUNKS
    del observer
    gc.collect()
    attrs = pipeline.attributes()
    assert "error.type" not in attrs and attrs["gen_ai.response.finish_reasons"] == ("stop",)


def test_a_close_with_an_error_fails_an_unfinished_stream_only(pipeline: Pipeline) -> None:
    call = pipeline.start()
    watcher = recorder(call)
    watcher.folder.fold("Hello")  # type: ignore[union-attr]
    watcher.close(KeyboardInterrupt())
    assert pipeline.attributes()["error.type"] == "KeyboardInterrupt"

    finished = Pipeline()
    call = finished.start()
    watcher = recorder(call)
    watcher.folder.fold("<end>")  # type: ignore[union-attr]
    watcher.close(KeyboardInterrupt())
    assert "error.type" not in finished.attributes()


def test_a_managed_stream_that_runs_out_early_waits_for_the_block_to_exit(pipeline: Pipeline) -> None:
    call = pipeline.start()
    watcher = recorder(call, managed=True)
    list(observe_chunks(iter(["Hello"]), watcher))
    assert not call.ended  # no last word yet: the manager's exit decides
    watcher.close(None)  # the block exited without an error: the stream was cut short
    assert call.ended and pipeline.attributes()["error.type"] == INCOMPLETE


def test_a_managed_stream_that_ran_out_early_fails_with_its_blocks_error(pipeline: Pipeline) -> None:
    call = pipeline.start()
    watcher = recorder(call, managed=True)
    list(observe_chunks(iter(["Hello"]), watcher))
    watcher.close(ValueError("helper could not parse"))
    assert pipeline.attributes()["error.type"] == "ValueError"


def test_a_managed_stream_that_ran_out_early_and_was_dropped_is_incomplete(pipeline: Pipeline) -> None:
    call = pipeline.start()
    list(observe_chunks(iter(["Hello"]), recorder(call, managed=True)))
    gc.collect()
    assert pipeline.attributes()["error.type"] == INCOMPLETE


# --- a stream that runs out before its last word -----------------------------------------------------


@pytest.mark.parametrize("chunks", [["Hello ", "world"], []], ids=["after two words", "empty"])
def test_a_stream_that_runs_out_before_its_last_word_is_incomplete(pipeline: Pipeline, chunks: list[str]) -> None:
    call = pipeline.start()
    assert list(observe_chunks(iter(chunks), recorder(call))) == chunks
    attrs = pipeline.attributes()
    assert attrs["error.type"] == INCOMPLETE
    assert pipeline.captured.span().status.status_code is StatusCode.ERROR
    # What arrived is still recorded, with the finish reason of a generation cut short.
    assert attrs["gen_ai.response.finish_reasons"] == ("error",)
    assert attrs["gen_ai.usage.output_tokens"] == len(chunks)


def test_the_async_observer_marks_it_too(pipeline: Pipeline) -> None:
    async def chunks() -> AsyncIterator[str]:
        yield "Hello"

    async def consume(call: ModelCall) -> list[str]:
        return [chunk async for chunk in observe_chunks_async(chunks(), recorder(call))]

    call = pipeline.start()
    assert asyncio.run(consume(call)) == ["Hello"]
    assert pipeline.attributes()["error.type"] == INCOMPLETE


def test_a_stream_without_a_folder_or_whose_folding_stopped_is_not_judged(pipeline: Pipeline) -> None:
    call = pipeline.start()
    list(observe_chunks(iter(["Hello"]), StreamRecorder(call, None)))
    assert "error.type" not in pipeline.attributes()

    stopped = Pipeline()
    call = stopped.start()
    list(observe_chunks(iter(["Hello", 42]), recorder(call)))  # 42 stops folding
    assert "error.type" not in stopped.attributes()


def test_a_stream_closed_before_its_end_is_not_incomplete(pipeline: Pipeline) -> None:
    call = pipeline.start()
    watcher = recorder(call)
    observer = observe_chunks(iter(CHUNKS), watcher)
    next(observer)
    watcher.close()  # the caller stopped reading: what arrived is the result
    assert "error.type" not in pipeline.attributes()


# --- delivery ---------------------------------------------------------------------------------------


class Response:
    """An HTTP response as the stream holds it."""

    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


class Stream:
    def __init__(self, chunks: list[str]) -> None:
        self.response = Response()
        self._iterator = iter(chunks)

    def __iter__(self) -> Iterator[str]:
        yield from self._iterator

    def close(self) -> None:
        self.response.close()


class AsyncStream(Stream):
    pass


class Parsable:
    """What both raw responses have: ``parse()``."""

    def __init__(self, parsed: Any) -> None:
        self._parsed = parsed
        self.parses = 0

    def parse(self) -> Any:
        self.parses += 1
        return self._parsed


class RawResponse(Parsable):
    """``with_raw_response``: read already; parse() caches."""


class StreamingResponse(Parsable):
    """``with_streaming_response``: read only if parsed (not a kind of RawResponse)."""

    def parse(self) -> Any:  # its own, as the clients' streaming responses have
        return super().parse()


TYPES = ClientTypes(Stream, AsyncStream, raw_response=RawResponse, streaming_responses=(StreamingResponse,))


@pytest.fixture
def parse_observed() -> Iterator[None]:
    """``StreamingResponse.parse`` wrapped, as an instrumentor wraps its client's."""
    patched = wrap_parsers(TYPES)
    yield
    unwrap_all(patched)


def test_a_response_is_folded_and_returned_as_it_is(pipeline: Pipeline) -> None:
    call = pipeline.start()
    response = {"id": "r-1"}
    assert deliver(call, response, WordsOperation(), TYPES) is response
    assert call.ended and pipeline.attributes()["gen_ai.response.id"] == "r-1"


def test_a_stream_stays_the_clients_object_and_is_observed(pipeline: Pipeline) -> None:
    call = pipeline.start()
    stream = Stream(list(CHUNKS))
    assert deliver(call, stream, WordsOperation(), TYPES) is stream
    assert not call.ended
    assert list(stream) == CHUNKS
    assert pipeline.attributes()["gen_ai.response.finish_reasons"] == ("stop",)


def test_closing_the_stream_ends_the_call_with_what_arrived(pipeline: Pipeline) -> None:
    call = pipeline.start()
    stream = Stream(list(CHUNKS))
    deliver(call, stream, WordsOperation(), TYPES)
    iterator = iter(stream)
    next(iterator)
    stream.close()
    assert stream.response.closed == 1  # the client's own close still runs
    assert call.ended and "error.type" not in pipeline.attributes()
    assert pipeline.attributes()["gen_ai.usage.output_tokens"] == 1


def test_a_raw_response_is_parsed_once_more_for_the_record(pipeline: Pipeline) -> None:
    call = pipeline.start()
    raw = RawResponse({"id": "r-raw"})
    assert deliver(call, raw, WordsOperation(), TYPES) is raw
    assert pipeline.attributes()["gen_ai.response.id"] == "r-raw"


def test_a_streaming_response_is_read_when_the_caller_parses_it(pipeline: Pipeline, parse_observed: None) -> None:
    call = pipeline.start()
    raw = StreamingResponse({"id": "r-lazy"})
    deliver(call, raw, WordsOperation(), TYPES)
    assert raw.parses == 0 and not call.ended
    assert raw.parse() == {"id": "r-lazy"}
    assert pipeline.attributes()["gen_ai.response.id"] == "r-lazy"


def test_a_streaming_response_parsed_as_it_is_returned_is_read(pipeline: Pipeline, parse_observed: None) -> None:
    """``create(...).parse()``: nothing but the expression holds the response while it parses."""
    call = pipeline.start()

    def create() -> StreamingResponse:
        raw = StreamingResponse({"id": "r-chained"})
        deliver(call, raw, WordsOperation(), TYPES)
        return raw

    assert create().parse() == {"id": "r-chained"}
    assert pipeline.attributes()["gen_ai.response.id"] == "r-chained"


def test_a_streaming_response_dropped_unparsed_ends_the_call(pipeline: Pipeline) -> None:
    call = pipeline.start()
    raw = StreamingResponse({"id": "r-lazy"})
    deliver(call, raw, WordsOperation(), TYPES)
    del raw
    gc.collect()
    assert call.ended and "gen_ai.response.id" not in pipeline.attributes()
