"""The demo's apps and the client each runs with, and what each needs from the environment."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class DemoProvider:
    """One demo app and its client: the app, the command that runs it, the client's environment
    variables, and its base URL's shape."""

    name: str
    app_module: str
    command: str
    key_env: str
    base_url_env: str
    default_base_url: str
    local_key: str
    # Appended to the local endpoint's root: OpenAI clients want ``/v1``, Anthropic's none.
    local_path: str
    base_url_hint: str
    instrumentation: str
    # Our entry points the app's telemetry comes from; the demo switches off the others, whose
    # imports (the Agents SDK's above all) would cost each run a second or more of start-up.
    entry_points_used: tuple[str, ...]

    def local_base_url(self, root_url: str) -> str:
        return root_url + self.local_path


OPENAI = DemoProvider(
    name="openai",
    app_module="otel_genai.demo.poem",
    command="otel-genai demo",
    key_env="OPENAI_API_KEY",
    base_url_env="OPENAI_BASE_URL",
    default_base_url="https://api.openai.com/v1",
    local_key="sk-local-demo",
    local_path="/v1",
    base_url_hint="OpenAI-compatible servers usually end in /v1",
    instrumentation="openai",
    entry_points_used=("openai",),
)

ANTHROPIC = DemoProvider(
    name="anthropic",
    app_module="otel_genai.demo.claude_poem",
    command="otel-genai demo --provider anthropic",
    key_env="ANTHROPIC_API_KEY",
    base_url_env="ANTHROPIC_BASE_URL",
    default_base_url="https://api.anthropic.com",
    local_key="sk-ant-local-demo",
    local_path="",
    base_url_hint="Anthropic's base URL has no /v1: the client adds /v1/messages",
    instrumentation="anthropic",
    entry_points_used=("anthropic",),
)

PROVIDERS: dict[str, DemoProvider] = {provider.name: provider for provider in (OPENAI, ANTHROPIC)}

# The agent app (the OpenAI Agents SDK) talks to OpenAI through the same client and settings.
OPENAI_AGENT = replace(
    OPENAI,
    app_module="otel_genai.demo.agent_app",
    command="otel-genai demo --agent",
    instrumentation="openai_agents",
    # The agents' model calls are the OpenAI client's spans, under the agent spans.
    entry_points_used=("openai", "openai_agents"),
)
