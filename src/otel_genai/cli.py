"""The ``otel-genai`` command: ``demo``, ``mock-openai`` and ``ui``."""

from __future__ import annotations

import errno
import importlib.util

import click


@click.group()
@click.version_option(package_name="otel-genai")
def main() -> None:
    """OpenTelemetry for generative-AI applications."""


@main.command()
@click.option("--ui", "to_viewer", is_flag=True, help="Export OTLP to the local trace viewer and print the trace URL.")
@click.option("--page-url", default="http://127.0.0.1:4319", show_default=True, help="The viewer's page (with --ui).")
@click.option(
    "--otlp-endpoint", default="http://127.0.0.1:4318", show_default=True, help="The viewer's OTLP/HTTP (with --ui)."
)
@click.option(
    "--provider",
    type=click.Choice(["openai", "anthropic"]),
    default="openai",
    show_default=True,
    help="The client the poem app uses.",
)
@click.option(
    "--agent",
    is_flag=True,
    help="Run the agent app instead (OpenAI Agents SDK: two tools and a hand-off; needs otel-genai[agents]).",
)
def demo(to_viewer: bool, page_url: str, otlp_endpoint: str, provider: str, agent: bool) -> None:
    """Run the GenAI announcement's example app, instrumented.

    Console exporters print the span, the metrics and the poem event; with --ui the
    telemetry goes to `otel-genai ui` instead (started here if it is not running).
    Without OPENAI_API_KEY (ANTHROPIC_API_KEY with --provider anthropic) the app talks
    to the project's local endpoint, offline. --agent runs an OpenAI Agents SDK app (a
    concierge with two tools hands off to a poet) and ends with its span tree.
    """
    from otel_genai.demo.providers import OPENAI_AGENT, PROVIDERS

    chosen = PROVIDERS[provider]
    if agent:
        if provider != "openai":
            raise click.UsageError("--agent runs an OpenAI Agents SDK app: it takes no --provider anthropic")
        if importlib.util.find_spec("agents") is None:
            raise click.ClickException('--agent needs the OpenAI Agents SDK: pip install "otel-genai[agents]"')
        chosen = OPENAI_AGENT
    if to_viewer:
        from otel_genai.demo.with_viewer import run_demo_with_viewer

        raise SystemExit(run_demo_with_viewer(page_url.rstrip("/"), otlp_endpoint.rstrip("/"), chosen))
    from otel_genai.demo.runner import run_demo

    raise SystemExit(run_demo(chosen))


@main.command("mock-openai")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def mock_openai(host: str, port: int) -> None:
    """Run the local OpenAI-compatible endpoint (for offline tests and demos)."""
    from otel_genai.mock_openai.server import serve

    try:
        serve(host=host, port=port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise click.ClickException(f"port {port} is in use: stop what uses it, or choose another with --port") from exc


@main.command("ui")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind. Any non-loopback address requires a token."
)
@click.option("--http-port", default=4318, show_default=True, type=int, help="OTLP/HTTP receiver port.")
@click.option("--grpc-port", default=4317, show_default=True, type=int, help="OTLP/gRPC receiver port.")
@click.option("--no-grpc", is_flag=True, help="Do not start the OTLP/gRPC receiver.")
@click.option("--port", "page_port", default=4319, show_default=True, type=int, help="Web page port.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the SQLite store lives [default: $OTEL_GENAI_UI_DATA_DIR or the user data dir].",
)
@click.option(
    "--store",
    envvar="OTEL_GENAI_UI_STORE",
    default=None,
    help="postgresql://user@host:port/db for a shared PostgreSQL store (password from the URL or PGPASSWORD/"
    "~/.pgpass), or a SQLite file [default: viewer.sqlite3 in the data dir; env: OTEL_GENAI_UI_STORE].",
)
@click.option("--no-page", is_flag=True, help="Run the OTLP receivers only (a shared store's writer).")
@click.option("--no-receivers", is_flag=True, help="Run the page only (over a shared store).")
@click.option("--retention-days", default=7.0, show_default=True, type=float, help="Delete data older than this.")
@click.option(
    "--max-size-mb",
    default=1024.0,
    show_default=True,
    type=float,
    help="Delete the oldest data when the store grows past this.",
)
@click.option(
    "--token",
    envvar="OTEL_GENAI_UI_TOKEN",
    default=None,
    help="Token the page and receivers require [env: OTEL_GENAI_UI_TOKEN].",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="Let pages from this origin (e.g. http://localhost:5173) send OTLP/HTTP from the browser. Repeatable.",
)
def ui(
    host: str,
    http_port: int,
    grpc_port: int,
    no_grpc: bool,
    page_port: int,
    data_dir: str | None,
    store: str | None,
    no_page: bool,
    no_receivers: bool,
    retention_days: float,
    max_size_mb: float,
    token: str | None,
    cors_origins: tuple[str, ...],
) -> None:
    """Run the GenAI trace viewer: OTLP receivers, a store (SQLite, or a shared PostgreSQL) and a web page."""
    from otel_genai.viewer.cli_ui import run_ui

    run_ui(host=host, http_port=http_port, grpc_port=grpc_port, grpc_enabled=not no_grpc,
           page_port=page_port, data_dir=data_dir, store=store or None, page_enabled=not no_page,
           receivers_enabled=not no_receivers, retention_days=retention_days,
           max_size_mb=max_size_mb, token=token, cors_origins=cors_origins)  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    main()
