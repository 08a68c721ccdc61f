"""``gen_ai.conversation.compacted`` from a Responses output's ``compaction`` item.

The local endpoint does not compact conversations, so the translator is driven with the
client's own objects (``openai.types.responses``), parsed from a body shaped as the API
sends it, and the record goes through the core to a span.
"""

from __future__ import annotations

from typing import Any

import pytest

from otel_genai.config import ConventionMode, Settings
from otel_genai.core.invocation import Invocation
from otel_genai.core.telemetry import GenAITelemetry
from otel_genai.instrumentation.openai.responses import Responses
from telemetry_capture import Captured

types = pytest.importorskip("openai.types.responses")
pytestmark = pytest.mark.skipif(
    not hasattr(types, "ResponseCompactionItem"), reason="this client has no compaction item"
)

MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "status": "completed",
    "content": [{"type": "output_text", "text": "Done.", "annotations": []}],
}
COMPACTION = {"id": "cmp_1", "type": "compaction", "encrypted_content": "gAAAA-opaque"}


def response(*output: dict[str, Any]) -> Any:
    return types.Response.model_validate(
        {
            "id": "resp_1",
            "object": "response",
            "created_at": 1731368634,
            "status": "completed",
            "model": "gpt-4o-mini-2024-07-18",
            "output": list(output),
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
        }
    )


def span_attributes(fold: Any) -> dict[str, Any]:
    captured = Captured()
    call = GenAITelemetry(Settings(), **captured.providers()).start(
        Invocation(operation="chat", provider="openai", request_model="gpt-4o-mini")
    )
    fold(call.invocation)
    call.end()
    return dict(captured.span().attributes or {})


def test_a_compaction_item_marks_the_conversation_compacted() -> None:
    compacted = response(COMPACTION, MESSAGE)
    assert isinstance(compacted.output[0], types.ResponseCompactionItem)
    attrs = span_attributes(lambda inv: Responses().fold_response(inv, compacted, False))
    assert attrs["gen_ai.conversation.compacted"] is True
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)


def test_without_one_the_attribute_is_absent_never_false() -> None:
    plain = response(MESSAGE)
    attrs = span_attributes(lambda inv: Responses().fold_response(inv, plain, False))
    assert "gen_ai.conversation.compacted" not in attrs


def test_a_streamed_response_says_it_in_its_terminal_event() -> None:
    completed = types.ResponseCompletedEvent(
        type="response.completed", sequence_number=3, response=response(COMPACTION, MESSAGE)
    )

    def fold(inv: Invocation) -> None:
        folder = Responses().stream_folder(inv, False)
        folder.fold(completed)
        assert folder.finished
        folder.finish()

    assert span_attributes(fold)["gen_ai.conversation.compacted"] is True


def test_legacy_conventions_do_not_have_it() -> None:
    captured = Captured()
    settings = Settings(conventions=ConventionMode.LEGACY)
    call = GenAITelemetry(settings, **captured.providers()).start(
        Invocation(operation="chat", provider="openai", request_model="gpt-4o-mini")
    )
    Responses().fold_response(call.invocation, response(COMPACTION, MESSAGE), False)
    call.end()
    assert "gen_ai.conversation.compacted" not in (captured.span().attributes or {})
