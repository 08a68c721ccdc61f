"""The agent demo app, with the OpenAI Agents SDK: a concierge with two tools hands off to a poet.

The Concierge looks up the weather and the local time of the city (two function tools),
then hands off to the Poet, who writes the poem. Run it under ``opentelemetry-instrument``
(``otel-genai demo --agent`` does): one trace, with the agents, their model calls, the tools
and the hand-off.
"""

import os

from agents import Agent, Runner, function_tool, set_trace_processors
from otel_genai.instrumentation.openai_agents import OpenAIAgentsInstrumentor


@function_tool
def get_weather(city: str) -> str:
    """Today's weather in a city."""
    return f"18 degrees and sunny in {city}, a light breeze from the west"


@function_tool
def get_local_time(city: str) -> str:
    """The local time in a city."""
    return f"half past nine in the morning in {city}"


def keep_traces_in_opentelemetry() -> None:
    """Switch off the SDK's own export to OpenAI's tracing dashboard: this demo shows OpenTelemetry
    only, and offline it would try the network. Clearing the SDK's processors removes ours too,
    so it is added again (``opentelemetry-instrument`` added it before this app started)."""
    set_trace_processors([])
    instrumentor = OpenAIAgentsInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
        instrumentor.instrument()


def main() -> None:
    keep_traces_in_opentelemetry()
    model = os.getenv("CHAT_MODEL", "gpt-4o-mini")
    poet = Agent(
        name="Poet",
        handoff_description="Writes short poems.",
        instructions="Write a short poem (at most eight lines) from what the conversation found out.",
        model=model,
    )
    concierge = Agent(
        name="Concierge",
        instructions=(
            "Call get_weather and get_local_time for the city the user names, "
            "then hand off to the Poet, who writes the poem."
        ),
        tools=[get_weather, get_local_time],
        handoffs=[poet],
        model=model,
    )
    result = Runner.run_sync(concierge, "Write a short poem about the weather in Paris right now.")
    print(result.final_output)


if __name__ == "__main__":
    main()
