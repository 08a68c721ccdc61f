"""The HTTP clients under the tests' API clients: each library's own default, sharing one TLS context.

An API client built without ``http_client`` loads the system's CA bundle into a TLS context of
its own, about 20 ms of CPU, although the tests speak plain HTTP to 127.0.0.1. Over the 800-odd
clients of ``make test`` that was 16 CPU seconds. The functions here give the library's default
HTTP client class, with its default timeouts and limits, and one context made once.
"""

from __future__ import annotations

import ssl
from typing import Any

TLS_CONTEXT = ssl.create_default_context()


def openai_http(*, asynchronous: bool = False) -> Any:
    """``http_client`` for ``openai.OpenAI`` (``AsyncOpenAI`` when ``asynchronous``) and Azure's."""
    import openai

    default = openai.DefaultAsyncHttpxClient if asynchronous else openai.DefaultHttpxClient
    return default(verify=TLS_CONTEXT)


def anthropic_http(*, asynchronous: bool = False) -> Any:
    """``http_client`` for ``anthropic.Anthropic`` (``AsyncAnthropic`` when ``asynchronous``) and the clouds'."""
    import anthropic

    default = anthropic.DefaultAsyncHttpxClient if asynchronous else anthropic.DefaultHttpxClient
    return default(verify=TLS_CONTEXT)
