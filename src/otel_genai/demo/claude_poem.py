"""The poem app with Anthropic's client: one message, a short poem.

Run it under ``opentelemetry-instrument`` (``otel-genai demo --provider anthropic`` does)
and the Claude call produces a span, the GenAI metrics and, with content capture on,
the poem as an event.
"""

import os

from anthropic import Anthropic


def main() -> None:
    client = Anthropic()
    message = client.messages.create(
        model=os.getenv("CHAT_MODEL", "claude-haiku-4-5"),
        max_tokens=1024,
        messages=[{"role": "user", "content": "Write a short poem on OpenTelemetry."}],
    )
    print("".join(block.text for block in message.content if block.type == "text"))


if __name__ == "__main__":
    main()
