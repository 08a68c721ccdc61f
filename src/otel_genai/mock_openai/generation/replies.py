"""What the mock says: deterministic reply texts for prompts, tool results and structured outputs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from otel_genai.mock_openai.generation.schema_samples import sample_value

# Written for this project: short poems about OpenTelemetry for "write a poem" prompts.
_POEMS = (
    "A request sets out across the wire,\n"
    "its trace ID glowing like a spark of fire;\n"
    "each span notes where the journey ran,\n"
    "from gateway door to the database's plan.\n"
    "Metrics hum the tempo, steady and slow,\n"
    "logs remember what the dashboards show.\n"
    "Context travels, hop by hop, in line:\n"
    "OpenTelemetry keeps the threads entwined.",
    "In the quiet hum of services at night,\n"
    "OpenTelemetry turns the darkness bright:\n"
    "a counter ticks, a histogram grows,\n"
    "a span begins where the request goes.\n"
    "The collector listens, patient and wide,\n"
    "and every signal finds a place to bide.",
)

# Alternative choices (n > 1) open differently, as sampled answers would.
_OPENERS = ("", "Sure! ", "Certainly. ", "Of course. ", "Happy to help. ")

# Words used to pad a reply out to the length ``x-mock-chunks`` asks for.
FILLER_WORDS = ("spans", "traces", "metrics", "logs", "context", "baggage", "exporters", "collectors")

_MAX_ECHO_WORDS = 24
_MAX_RESULT_CHARS = 200


def answer_for(prompt: str, variant: int = 0) -> str:
    """The reply to the user's last message *prompt*; *variant* > 0 gives the alternatives of ``n`` > 1."""
    if "poem" in prompt.lower():
        poem = _POEMS[variant % len(_POEMS)]
        return poem if variant < len(_POEMS) else f"{poem}\n\n(Take {variant + 1}.)"
    return _opener(variant) + _plain_answer(prompt)


def tool_results_answer(results: Sequence[tuple[str, str]], variant: int = 0) -> str:
    """A reply that reports the tool results given as ``(tool name, output)`` pairs."""
    if not results:
        return _opener(variant) + "The tools returned no results."
    parts = [f"{name} returned {_clip(output)}" for name, output in results]
    return _opener(variant) + "Based on the tool results, " + "; ".join(parts) + "."


def structured_answer(prompt: str, schema: Mapping[str, Any] | None) -> str:
    """JSON text for ``json_object`` (no *schema*) or ``json_schema`` (the given schema) outputs."""
    if schema is None:
        return json.dumps({"answer": _plain_answer(prompt)})
    return json.dumps(sample_value(schema, name="", root=schema))


def requested_json_output(output_format: Any) -> tuple[bool, Mapping[str, Any] | None]:
    """``(structured, schema)`` for a Chat ``response_format`` or a Responses ``text.format``.

    ``json_object`` asks for JSON with no schema; ``json_schema`` carries its schema
    at ``schema`` (Responses) or ``json_schema.schema`` (Chat).
    """
    if not isinstance(output_format, Mapping):
        return False, None
    kind = output_format.get("type")
    if kind == "json_object":
        return True, None
    if kind != "json_schema":
        return False, None
    nested = output_format.get("json_schema")
    schema = nested.get("schema") if isinstance(nested, Mapping) else output_format.get("schema")
    return True, schema if isinstance(schema, Mapping) else {}


def _plain_answer(prompt: str) -> str:
    words = prompt.split()
    if not words:
        return "Hello! How can I help you today?"
    # "Say this is a test" -> "This is a test.", the classic smoke-test exchange.
    if words[0].lower() == "say" and len(words) > 1:
        said = " ".join(words[1:]).rstrip(".!")
        return said[:1].upper() + said[1:] + "."
    question = " ".join(words[:_MAX_ECHO_WORDS]) + (" ..." if len(words) > _MAX_ECHO_WORDS else "")
    return f'You asked: "{question}". This is a deterministic reply from the local mock endpoint.'


def _opener(variant: int) -> str:
    return _OPENERS[variant] if variant < len(_OPENERS) else f"Answer {variant + 1}: "


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_RESULT_CHARS else flat[:_MAX_RESULT_CHARS] + "..."


# Appended to answers backed by the web search tool; the citation annotation points at it.
WEB_SOURCE_SENTENCE = "According to opentelemetry.io, OpenTelemetry is a vendor-neutral observability framework."
WEB_SOURCE_URL = "https://opentelemetry.io/docs/what-is-opentelemetry/"
WEB_SOURCE_TITLE = "What is OpenTelemetry?"


def reasoning_summary(prompt: str) -> str:
    """The summary a reasoning model gives of its thinking about *prompt*."""
    topic = " ".join(prompt.split()[:8]).rstrip("?.!") or "the request"
    return f"**Working out the answer**\n\nThe user asked about {topic}. I will give a short, direct answer."
