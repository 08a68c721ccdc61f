"""`otel-genai ui` run as a user runs it: a subprocess, its start-up message read until it serves."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping


def start_ui(args: list[str], env: Mapping[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """Start ``otel-genai ui ARGS``; returns the process and what it printed up to "Ctrl+C stops."."""
    command = [sys.executable, "-m", "otel_genai.cli", "ui", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert process.stdout is not None
    output = ""
    for line in process.stdout:
        output += line
        if "Ctrl+C" in line:
            break
    return process, output


def kill_if_running(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
