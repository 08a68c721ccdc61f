"""`otel-genai ui` as a user runs it, and the demo's trace_url helper."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys

import pytest
import requests
from ui_process import kill_if_running, start_ui

from otel_genai.viewer import trace_url


def test_trace_url() -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    assert trace_url("http://127.0.0.1:4319/", trace_id) == f"http://127.0.0.1:4319/trace/{trace_id}"
    assert trace_url("http://h:1", trace_id.upper()).endswith(trace_id)
    with pytest.raises(ValueError):
        trace_url("http://h:1", "not-a-trace-id")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_ui_command_serves_until_stopped(tmp_path, stop_signal) -> None:
    command = [sys.executable, "-m", "otel_genai.cli", "ui", "--http-port", "0", "--grpc-port", "0", "--port", "0",
               "--data-dir", str(tmp_path), "--retention-days", "3", "--max-size-mb", "50"]  # fmt: skip
    # A shell's background job inherits SIGINT ignored; the test needs the default, as in a terminal.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    try:
        lines = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Ctrl+C" in line:
                break
        output = "".join(lines)
        assert str(tmp_path / "viewer.sqlite3") in output
        assert "3 days, 50 MB" in output
        page = re.search(r"page:\s+(http://\S+)/", output)
        receiver = re.search(r"OTLP/HTTP:\s+(http://\S+)", output)
        assert page and receiver, output
        assert requests.get(page.group(1) + "/api/traces", timeout=10).json() == {"traces": [], "next": None}
        empty = requests.post(receiver.group(1) + "/v1/traces", data=b"",
                              headers={"content-type": "application/x-protobuf"}, timeout=10)  # fmt: skip
        assert empty.status_code == 200
        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_ui_help_documents_the_options() -> None:
    from click.testing import CliRunner

    from otel_genai.cli import main

    result = CliRunner().invoke(main, ["ui", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--http-port", "--grpc-port", "--port", "--data-dir", "--retention-days",
                   "--max-size-mb", "--token", "OTEL_GENAI_UI_TOKEN", "--store", "OTEL_GENAI_UI_STORE",
                   "--no-page", "--no-receivers"):  # fmt: skip
        assert option in result.output


@pytest.mark.parametrize(
    ("flag", "role", "hint"),
    [("--port", "page", "--port"), ("--http-port", "OTLP/HTTP", "--http-port"),
     ("--grpc-port", "OTLP/gRPC", "--grpc-port (or --no-grpc)")],
)  # fmt: skip
def test_ui_with_a_port_in_use_says_which_and_creates_nothing(tmp_path, flag, role, hint) -> None:
    data = tmp_path / "never-created"
    ports = {"--port": "0", "--http-port": "0", "--grpc-port": "0"}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports[flag] = str(taken.getsockname()[1])
        command = [sys.executable, "-m", "otel_genai.cli", "ui", *(x for item in ports.items() for x in item),
                   "--data-dir", str(data)]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: port {ports[flag]} ({role}) is in use, perhaps by another viewer or a collector: "
        f"stop it, or choose another port with {hint}"
    ]
    assert not data.exists()


def test_ui_with_a_port_in_use_leaves_a_postgresql_store_untouched(postgres_server) -> None:
    import psycopg

    url = postgres_server.create_database()
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            command = [sys.executable, "-m", "otel_genai.cli", "ui", "--http-port", str(taken.getsockname()[1]),
                       "--grpc-port", "0", "--port", "0", "--store", url]  # fmt: skip
            result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1
        assert "(OTLP/HTTP) is in use" in result.stderr
        with psycopg.connect(url) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)  # not migrated: the store was never opened
    finally:
        postgres_server.drop_database(url)


def test_ui_with_a_data_dir_it_cannot_create_says_so_in_one_line(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    command = [sys.executable, "-m", "otel_genai.cli", "ui", "--http-port", "0", "--grpc-port", "0", "--port", "0",
               "--data-dir", str(blocker / "data")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"Error: cannot open the store {blocker / 'data' / 'viewer.sqlite3'}: ")
    assert lines[0].endswith("choose another folder with --data-dir")


def test_ui_refuses_to_run_nothing(tmp_path) -> None:
    from click.testing import CliRunner

    from otel_genai.cli import main

    result = CliRunner().invoke(main, ["ui", "--no-page", "--no-receivers", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "leave nothing to run" in result.output


def test_ui_store_option_and_environment_select_the_sqlite_file(tmp_path, monkeypatch) -> None:
    from otel_genai.viewer.config import ViewerConfig
    from otel_genai.viewer.store_location import sqlite_path

    assert ViewerConfig(data_dir=tmp_path).store_location == str(tmp_path / "viewer.sqlite3")
    assert sqlite_path("sqlite:////var/lib/x.db").as_posix() == "/var/lib/x.db"
    assert sqlite_path("sqlite:///relative.db").as_posix() == "relative.db"
    target = tmp_path / "elsewhere" / "mine.sqlite3"
    env = {**os.environ, "OTEL_GENAI_UI_STORE": f"sqlite:///{target}"}
    process, output = start_ui(["--no-grpc", "--http-port", "0", "--port", "0"], env=env)
    try:
        assert f"otel-genai ui: store {target}\n" in output
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        kill_if_running(process)
    assert target.exists()
