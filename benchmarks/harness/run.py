"""Run the side-by-side benchmark: environments, workers, interleaved rounds, report.

    .venv/bin/python -m benchmarks.harness              # full run (~10-15 min), rewrites the results
    .venv/bin/python -m benchmarks.harness --quick      # ~2 min smoke run, same tables, fewer rounds
    .venv/bin/python -m benchmarks.harness --profile    # profile ours only (results/profile.md)
    .venv/bin/python -m benchmarks.harness --memory     # RSS and tracemalloc growth of ours (results/memory.md)
    .venv/bin/python -m benchmarks.harness --instructions  # instructions added, valgrind (results/instructions.md)
    .venv/bin/python -m benchmarks.harness --provider anthropic [--quick|--instructions]  # the Anthropic client

The parent starts one worker per implementation (ours, the floor, each peer in its own
environment) and, round after round, asks each in turn for one *pair* of batches of the same
scenario: uninstrumented and instrumented, back to back in the same process. Workers run one at
a time, so they never compete for the machine's cores; the order of implementations rotates
every round, and which batch of a pair goes first alternates, so that drift of the shared
machine falls evenly on all of them. Every figure is a median over rounds of per-call values.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.harness import report, suites, venvs
from benchmarks.harness.impls import Implementation
from benchmarks.harness.measurements import Cell, Run, load_run

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
LOGS = REPO / "benchmarks" / ".venvs" / "logs"

#: (scenario, mode) pairs of the OpenAI suite. Modes: content off, content on, sampled out.
COMBOS: tuple[tuple[str, str], ...] = suites.OPENAI.combos


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- workers -------------------------------------------------------------------------------


class WorkerError(RuntimeError):
    """A worker answered an error, died, or did not answer in time."""


class WorkerProcess:
    """One implementation's worker process and its line protocol."""

    def __init__(
        self, impl: Any, python: str, module: str = "benchmarks.harness.worker", suite: str = "openai"
    ) -> None:
        self.impl = impl
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"worker-{'' if suite == 'openai' else suite + '-'}{impl.key}.log"
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the worker
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        self.process = subprocess.Popen(
            [python, "-m", module, impl.key, *([] if suite == "openai" else [suite])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=REPO,
            env=env,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self._next(120)
        if "error" in first:
            raise WorkerError(first["error"])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _next(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise WorkerError(f"no answer within {timeout:.0f} s") from None
        if line is None:
            raise WorkerError(f"worker exited: {self._last_log_line()}")
        return json.loads(line)

    def _last_log_line(self) -> str:
        self._log.flush()
        lines = [ln for ln in self.log_path.read_text(errors="replace").splitlines() if ln.strip()]
        return (lines or ["no output"])[-1][:200]

    def ask(self, timeout: float = 300, **command: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerError(f"worker gone: {self._last_log_line()}") from exc
        reply = self._next(timeout)
        if "error" in reply:
            raise WorkerError(reply["error"])
        return reply

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write('{"cmd": "quit"}\n')
                self.process.stdin.flush()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self._log.close()


# --- measurements --------------------------------------------------------------------------


def machine_facts() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_start": os.getloadavg(),
    }


def _client_versions(python: str, client: str = "openai") -> tuple[str, str]:
    code = f"import importlib.metadata as m; print(m.version({client!r}), m.version('opentelemetry-sdk'))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return out[0], out[1]


def start_workers(
    run: Run,
    impls: list[Implementation],
    envs: dict[str, venvs.Environment],
    bodies: dict[str, Any],
    module: str = "benchmarks.harness.worker",
    suite: str = "openai",
) -> dict[str, WorkerProcess]:
    workers: dict[str, WorkerProcess] = {}
    for impl in impls:
        env = envs[impl.key]
        facts: dict[str, Any] = {"notes": env.notes}
        run.environments[impl.key] = facts
        if env.python is None:
            facts["error"] = env.error
            say(f"{impl.key}: not measured ({env.error})")
            continue
        try:
            worker = WorkerProcess(impl, env.python, module, suite)
            init = worker.ask(timeout=300, cmd="init", bodies=bodies)
        except WorkerError as exc:
            facts["error"] = f"worker failed to start: {exc}"
            say(f"{impl.key}: not measured ({facts['error']})")
            continue
        facts.update(init)
        workers[impl.key] = worker
        say(f"{impl.key}: ready ({', '.join(f'{k} {v}' for k, v in init['versions'].items())})")
    return workers


def calibrate(run: Run, workers: dict[str, WorkerProcess], scenarios: list[str], target_s: float) -> None:
    """Calls per batch, the same for every implementation: about ``target_s`` uninstrumented."""
    reference = workers.get("floor") or workers.get("ours") or next(iter(workers.values()))
    for key in scenarios:
        seconds = reference.ask(cmd="calibrate", scenario=key)["seconds"]
        run.calls[key] = max(1, round(target_s / seconds))
    say("calls per batch: " + ", ".join(f"{k} {v}" for k, v in run.calls.items()))


def _fail(run: Run, impl: str, combo: str, reason: str) -> None:
    cell = run.cells[impl][combo]
    if cell.error is None:
        cell.error = reason
        say(f"{impl} {combo}: {reason}")


def measure(run: Run, workers: dict[str, WorkerProcess], combos: list[tuple[str, str]], budget_s: float) -> None:
    impls = list(workers)
    for impl in impls:
        run.cells[impl] = {f"{s}/{m}": Cell() for s, m in combos}
    say("checking what each implementation records")
    for impl, worker in workers.items():
        for scenario, mode in combos:
            combo = f"{scenario}/{mode}"
            try:
                run.cells[impl][combo].check = worker.ask(cmd="check", scenario=scenario, mode=mode)
            except WorkerError as exc:
                _fail(run, impl, combo, f"check failed: {exc}")
    deadline = time.monotonic() + budget_s
    for round_index in range(-1, run.rounds_planned):  # round -1 warms every path and is discarded
        if round_index >= 3 and time.monotonic() > deadline:
            say(f"time budget spent: stopping after {round_index} rounds")
            break
        rotation = impls[round_index % len(impls) :] + impls[: round_index % len(impls)]
        for scenario, mode in combos:
            combo = f"{scenario}/{mode}"
            calls = run.calls[scenario]
            for impl in rotation:
                cell = run.cells[impl][combo]
                if cell.error is not None or impl not in workers:
                    continue
                try:
                    reply = workers[impl].ask(
                        cmd="pair", scenario=scenario, mode=mode, calls=calls, instrumented_first=round_index % 2 == 1
                    )
                except WorkerError as exc:
                    _fail(run, impl, combo, f"failed: {exc}")
                    continue
                if round_index < 0:
                    continue
                cell.base_wall.append(reply["base"][0] / calls)
                cell.base_cpu.append(reply["base"][1] / calls)
                cell.inst_wall.append(reply["inst"][0] / calls)
                cell.inst_cpu.append(reply["inst"][1] / calls)
        if round_index >= 0:
            run.rounds_done = round_index + 1
            say(f"round {run.rounds_done}/{run.rounds_planned} done")


# --- the whole run -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.harness", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="few short rounds (~2 minutes)")
    parser.add_argument("--rounds", type=int, help="rounds (default: 31, quick: 5)")
    parser.add_argument("--target-ms", type=float, help="uninstrumented wall time of one batch (default 50, quick 12)")
    parser.add_argument("--budget-min", type=float, help="stop adding rounds after this many minutes (default 11)")
    parser.add_argument(
        "--provider", choices=sorted(suites.BY_KEY), default="openai", help="the client measured (default: openai)"
    )
    parser.add_argument(
        "--only",
        help="comma-separated implementations (default: all): "
        + "; ".join(f"{s.key}: {','.join(s.by_key)}" for s in suites.BY_KEY.values()),
    )
    parser.add_argument(
        "--scenarios",
        help="comma-separated scenarios (default: all): "
        + "; ".join(f"{s.key}: {','.join(dict.fromkeys(c for c, _ in s.combos))}" for s in suites.BY_KEY.values()),
    )
    parser.add_argument("--refresh-venvs", action="store_true", help="rebuild the peers' environments")
    parser.add_argument("--no-write", action="store_true", help="print the report; write no results")
    parser.add_argument("--profile", action="store_true", help="profile ours instead (writes results/profile.md)")
    parser.add_argument("--memory", action="store_true", help="memory growth of ours: runs benchmarks/soak.py")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions under valgrind instead (ours, the floor and the peers named there; ~20 min)",
    )
    parser.add_argument("--render", action="store_true", help="re-render the report from results/<suite>.json")
    args = parser.parse_args(argv)
    suite = suites.BY_KEY[args.provider]

    if args.render:
        run = load_run(report.result_paths(suite, full=True)[1])
        text = report.render(run)
        print(text)
        if not args.no_write:
            report.write(run, text)
        return

    if args.instructions:
        from benchmarks.harness import instructions

        instructions.main(
            only=args.only.split(",") if args.only else None,
            write=not args.no_write,
            suite=suite.key,
            cells=args.scenarios.split(",") if args.scenarios else None,
        )
        return

    if args.profile or args.memory:
        if args.profile:
            from benchmarks.harness import profile

            profile.main(quick=args.quick, write=not args.no_write)
        if args.memory:
            from benchmarks.harness import memory

            memory.main(quick=args.quick, write=not args.no_write)
        return

    started = time.monotonic()
    run = Run(
        started=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        quick=args.quick,
        rounds_planned=args.rounds or (5 if args.quick else 31),
        target_ms=args.target_ms or (12.0 if args.quick else 50.0),
        machine=machine_facts(),
        source=report.source_state(),
        suite=suite.key,
    )
    chosen = [suite.by_key[k] for k in args.only.split(",")] if args.only else list(suite.implementations)
    scenario_keys = args.scenarios.split(",") if args.scenarios else [s.key for s in suite.scenarios().SCENARIOS]
    combos = [(s, m) for s, m in suite.combos if s in scenario_keys]
    run.implementations = [i.key for i in chosen]

    bodies, run.bodies_source = suite.bodies()
    client_version, sdk_version = _client_versions(venvs.ours_python(), suite.client)
    say(f"{suite.client} {client_version}, opentelemetry-sdk {sdk_version}; bodies: {run.bodies_source}")
    envs = venvs.prepare(chosen, client_version, sdk_version, args.refresh_venvs, say, client=suite.client)
    workers = start_workers(run, chosen, envs, bodies, suite=suite.key)
    if not workers:
        raise SystemExit("no implementation could be started")
    try:
        calibrate(run, workers, scenario_keys, run.target_ms / 1000)
        budget = (args.budget_min if args.budget_min is not None else (3 if args.quick else 11)) * 60
        measure(run, workers, combos, budget - (time.monotonic() - started))
    finally:
        for worker in workers.values():
            worker.close()
    run.machine["load_end"] = os.getloadavg()
    run.seconds = time.monotonic() - started
    text = report.render(run)
    print(text)
    if not args.no_write:
        md, raw = report.write(run, text)
        say(f"wrote {md.relative_to(REPO)} and {raw.relative_to(REPO)}")


if __name__ == "__main__":
    main()
