"""A local, deterministic fake of the OpenAI HTTP API (and Azure OpenAI's URL scheme).

It serves the offline demo, the test-suite (which drives the real ``openai``
client against it over HTTP) and users testing instrumented apps offline
(``otel-genai mock-openai --port 8000``, then ``base_url=http://127.0.0.1:8000/v1``).
In Python, ``MockOpenAIServer`` runs it on a background thread; ``LoopbackServer``
does the same for any ASGI app.

Endpoints: ``POST /v1/chat/completions``, ``/v1/completions``, ``/v1/embeddings``,
``/v1/responses``; ``GET /v1/responses/{id}``, ``/v1/models``, ``/v1/models/{id}``.
Azure: ``/openai/deployments/{deployment}/{chat/completions,completions,embeddings}``
(``api-version`` and an ``api-key`` or bearer token required), ``/openai/responses``,
and ``/openai/v1/...`` mirroring ``/v1/...``.

Errors follow OpenAI: unknown routes get 404 ``Invalid URL (METHOD /path)``; a model
named ``does-not-exist…`` or ``unknown-…`` gets 404 ``model_not_found`` (400 on
``/v1/responses``, as the real Responses API answers); a body that is not a JSON
object, or lacks ``model`` / ``messages``, gets 400.

Request headers that steer the reply
------------------------------------
``x-mock-reply: <text>``
    The exact reply text (it replaces tool calls too).
``x-mock-chunks: <N>``
    The text reply has exactly N tokens, so a stream has exactly N content chunks
    (filler words are added or the reply is cut).
``x-mock-scenario: <entry>[,<entry>...]``
    Faults, combinable with commas (``slow:50,cut-stream:3``):

    ``error:<status>``
        That status with an OpenAI-style JSON error body (429 ``rate_limit_exceeded``,
        500 ``server_error``, 503 overloaded, ...).
    ``error-no-body:<status>``
        That status with a plain-text, non-JSON body.
    ``fail-times:<k>:<status>``
        The first k attempts fail with <status> (JSON body), later ones succeed.
        Attempts are counted per ``x-mock-scenario-key`` header value, or per
        scenario string without one, for the app's lifetime: use a fresh key per test.
    ``retry-after-ms:<ms>``
        The ``retry-after-ms`` header sent with retryable errors (408, 409, 429, 5xx);
        10 by default so client retries are fast; 0 omits it (the client's own backoff applies).
    ``malformed-json``
        200 with ``content-type: application/json`` but a body (or, in a stream,
        event data) that is not valid JSON.
    ``missing-fields``
        200 whose JSON lacks ``id``, ``model`` and ``usage``, and whose choices
        lack ``finish_reason``.
    ``wrong-types``
        200 where usage counts are strings, ``choices`` / ``data`` / ``output``
        are objects, ``created`` is a string and ``id`` a number.
    ``empty-choices``
        200 with ``choices`` (``data``, ``output``) empty.
    ``cut-stream:<n>``
        A stream that sends n events, then half of the next one, then ends the
        response (``connection: close``) without ``[DONE]``.
    ``reset-stream:<n>``
        After n events the server aborts the connection mid-body: the client
        sees a broken chunked transfer (a protocol / connection error).
    ``stream-error``
        Generation fails midway: chat and completions streams send an
        ``{"error": {...}}`` event, Responses streams ``response.failed``;
        without ``stream: true`` the request gets a 500.
    ``slow:<ms>``
        Wait that long before responding and between stream events.

The body faults also apply to each event of a stream; ``cut-stream`` and
``reset-stream`` only affect streams. An unknown scenario gets a 400.
"""

from __future__ import annotations

from otel_genai.mock_openai.hosting.background import LoopbackServer, MockOpenAIServer
from otel_genai.mock_openai.hosting.recording import RecordedRequest

__all__ = ["LoopbackServer", "MockOpenAIServer", "RecordedRequest"]
