"""Conversations whose every piece of content carries a unique marker string, one per client
library, for the privacy suite (``test_privacy.py``).

A conversation makes every kind of call its client has, over real HTTP to the local endpoint,
and knows its markers: ``searched()`` gives each as it would appear in serialized telemetry,
``found_with_content()`` the ones that content capture records, ``secrets()`` the credentials
that must never appear in any mode.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import openai

from local_http import anthropic_http, openai_http

CHAT_MODEL = "gpt-4o-mini"
CLAUDE = "claude-sonnet-4-5"


def _marker(kind: str) -> str:
    return f"PRIV{kind.upper()}{uuid.uuid4().hex[:12]}"


def _base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Conversation:
    """What every conversation offers the suite (its dataclass fields are its markers)."""

    # The fixture that instruments this conversation's client library.
    fixture: ClassVar[str]
    # Markers sent inside base64 data (properties): their base64 text is what telemetry could carry.
    encoded: ClassVar[tuple[str, ...]] = ()
    # Markers that content capture never records (credentials; tool descriptions, since tool
    # definitions are recorded by type and name only; reasoning the provider redacted), and
    # the raw form of markers sent inside base64.
    never_recorded: ClassVar[frozenset[str]] = frozenset()

    def run(self, server: Any) -> int:
        """Make every call, each carrying the markers; returns how many calls were made."""
        raise NotImplementedError

    def secrets(self) -> list[str]:
        raise NotImplementedError

    def searched(self) -> dict[str, bytes]:
        """Every marker as it would appear in serialized telemetry."""
        names = [*(f.name for f in fields(self)), *self.encoded]  # type: ignore[arg-type]
        return {name: getattr(self, name).encode() for name in names}

    def found_with_content(self) -> set[str]:
        return set(self.searched()) - set(self.never_recorded)


# --- OpenAI -----------------------------------------------------------------------------------


@dataclass
class OpenAIConversation(Conversation):
    """Chat (plain, streamed, async, Azure), legacy completions, embeddings and Responses."""

    fixture: ClassVar[str] = "instrument"
    encoded: ClassVar[tuple[str, ...]] = ("image_base64",)
    never_recorded: ClassVar[frozenset[str]] = frozenset({"api_key", "tool_description", "embedding_input", "image"})

    system: str = field(default_factory=lambda: _marker("system"))
    user: str = field(default_factory=lambda: _marker("user"))
    history_arguments: str = field(default_factory=lambda: _marker("histargs"))
    tool_result: str = field(default_factory=lambda: _marker("toolresult"))
    tool_description: str = field(default_factory=lambda: _marker("tooldesc"))
    answer_arguments: str = field(default_factory=lambda: _marker("answerargs"))
    reply: str = field(default_factory=lambda: _marker("reply"))
    image: str = field(default_factory=lambda: _marker("image"))
    embedding_input: str = field(default_factory=lambda: _marker("embed"))
    prompt: str = field(default_factory=lambda: _marker("prompt"))
    completion_reply: str = field(default_factory=lambda: _marker("complreply"))
    instructions: str = field(default_factory=lambda: _marker("instructions"))
    responses_input: str = field(default_factory=lambda: _marker("respinput"))
    responses_reply: str = field(default_factory=lambda: _marker("respreply"))
    api_key: str = field(default_factory=lambda: "sk-" + _marker("apikey"))

    @property
    def image_base64(self) -> str:
        return base64.b64encode(f"\x89PNG {self.image} pixels".encode()).decode()

    def secrets(self) -> list[str]:
        return [self.api_key, self.api_key[3:]]  # not even without its prefix

    def found_with_content(self) -> set[str]:
        found = super().found_with_content()
        if not hasattr(openai.OpenAI(api_key="k", http_client=openai_http()), "responses"):
            found -= {"instructions", "responses_input", "responses_reply"}
        return found

    def _tools(self) -> list[dict[str, Any]]:
        parameters = {"type": "object", "properties": {"q": {"type": "string", "enum": [self.answer_arguments]}}}
        return [
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "description": f"Looks things up. {self.tool_description}",
                    "parameters": {**parameters, "required": ["q"]},
                },
            }
        ]

    def _history(self) -> list[dict[str, Any]]:
        """A system prompt, a user turn with an inline image, a tool call and its result."""
        image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{self.image_base64}"}}
        arguments = json.dumps({"q": self.history_arguments})
        return [
            {"role": "system", "content": f"You are careful. {self.system}"},
            {"role": "user", "content": [{"type": "text", "text": f"Look this up: {self.user}"}, image]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": arguments}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": f"The answer is {self.tool_result}"},
        ]

    def run(self, server: Any) -> int:
        base_url, root_url = server.base_url, server.root_url
        client = openai.OpenAI(base_url=base_url, api_key=self.api_key, max_retries=0, http_client=openai_http())
        history, tools, reply = self._history(), self._tools(), {"x-mock-reply": f"Here you go: {self.reply}"}
        asking = history[:2]  # ends with the user's turn: the mock calls the tool, with the marker as argument
        calls = 0
        for stream in (False, True):
            # An answer after the tool result, then a tool call whose arguments carry a marker.
            result = client.chat.completions.create(
                model=CHAT_MODEL, messages=history, tools=tools, stream=stream, extra_headers=reply
            )
            called = client.chat.completions.create(model=CHAT_MODEL, messages=asking, tools=tools, stream=stream)
            if stream:
                list(result), list(called)
            else:
                assert self.reply in (result.choices[0].message.content or "")
                assert self.answer_arguments in called.choices[0].message.tool_calls[0].function.arguments
            completion = client.completions.create(
                model="gpt-3.5-turbo-instruct",
                prompt=f"Continue: {self.prompt}",
                stream=stream,
                extra_headers={"x-mock-reply": self.completion_reply},
            )
            if stream:
                list(completion)
            calls += 3
        client.embeddings.create(model="text-embedding-3-small", input=f"Embed {self.embedding_input}")
        calls += 1
        if hasattr(client, "responses"):
            for stream in (False, True):
                response = client.responses.create(
                    model=CHAT_MODEL,
                    instructions=f"Be brief. {self.instructions}",
                    input=f"Question: {self.responses_input}",
                    stream=stream,
                    extra_headers={"x-mock-reply": self.responses_reply},
                )
                if stream:
                    list(response)
                calls += 1

        async def async_stream() -> None:
            async with openai.AsyncOpenAI(
                base_url=base_url, api_key=self.api_key, max_retries=0, http_client=openai_http(asynchronous=True)
            ) as aclient:
                stream = await aclient.chat.completions.create(
                    model=CHAT_MODEL, messages=history, stream=True, extra_headers=reply
                )
                async for _ in stream:
                    pass

        asyncio.run(async_stream())
        azure = openai.AzureOpenAI(
            azure_endpoint=root_url,
            api_key=self.api_key,
            api_version="2024-10-21",
            max_retries=0,
            http_client=openai_http(),
        )
        azure.chat.completions.create(model="my-deployment", messages=history, extra_headers=reply)
        return calls + 2


# --- Anthropic --------------------------------------------------------------------------------


@dataclass
class AnthropicConversation(Conversation):
    """Messages (plain, streamed, the stream() helper, raw, async, Bedrock) with a system prompt,
    an image, a PDF and a text document, earlier thinking (plain and redacted), a tool call and
    its result, tools offered, and thinking asked for."""

    fixture: ClassVar[str] = "instrument_anthropic"
    encoded: ClassVar[tuple[str, ...]] = ("image_base64", "pdf_base64")
    never_recorded: ClassVar[frozenset[str]] = frozenset(
        {"api_key", "aws_secret", "tool_description", "redacted_thinking", "image", "pdf"}
    )

    system: str = field(default_factory=lambda: _marker("system"))
    user: str = field(default_factory=lambda: _marker("user"))
    image: str = field(default_factory=lambda: _marker("image"))
    pdf: str = field(default_factory=lambda: _marker("pdf"))
    text_document: str = field(default_factory=lambda: _marker("textdoc"))
    history_thinking: str = field(default_factory=lambda: _marker("histthinking"))
    redacted_thinking: str = field(default_factory=lambda: _marker("redacted"))
    history_text: str = field(default_factory=lambda: _marker("histtext"))
    history_arguments: str = field(default_factory=lambda: _marker("histargs"))
    tool_result: str = field(default_factory=lambda: _marker("toolresult"))
    tool_description: str = field(default_factory=lambda: _marker("tooldesc"))
    answer_arguments: str = field(default_factory=lambda: _marker("answerargs"))
    reply: str = field(default_factory=lambda: _marker("reply"))
    # Asked with thinking on: the local endpoint's thinking repeats the question's first words.
    thinking_question: str = field(default_factory=lambda: _marker("thinking"))
    api_key: str = field(default_factory=lambda: "sk-ant-" + _marker("apikey"))
    aws_secret: str = field(default_factory=lambda: _marker("awssecret"))

    @property
    def image_base64(self) -> str:
        return _base64(f"\x89PNG {self.image} pixels")

    @property
    def pdf_base64(self) -> str:
        return _base64(f"%PDF-1.4 {self.pdf} %%EOF")

    def secrets(self) -> list[str]:
        return [self.api_key, self.api_key[len("sk-ant-") :], self.aws_secret]

    def _tools(self) -> list[dict[str, Any]]:
        schema = {"type": "object", "properties": {"q": {"type": "string", "enum": [self.answer_arguments]}}}
        return [
            {
                "name": "lookup",
                "description": f"Looks things up. {self.tool_description}",
                "input_schema": {**schema, "required": ["q"]},
            }
        ]

    def _question(self) -> dict[str, Any]:
        image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": self.image_base64}}
        pdf = {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": self.pdf_base64},
        }
        text = {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": f"Notes: {self.text_document}"},
        }
        return {"role": "user", "content": [{"type": "text", "text": f"Look this up: {self.user}"}, image, pdf, text]}

    def _history(self) -> list[dict[str, Any]]:
        """The question, the assistant's thinking (plain and redacted) and tool call, and its result."""
        answer = [
            {"type": "thinking", "thinking": f"I should look {self.history_thinking} up.", "signature": "c2ln"},
            {"type": "redacted_thinking", "data": self.redacted_thinking},
            {"type": "text", "text": f"Looking it up: {self.history_text}"},
            {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": self.history_arguments}},
        ]
        result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": f"The answer is {self.tool_result}"}
        return [self._question(), {"role": "assistant", "content": answer}, {"role": "user", "content": [result]}]

    def run(self, server: Any) -> int:
        import anthropic

        client = anthropic.Anthropic(
            base_url=server.root_url, api_key=self.api_key, max_retries=0, http_client=anthropic_http()
        )
        history, tools = self._history(), self._tools()
        reply = {"x-mock-reply": f"Here you go: {self.reply}"}
        system = f"You are careful. {self.system}"
        calls = 0
        for stream in (False, True):
            # An answer after the tool result, then a tool call whose input carries a marker.
            answered = client.messages.create(
                model=CLAUDE,
                max_tokens=200,
                system=system,
                messages=history,
                tools=tools,
                stream=stream,
                extra_headers=reply,
            )
            called = client.messages.create(
                model=CLAUDE, max_tokens=200, system=system, messages=[self._question()], tools=tools, stream=stream
            )
            if stream:
                list(answered), list(called)
            else:
                assert self.reply in answered.content[0].text
                assert called.content[-1].input == {"q": self.answer_arguments}
            calls += 2
        thinking = {"type": "enabled", "budget_tokens": 1024}
        question = [{"role": "user", "content": f"{self.thinking_question} has how many r?"}]
        blocks = [{"type": "text", "text": system}]
        thought = client.messages.create(
            model=CLAUDE, max_tokens=2048, thinking=thinking, system=blocks, messages=question
        )
        assert self.thinking_question in thought.content[0].thinking
        with client.messages.stream(
            model=CLAUDE, max_tokens=2048, thinking=thinking, system=blocks, messages=question
        ) as stream:
            stream.get_final_message()
        client.messages.with_raw_response.create(
            model=CLAUDE, max_tokens=200, system=system, messages=history, extra_headers=reply
        ).parse()
        calls += 3

        async def async_stream() -> None:
            async with anthropic.AsyncAnthropic(
                base_url=server.root_url,
                api_key=self.api_key,
                max_retries=0,
                http_client=anthropic_http(asynchronous=True),
            ) as aclient:
                stream = await aclient.messages.create(
                    model=CLAUDE, max_tokens=200, system=system, messages=history, stream=True, extra_headers=reply
                )
                async for _ in stream:
                    pass

        asyncio.run(async_stream())
        bedrock = anthropic.AnthropicBedrock(
            aws_access_key="AKIDPRIVACY",
            aws_secret_key=self.aws_secret,
            aws_region="us-east-1",
            base_url=server.root_url,
            max_retries=0,
            http_client=anthropic_http(),
        )
        bedrock.messages.create(
            model="us.anthropic.claude-3-5-haiku-20241022-v1:0",
            max_tokens=200,
            system=system,
            messages=history,
            extra_headers=reply,
        )
        return calls + 2


CONVERSATIONS: dict[str, type[Conversation]] = {"openai": OpenAIConversation, "anthropic": AnthropicConversation}
