"""Fixtures: one mock server for the whole session, and real openai and anthropic clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import openai
import pytest

from local_http import anthropic_http, openai_http
from otel_genai.mock_openai import MockOpenAIServer

if TYPE_CHECKING:
    import anthropic


@pytest.fixture(scope="session")
def mock_api() -> Iterator[MockOpenAIServer]:
    with MockOpenAIServer() as server:
        yield server


@pytest.fixture
def openai_client(mock_api: MockOpenAIServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock_api.base_url, api_key="sk-test", max_retries=0, http_client=openai_http())


@pytest.fixture
def async_openai_client(mock_api: MockOpenAIServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=mock_api.base_url, api_key="sk-test", max_retries=0, http_client=openai_http(asynchronous=True)
    )


@pytest.fixture
def azure_client(mock_api: MockOpenAIServer) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=mock_api.root_url,
        api_key="k",
        api_version="2024-10-21",
        max_retries=0,
        http_client=openai_http(),
    )


@pytest.fixture
def anthropic_client(mock_api: MockOpenAIServer) -> anthropic.Anthropic:
    # Imported here: the OpenAI half of the suite also runs where anthropic is not installed.
    anthropic = pytest.importorskip("anthropic")
    return anthropic.Anthropic(
        base_url=mock_api.root_url, api_key="sk-ant-test", max_retries=0, http_client=anthropic_http()
    )


@pytest.fixture
def async_anthropic_client(mock_api: MockOpenAIServer) -> anthropic.AsyncAnthropic:
    anthropic = pytest.importorskip("anthropic")
    return anthropic.AsyncAnthropic(
        base_url=mock_api.root_url, api_key="sk-ant-test", max_retries=0, http_client=anthropic_http(asynchronous=True)
    )
