"""The example app of the OpenTelemetry GenAI announcement: one chat completion, a short poem.

Run it under ``opentelemetry-instrument`` (``otel-genai demo`` does) and the OpenAI
call produces a span, the GenAI metrics and, with content capture on, the poem as an event.
"""

import os

from openai import OpenAI


def main() -> None:
    client = OpenAI()
    chat_completion = client.chat.completions.create(
        model=os.getenv("CHAT_MODEL", "gpt-4o-mini"),
        messages=[{"role": "user", "content": "Write a short poem on OpenTelemetry."}],
    )
    print(chat_completion.choices[0].message.content)


if __name__ == "__main__":
    main()
