"""The Anthropic Messages API: plan, body and event stream of a message, its errors, and its routes (Vertex AI too)."""
