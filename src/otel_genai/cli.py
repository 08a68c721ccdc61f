"""The ``otel-genai`` command: ``demo``, ``mock-openai`` and ``ui``."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="otel-genai")
def main() -> None:
    """OpenTelemetry for generative-AI applications."""


@main.command("mock-openai")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def mock_openai(host: str, port: int) -> None:
    """Run the local OpenAI-compatible endpoint (for offline tests and demos)."""
    from otel_genai.mock_openai.server import serve

    serve(host=host, port=port)


if __name__ == "__main__":  # pragma: no cover
    main()
