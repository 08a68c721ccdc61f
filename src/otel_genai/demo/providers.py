"""The clients the demo can run the poem app with, and what each needs from the environment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoProvider:
    """One client: its poem app, its environment variables, and its base URL's shape."""

    name: str
    app_module: str
    key_env: str
    base_url_env: str
    default_base_url: str
    local_key: str
    # Appended to the local endpoint's root: OpenAI clients want ``/v1``, Anthropic's none.
    local_path: str
    base_url_hint: str
    instrumentation: str

    def local_base_url(self, root_url: str) -> str:
        return root_url + self.local_path


OPENAI = DemoProvider(
    name="openai",
    app_module="otel_genai.demo.poem",
    key_env="OPENAI_API_KEY",
    base_url_env="OPENAI_BASE_URL",
    default_base_url="https://api.openai.com/v1",
    local_key="sk-local-demo",
    local_path="/v1",
    base_url_hint="OpenAI-compatible servers usually end in /v1",
    instrumentation="openai",
)

ANTHROPIC = DemoProvider(
    name="anthropic",
    app_module="otel_genai.demo.claude_poem",
    key_env="ANTHROPIC_API_KEY",
    base_url_env="ANTHROPIC_BASE_URL",
    default_base_url="https://api.anthropic.com",
    local_key="sk-ant-local-demo",
    local_path="",
    base_url_hint="Anthropic's base URL has no /v1: the client adds /v1/messages",
    instrumentation="anthropic",
)

PROVIDERS: dict[str, DemoProvider] = {provider.name: provider for provider in (OPENAI, ANTHROPIC)}
