"""OpenTelemetry instrumentation of the OpenAI Agents SDK (``openai-agents``).

from otel_genai.instrumentation.openai_agents import OpenAIAgentsInstrumentor
OpenAIAgentsInstrumentor().instrument()
"""

from otel_genai.instrumentation.openai_agents.instrumentor import OpenAIAgentsInstrumentor

__all__ = ["OpenAIAgentsInstrumentor"]
