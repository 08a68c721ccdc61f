"""``otel-genai demo``: the poem app under ``opentelemetry-instrument``, offline if need be.

With no ``OPENAI_API_KEY`` (``ANTHROPIC_API_KEY`` for ``--provider anthropic``) the app
talks to the project's local endpoint, which speaks both APIs (started here, on loopback);
with a key it talks to the real service (or ``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL``).
Console exporters print the span, the content event and the
metrics, in that order, then a short summary. A failure the user can fix (wrong key,
no network, wrong base URL) ends with one line saying how, after the failed call's
telemetry, and a non-zero exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from otel_genai import semconv
from otel_genai.demo import failures
from otel_genai.demo.console_output import ConsoleOutput, Document, split_console_output
from otel_genai.demo.providers import OPENAI, DemoProvider
from otel_genai.demo.summary import summary_lines

# opentelemetry-instrument skips the entry points named here (a comma-separated list).
_DISABLED_INSTRUMENTATIONS = "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"
_CONSOLE = ["--traces_exporter", "console", "--metrics_exporter", "console", "--logs_exporter", "console"]
# The SDK exports from background threads on a timer. A console export that fires while the app
# prints lands inside the app's line, so the demo's short run exports once, at exit.
_EXPORT_AT_EXIT = {
    "OTEL_BSP_SCHEDULE_DELAY": "3600000",
    "OTEL_BLRP_SCHEDULE_DELAY": "3600000",
    "OTEL_METRIC_EXPORT_INTERVAL": "3600000",
}


def _launcher() -> list[str]:
    beside = Path(sys.executable).with_name("opentelemetry-instrument")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("opentelemetry-instrument")
    if found:
        return [found]
    raise SystemExit("otel-genai demo: opentelemetry-instrument was not found: install otel-genai[demo].")


@contextmanager
def _endpoint(environ: Mapping[str, str], provider: DemoProvider) -> Iterator[dict[str, str]]:
    """Environment for the app: the real service with a key, else the local endpoint."""
    if environ.get(provider.key_env):
        yield {}
        return
    from otel_genai.mock_openai import MockOpenAIServer

    with MockOpenAIServer() as server:
        base_url = provider.local_base_url(server.root_url)
        print(f"otel-genai demo: no {provider.key_env}, using the local endpoint {base_url}", file=sys.stderr)
        yield {provider.base_url_env: base_url, provider.key_env: provider.local_key}


def unused_entry_points(provider: DemoProvider) -> list[str]:
    """This package's instrumentor entry points that the provider's app gets no telemetry from."""
    ours = [e.name for e in entry_points(group="opentelemetry_instrumentor") if e.value.startswith("otel_genai.")]
    return [name for name in ours if name not in provider.entry_points_used]


def demo_environment(
    environ: Mapping[str, str], endpoint: Mapping[str, str], provider: DemoProvider = OPENAI
) -> dict[str, str]:
    env = dict(environ)
    env.update(endpoint)
    env.setdefault(semconv.ENV_CAPTURE_MESSAGE_CONTENT, "SPAN_AND_EVENT")
    env.setdefault("OTEL_SERVICE_NAME", "otel-genai-demo")
    for name, milliseconds in _EXPORT_AT_EXIT.items():
        env.setdefault(name, milliseconds)
    # A user's own list wins, even an empty one.
    env.setdefault(_DISABLED_INSTRUMENTATIONS, ",".join(unused_entry_points(provider)))
    return env


@dataclass(frozen=True)
class AppRun:
    """What the instrumented app did: exit code, what it printed, and where it sent its call."""

    returncode: int
    stdout: str
    stderr: str
    base_url: str
    provider: DemoProvider = OPENAI

    def failure(self, output: ConsoleOutput | None = None) -> str | None:
        """The one-line explanation of a failure the user can fix, if it is one."""
        if self.returncode == 0:
            return None
        raised, message = failures.raised_in(self.stderr)
        # The failed call's span names the client's exception; in an agent run it ends before the
        # agent's span, which carries the SDK's own label. The traceback's last line comes last.
        spans = reversed(output.spans) if output else []
        error_types = [(span.data.get("attributes") or {}).get(semconv.ERROR_TYPE) for span in spans]
        for error_type in [*error_types, raised]:
            explanation = failures.explain(error_type, message, self.base_url, self.provider)
            if explanation is not None:
                return explanation
        return None


def run_app(
    exporter_args: list[str], extra_env: Mapping[str, str] | None = None, provider: DemoProvider = OPENAI
) -> AppRun:
    """Run the provider's poem app instrumented, capturing what it prints."""
    with _endpoint(os.environ, provider) as endpoint:
        env = demo_environment(os.environ, endpoint, provider)
        env.update(extra_env or {})
        command = [*_launcher(), *exporter_args, sys.executable, "-m", provider.app_module]
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True)
        except KeyboardInterrupt:
            raise SystemExit(130) from None
    base_url = env.get(provider.base_url_env) or provider.default_base_url
    return AppRun(done.returncode, done.stdout, done.stderr, base_url, provider)


def _section(title: str, documents: list[Document]) -> None:
    for document in documents:
        print(f"── {title} " + "─" * max(4, 70 - len(title)))
        print(document.text)


def report_failure(run: AppRun, explanation: str | None) -> int:
    """Print the one-line explanation, or the app's own error output when there is none."""
    sys.stdout.flush()
    if explanation is not None:
        print(f"otel-genai demo: error: {explanation}", file=sys.stderr)
    else:
        sys.stderr.write(run.stderr)
    return run.returncode or 1


def run_demo(provider: DemoProvider = OPENAI) -> int:
    """Run the poem app with console exporters; print its output sorted, then a summary."""
    run = run_app(_CONSOLE, provider=provider)
    output = split_console_output(run.stdout)
    explanation = run.failure(output)
    if explanation is None and run.returncode == 0:
        sys.stderr.write(run.stderr)  # warnings the app printed
    print(output.app_text, end="" if output.app_text.endswith("\n") or not output.app_text else "\n")
    _section("span", output.spans)
    for event in output.events:
        _section(f"event {event.data.get('event_name') or ''}".strip(), [event])
    _section("metrics", output.metrics)
    print("─" * 76)
    print("\n".join(summary_lines(output, provider)))
    if run.returncode != 0:
        return report_failure(run, explanation)
    return 0
