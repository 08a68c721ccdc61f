"""One virtual environment per peer, created from PyPI, so that their dependencies never collide.

Each peer's environment gets the peer, the same client (``openai`` or ``anthropic``) and the same
OpenTelemetry SDK as ours. An environment is reused while its recorded requirements match; ``--refresh-venvs``
rebuilds them. A peer that fails to install, or to import afterwards, is retried once with the
fix-ups known for it (an undeclared dependency, a dependency's release that broke it); if it
still fails, the reason goes into the report and the run goes on without it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness.impls import Implementation

REPO = Path(__file__).resolve().parents[2]
VENVS = REPO / "benchmarks" / ".venvs"
STAMP = ".bench-requirements.json"

#: Known fix-ups, tried only when the plain install does not import: requirement -> why.
FIXUPS: dict[str, dict[str, str]] = {
    "openai-v2": {
        "httpx": "imports httpx, which openai 3.x no longer installs (it speaks httpx2)",
        "opentelemetry-util-genai==1.1b0": "imports opentelemetry.util.genai.instruments, gone in util-genai 1.2b0",
    },
}


@dataclass
class Environment:
    """Where an implementation runs, or why it cannot."""

    python: str | None
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def ours_python() -> str:
    """The project's own environment (``make`` creates it), else the interpreter running the harness."""
    candidate = REPO / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def _run(args: list[str], log: Path) -> subprocess.CompletedProcess[str]:
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        return subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=900, check=False)


def _last_error(log: Path) -> str:
    lines = [ln.strip() for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if "ERROR" in ln or "Error" in ln]
    return (errors or lines or ["no output"])[-1][:200]


def _imports(python: str, impl: Implementation, log: Path) -> bool:
    module = (impl.instrumentor or "").split(":")[0]
    code = f"import {getattr(impl, 'client', 'openai')}, opentelemetry.sdk.trace, {module}"
    return _run([python, "-c", code], log).returncode == 0


def _ensure(impl: Implementation, pins: list[str], refresh: bool, say: Callable[[str], None]) -> Environment:
    assert impl.requirement is not None
    home = VENVS / impl.key
    python = home / "bin" / "python"
    log = VENVS / f"{impl.key}.log"
    wanted = [impl.requirement, *pins]
    stamp = home / STAMP
    if not refresh and python.exists() and stamp.exists():
        recorded = json.loads(stamp.read_text())
        if recorded.get("requirements") == wanted and _imports(str(python), impl, log):
            return Environment(str(python), recorded.get("notes", []))
    say(f"creating {home.relative_to(REPO)} ({impl.requirement})")
    if home.exists():
        shutil.rmtree(home)
    VENVS.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    if _run([sys.executable, "-m", "venv", str(home)], log).returncode != 0:
        return Environment(None, error=f"venv creation failed: {_last_error(log)}")
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if _run([*pip, *wanted], log).returncode != 0:
        return Environment(None, error=f"pip install failed: {_last_error(log)}")
    notes: list[str] = []
    if not _imports(str(python), impl, log):
        fixups = FIXUPS.get(impl.key, {})
        if not fixups or _run([*pip, *fixups], log).returncode != 0 or not _imports(str(python), impl, log):
            return Environment(None, error=f"does not import with {pins[0]}: {_last_error(log)}")
        notes = [f"`{req}` added: {why}" for req, why in fixups.items()]
    stamp.write_text(json.dumps({"requirements": wanted, "notes": notes}))
    return Environment(str(python), notes)


def prepare(
    impls: list[Implementation],
    client_version: str,
    sdk_version: str,
    refresh: bool,
    say: Callable[[str], None],
    client: str = "openai",
) -> dict[str, Environment]:
    """The environment of every implementation; peers are installed in parallel, each with ``client``
    (the instrumented client's distribution) at ``client_version``."""
    pins = [f"{client}=={client_version}", f"opentelemetry-sdk=={sdk_version}"]
    result = {i.key: Environment(ours_python()) for i in impls if i.requirement is None}
    peers = [i for i in impls if i.requirement is not None]

    def one(impl: Implementation) -> Environment:
        try:
            return _ensure(impl, pins, refresh, say)
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            return Environment(None, error=f"{type(exc).__name__}: {exc}"[:200])

    with ThreadPoolExecutor(max_workers=4) as pool:
        for impl, env in zip(peers, pool.map(one, peers), strict=True):
            result[impl.key] = env
    return result
