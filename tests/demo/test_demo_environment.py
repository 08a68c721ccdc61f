"""The environment the demo gives its app: unused instrumentors off, exports held until exit."""

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


def test_the_app_exports_once_at_exit_unless_the_user_says_otherwise() -> None:
    env = demo_environment({"OTEL_BSP_SCHEDULE_DELAY": "500"}, {}, OPENAI)
    assert env["OTEL_BSP_SCHEDULE_DELAY"] == "500"
    # An hour: longer than any demo run, so no timer export can cut into a line the app prints.
    assert int(env["OTEL_BLRP_SCHEDULE_DELAY"]) >= 3_600_000
    assert int(env["OTEL_METRIC_EXPORT_INTERVAL"]) >= 3_600_000
