"""Every operation adapter, by the name the target table uses."""

from otel_genai.instrumentation.openai.chat import ChatCompletions
from otel_genai.instrumentation.openai.completions import TextCompletions
from otel_genai.instrumentation.openai.embeddings import Embeddings

__all__ = ["ChatCompletions", "Embeddings", "TextCompletions"]
