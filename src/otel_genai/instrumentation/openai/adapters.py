"""Every operation adapter, by the name the target table uses."""

from otel_genai.instrumentation.openai.chat import ChatCompletions
from otel_genai.instrumentation.openai.completions import TextCompletions
from otel_genai.instrumentation.openai.embeddings import Embeddings
from otel_genai.instrumentation.openai.responses import Responses, ResponsesRetrieve

__all__ = ["ChatCompletions", "Embeddings", "Responses", "ResponsesRetrieve", "TextCompletions"]
