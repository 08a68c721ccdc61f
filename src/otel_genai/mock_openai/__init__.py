"""A local, deterministic fake of the OpenAI and Anthropic HTTP APIs (and of Azure's, Vertex AI's and Bedrock's URLs).

It serves the offline demo, the test-suite (which drives the real ``openai`` and
``anthropic`` clients against it over HTTP) and users testing instrumented apps
offline (``otel-genai mock-openai --port 8000``, then
``base_url=http://127.0.0.1:8000/v1`` for OpenAI clients, or
``ANTHROPIC_BASE_URL=http://127.0.0.1:8000`` for Anthropic's). In Python,
``MockOpenAIServer`` runs it on a background thread; ``LoopbackServer`` does
the same for any ASGI app.

Layout: ``hosting`` (uvicorn, the background server, request recording),
``pipeline`` (the path every request takes, parametrised by a ``Dialect``),
``faults`` (the scenarios below), ``generation`` (reply texts, toy tokens,
sample JSON, tool choice), and one folder per API: ``openai`` and ``anthropic``.

OpenAI endpoints: ``POST /v1/chat/completions``, ``/v1/completions``, ``/v1/embeddings``,
``/v1/responses``; ``GET /v1/responses/{id}``, ``/v1/models``, ``/v1/models/{id}``.
Azure: ``/openai/deployments/{deployment}/{chat/completions,completions,embeddings}``
(``api-version`` and an ``api-key`` or bearer token required), ``/openai/responses``,
and ``/openai/v1/...`` mirroring ``/v1/...``. Offered function tools (Chat and Responses)
are called once per turn, the turn being everything since the user's last message: the
ordinary tools first, then one hand-off (``transfer_to_<agent>``, as the OpenAI Agents SDK
names them), then the answer is text (``generation.tool_calls`` states the rule).

Anthropic endpoints: ``POST /v1/messages`` (``?beta=true`` too; an ``x-api-key`` or
bearer token and an ``anthropic-version`` header required), plain or ``stream: true``
(``message_start``, ``content_block_start`` / ``ping`` / ``_delta`` / ``_stop``,
``message_delta`` with the cumulative usage, ``message_stop``). Offered tools are
called (``tool_use``) until the conversation brings ``tool_result`` blocks back;
``thinking`` adds a signed thinking block; ``cache_control`` breakpoints write and
later read the prompt cache (``cache_creation_input_tokens``,
``cache_read_input_tokens``). Vertex AI:
``/v1/projects/{p}/locations/{l}/publishers/anthropic/models/{model}:rawPredict``
and ``:streamRawPredict``. Bedrock: ``/model/{model}/invoke`` and
``/invoke-with-response-stream`` (Amazon's binary event stream).

Errors follow each API: OpenAI's unknown routes get 404 ``Invalid URL (METHOD /path)``;
a model named ``does-not-exist…`` or ``unknown-…`` gets 404 ``model_not_found`` (400 on
``/v1/responses``, as the real Responses API answers; Anthropic's ``not_found_error``);
a body that is not a JSON object, or lacks a required field, gets 400. Anthropic's
bodies are ``{"type": "error", "error": {"type", "message"}, "request_id"}``,
Bedrock's ``{"message"}``.

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
        That status with the API's JSON error body (OpenAI: 429 ``rate_limit_exceeded``,
        500 ``server_error``...; Anthropic: 429 ``rate_limit_error``, 529 ``overloaded_error``...).
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
        lack ``finish_reason`` (Anthropic: no ``stop_reason``).
    ``wrong-types``
        200 where usage counts are strings, ``choices`` / ``data`` / ``output`` /
        ``content`` are objects, ``created`` is a string and ``id`` a number.
    ``empty-choices``
        200 with ``choices`` (``data``, ``output``, ``content``) empty.
    ``cut-stream:<n>``
        A stream that sends n events, then half of the next one, then ends the
        response (``connection: close``) without ``[DONE]``.
    ``reset-stream:<n>``
        After n events the server aborts the connection mid-body: the client
        sees a broken chunked transfer (a protocol / connection error).
    ``stream-error``
        Generation fails midway: chat and completions streams send an
        ``{"error": {...}}`` event, Responses streams ``response.failed``,
        Anthropic streams an ``error`` event (``overloaded_error``; on Bedrock an
        exception frame); without ``stream: true`` the request gets a 500.
    ``slow:<ms>``
        Wait that long before responding and between stream events.
    ``hang``
        Never respond: wait until the client gives up (its timeout, a cancelled
        task) and disconnects.
    ``stall-stream:<n>``
        A stream that sends n events, then nothing more until the client disconnects.

The body faults also apply to each event of a stream; ``cut-stream`` and
``reset-stream`` and ``stall-stream`` only affect streams. An unknown scenario gets a 400.
"""

from __future__ import annotations

from otel_genai.mock_openai.hosting.background import LoopbackServer
from otel_genai.mock_openai.hosting.recording import RecordedRequest
from otel_genai.mock_openai.server import MockOpenAIServer

__all__ = ["LoopbackServer", "MockOpenAIServer", "RecordedRequest"]
