"""OpenTelemetry instrumentation of the OpenAI Python client.

from otel_genai.instrumentation.openai import OpenAIInstrumentor
OpenAIInstrumentor().instrument()
"""

from otel_genai.instrumentation.openai.instrumentor import OpenAIInstrumentor

__all__ = ["OpenAIInstrumentor"]
