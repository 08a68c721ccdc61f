"""A real PostgreSQL server for the tests: initdb in a temporary folder, a free port, stopped at the end.

Run as an unprivileged user when the tests run as root (PostgreSQL refuses root). Without
PostgreSQL's binaries the tests that need it skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SUPERUSER = "viewer_tests"
# Test settings: small, and fsync off (a test survives PostgreSQL stopping, not the machine).
TEST_SETTINGS = {"fsync": "off", "shared_buffers": "16MB", "max_connections": "60"}


def find_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: on PATH, else Debian's versioned folder."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    return None


def require_postgres() -> Path:
    """The binaries' folder; skip the test without them (fail under CI=true: CI must run these)."""
    problem = None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        problem = "psycopg is not installed (pip install 'otel-genai[ui]')"
    bin_dir = find_bin_dir()
    if problem is None and bin_dir is None:
        problem = "PostgreSQL's initdb is not installed (run .ci/install-postgres)"
    if problem or bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {problem}")
        pytest.skip(problem or "no PostgreSQL")
    return bin_dir


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _os_user() -> str | None:
    """The account to run PostgreSQL as: None for ourselves, else an unprivileged one when root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root with neither a 'postgres' nor a 'nobody' account")


class PostgresServer:
    """One PostgreSQL cluster, listening on 127.0.0.1 and a socket in its own folder."""

    def __init__(self, bin_dir: Path, settings: dict[str, str] | None = None) -> None:
        self.bin_dir = bin_dir
        self.settings = {**TEST_SETTINGS, **(settings or {})}
        self.user = _os_user()
        self.root = Path(tempfile.mkdtemp(prefix="otel-genai-pg-"))
        self.data = self.root / "data"
        self.port = 0
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, cwd=self.root, timeout=120)

    def start(self) -> None:
        """Start on a free port (the port it had, after a stop)."""
        for _ in range(5):
            port = self.port or _free_port()
            options = f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 " + " ".join(
                f"-c {name}={value}" for name, value in self.settings.items()
            )
            result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60",
                               "-o", options, "start", check=False)  # fmt: skip
            if result.returncode == 0:
                self.port = port
                return
            if self.port:  # restarting on the same port: nothing else to try
                break
        raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{self.log()}")

    def stop(self, mode: str = "fast") -> None:
        """Stop; ``immediate`` is a crash (no checkpoint; restart replays the WAL)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def postmaster_pid(self) -> int:
        """The server's main process (its backends are its children)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def log(self) -> str:
        path = self.root / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A started server (skipping without PostgreSQL, failing under CI), destroyed afterwards."""
    server = PostgresServer(require_postgres())
    try:
        server.start()
        yield server
    finally:
        server.destroy()
