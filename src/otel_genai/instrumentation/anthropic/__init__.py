"""OpenTelemetry instrumentation of the Anthropic Python client.

from otel_genai.instrumentation.anthropic import AnthropicInstrumentor
AnthropicInstrumentor().instrument()
"""

from otel_genai.instrumentation.anthropic.instrumentor import AnthropicInstrumentor

__all__ = ["AnthropicInstrumentor"]
