"""The environment the demo gives its app: our instrumentors the app does not use are switched off."""

from __future__ import annotations

import pytest

from otel_genai.demo.providers import ANTHROPIC, OPENAI, OPENAI_AGENT, DemoProvider
from otel_genai.demo.runner import demo_environment

DISABLED = "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"


@pytest.mark.parametrize(
    ("provider", "switched_off"),
    [
        (OPENAI, {"anthropic", "openai_agents"}),
        (ANTHROPIC, {"openai", "openai_agents"}),
        # The agent run's model calls are OpenAI client spans: both stay on.
        (OPENAI_AGENT, {"anthropic"}),
    ],
    ids=["openai", "anthropic", "agent"],
)
def test_the_app_loads_only_the_instrumentors_it_uses(provider: DemoProvider, switched_off: set[str]) -> None:
    env = demo_environment({"PATH": "/bin"}, {}, provider)
    assert set(env[DISABLED].split(",")) == switched_off
    assert env["PATH"] == "/bin"


@pytest.mark.parametrize("users_list", ["", "openai", "requests,anthropic"])
def test_a_users_own_list_wins(users_list: str) -> None:
    env = demo_environment({DISABLED: users_list}, {}, OPENAI)
    assert env[DISABLED] == users_list
