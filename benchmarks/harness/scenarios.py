"""The calls every implementation is measured on, against an in-process transport.

Each scenario makes one real OpenAI client call whose HTTP exchange is answered in-process
(``httpx.MockTransport``) with a recorded body, so that the time measured is the client's and
the instrumentation's, never the network's. A scenario runs a *batch* of calls; async
scenarios run their batch inside one event-loop turn, so the loop's own cost is the same with
and without instrumentation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SYSTEM = "You are a helpful assistant."
MESSAGES = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "Say this is a test"},
]
CHAT_MODEL = "gpt-4o-mini"
EMBEDDINGS_MODEL = "text-embedding-3-small"
BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class Scenario:
    """One measured call: its key, its label in the report and how many chunks it streams."""

    key: str
    label: str
    body: str
    chunks: int = 0
    is_async: bool = False
    operation: str = "chat"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("chat", "chat", "chat"),
    Scenario("stream_1", "chat stream, 1 chunk", "chat_stream_1", chunks=1),
    Scenario("stream_20", "chat stream, 20 chunks", "chat_stream_20", chunks=20),
    Scenario("stream_200", "chat stream, 200 chunks", "chat_stream_200", chunks=200),
    Scenario("responses_200", "Responses stream, 200 events", "responses_stream", chunks=200, operation="responses"),
    Scenario("embeddings", "embeddings", "embeddings", operation="embeddings"),
    Scenario("async_chat", "async chat", "chat", is_async=True),
    Scenario("async_stream_20", "async chat stream, 20 chunks", "chat_stream_20", chunks=20, is_async=True),
)
BY_KEY = {s.key: s for s in SCENARIOS}


def _httpx() -> Any:
    """The HTTP library of the installed client: ``httpx2`` for openai 3.x, ``httpx`` before."""
    try:
        import httpx2

        return httpx2
    except ImportError:
        import httpx

        return httpx


def _transport(body: str, content_type: str, is_async: bool) -> Any:
    httpx = _httpx()
    raw = body.encode()
    headers = {"content-type": content_type, "x-request-id": "req_2937609c6e5c4b50bc932d51621af7df"}

    if is_async:

        async def answer_async(request: Any) -> Any:
            return httpx.Response(200, content=raw, headers=headers)

        return httpx.MockTransport(answer_async)

    def answer(request: Any) -> Any:
        return httpx.Response(200, content=raw, headers=headers)

    return httpx.MockTransport(answer)


def _client(body: str, content_type: str, is_async: bool) -> Any:
    import openai

    transport = _transport(body, content_type, is_async)
    if is_async:
        return openai.AsyncOpenAI(
            api_key="sk-bench",
            base_url=BASE_URL,
            http_client=openai.DefaultAsyncHttpxClient(transport=transport),
            max_retries=0,
        )
    return openai.OpenAI(
        api_key="sk-bench",
        base_url=BASE_URL,
        http_client=openai.DefaultHttpxClient(transport=transport),
        max_retries=0,
    )


Batch = Callable[[int], None]


def build(scenario: Scenario, bodies: dict[str, str]) -> Batch:
    """A function that makes ``n`` calls of ``scenario``, each fully consumed."""
    body = bodies[scenario.body]
    streamed = scenario.chunks > 0
    content_type = "text/event-stream; charset=utf-8" if streamed else "application/json"
    client = _client(body, content_type, scenario.is_async)
    chat_args: dict[str, Any] = {"model": CHAT_MODEL, "messages": MESSAGES, "temperature": 0.7, "max_tokens": 100}
    if streamed:
        chat_args.update(stream=True, stream_options={"include_usage": True})

    if scenario.key == "responses_200":

        def responses(n: int) -> None:
            for _ in range(n):
                for _event in client.responses.create(
                    model=CHAT_MODEL, instructions=SYSTEM, input="Say this is a test", stream=True
                ):
                    pass

        return responses
    if scenario.operation == "embeddings":

        def embeddings(n: int) -> None:
            for _ in range(n):
                client.embeddings.create(model=EMBEDDINGS_MODEL, input="This is a test for embeddings")

        return embeddings
    if scenario.is_async:
        loop = asyncio.new_event_loop()

        async def many(n: int) -> None:
            for _ in range(n):
                result = await client.chat.completions.create(**chat_args)
                if streamed:
                    async for _chunk in result:
                        pass

        def run_async(n: int) -> None:
            loop.run_until_complete(many(n))

        return run_async
    if streamed:

        def stream(n: int) -> None:
            for _ in range(n):
                for _chunk in client.chat.completions.create(**chat_args):
                    pass

        return stream

    def chat(n: int) -> None:
        for _ in range(n):
            client.chat.completions.create(**chat_args)

    return chat
