"""What only a shared PostgreSQL store does: several instances, migrations, locks, a lost server."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from postgres_server import PostgresServer, running_server
from ui_process import kill_if_running, start_ui
from viewer_telemetry import (
    emit_latest_conversation,
    emit_legacy_conversation,
    query_rows,
    search_all_pages,
    trace_request,
    wait_for,
)

from otel_genai.viewer import queries
from otel_genai.viewer.ingest import ingest
from otel_genai.viewer.store import RetentionPolicy, StoreUnavailable

DAY_NS = 86_400 * 10**9
PROTOBUF = {"content-type": "application/x-protobuf"}


@pytest.fixture
def engine() -> str:
    return "postgresql"


def test_instances_starting_together_migrate_once(store_location: str) -> None:
    from otel_genai.viewer.store_postgres import LATEST_VERSION, PostgresStore

    barrier = threading.Barrier(4)
    opened: list[PostgresStore] = []
    failures: list[BaseException] = []

    def open_one() -> None:
        barrier.wait()
        try:
            opened.append(PostgresStore(store_location, pool_size=2))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert len(opened) == 4
        versions = [r[0] for r in query_rows(opened[0], "SELECT version FROM otel_genai_schema ORDER BY version")]
        assert versions == list(range(1, LATEST_VERSION + 1))
        request, ids = trace_request(2, time.time_ns())
        ingest(opened[1], "traces", request)
        assert {t["trace_id"] for t in opened[3].list_traces(queries.TraceFilter())["traces"]} == set(ids)
    finally:
        for store in opened:
            store.close()


def test_a_database_migrated_by_a_newer_viewer_is_refused(store, store_location: str) -> None:
    import psycopg

    from otel_genai.viewer.store_postgres import PostgresStore

    with psycopg.connect(store_location, autocommit=True) as newer:
        newer.execute("INSERT INTO otel_genai_schema (version) VALUES (99)")
    with pytest.raises(StoreUnavailable, match="newer"):
        PostgresStore(store_location)


def test_retention_runs_in_one_instance_at_a_time(store, store_location: str) -> None:
    import psycopg

    from otel_genai.viewer.schema_postgres import RETENTION_LOCK

    now = time.time_ns()
    old = trace_request(3, now - 10 * DAY_NS)[0]
    ingest(store, "traces", old)
    policy = RetentionPolicy(max_age_days=7, max_bytes=10**12)
    with psycopg.connect(store_location, autocommit=True) as other_instance:
        other_instance.execute("SELECT pg_advisory_lock(%s, %s)", RETENTION_LOCK)
        busy = store.enforce_retention(policy, now_ns=now)
        assert busy.skipped and busy.traces_deleted == 0
        assert query_rows(store, "SELECT COUNT(*) FROM traces")[0][0] == 3
        other_instance.execute("SELECT pg_advisory_unlock(%s, %s)", RETENTION_LOCK)
    done = store.enforce_retention(policy, now_ns=now)
    assert not done.skipped and done.traces_deleted == 3
    assert query_rows(store, "SELECT COUNT(*) FROM spans")[0][0] == 0
    assert store.facet_values() == {"model": [], "provider": []}


def test_two_receivers_and_a_page_share_one_database(viewer_factory, pipeline_factory) -> None:
    first = viewer_factory(page_enabled=False)
    second = viewer_factory(page_enabled=False)
    page = viewer_factory(receivers_enabled=False)
    assert first.endpoints.page is None and page.endpoints.otlp_http is None and page.endpoints.otlp_grpc is None
    over_http = emit_latest_conversation(pipeline_factory(first.endpoints, "http"))
    over_grpc = emit_legacy_conversation(pipeline_factory(second.endpoints, "grpc"))
    listed = requests.get(page.endpoints.page + "/api/traces", timeout=10).json()["traces"]
    assert {t["trace_id"] for t in listed} == {over_http, over_grpc}
    detail = requests.get(f"{page.endpoints.page}/api/traces/{over_grpc}", timeout=10).json()
    assert any(s["genai"] for s in detail["spans"])
    found = requests.get(page.endpoints.page + "/api/traces?q=rainy", timeout=10).json()["traces"]
    assert [t["trace_id"] for t in found] == [over_http]


def test_the_password_is_never_shown(postgres_server: PostgresServer, store_location: str, tmp_path) -> None:
    from otel_genai.viewer.store_postgres import PostgresStore

    secret = "hunter2-not-for-logs"
    with_password = store_location.replace("viewer_tests@", f"viewer_tests:{secret}@")
    store = PostgresStore(with_password)
    assert secret not in store.description and store.description.startswith("postgresql://viewer_tests@127.0.0.1:")
    store.close()
    with pytest.raises(StoreUnavailable) as malformed:
        PostgresStore(f"postgresql://someone:{secret}@127.0.0.1:not-a-port/db")
    assert secret not in str(malformed.value)
    args = ["--no-grpc", "--http-port", "0", "--port", "0", "--store"]
    process, output = start_ui([*args, with_password])
    try:
        assert "store postgresql://viewer_tests@127.0.0.1:" in output, output
        assert "by age" in output
        process.terminate()
        assert process.stdout is not None
        output += process.stdout.read()
        assert process.wait(timeout=30) == 0
    finally:
        kill_if_running(process)
    assert secret not in output
    # A server that is not there: a one-line reason, still without the password.
    unreachable = f"postgresql://someone:{secret}@127.0.0.1:{_closed_port()}/nothing"
    command = [sys.executable, "-m", "otel_genai.cli", "ui", *args, unreachable]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "cannot connect to postgresql://someone@127.0.0.1:" in result.stderr
    assert secret not in result.stdout + result.stderr and "Traceback" not in result.stderr


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A server of this test's own, since the test stops and restarts it."""
    with running_server() as server:
        yield server


def test_stopping_postgresql_mid_ingest_loses_nothing_acknowledged(own_server: PostgresServer, viewer_factory) -> None:
    viewer = viewer_factory(store=own_server.url(), grpc_enabled=False)
    url = viewer.endpoints.otlp_http + "/v1/traces"
    acknowledged: list[str] = []
    statuses: list[int] = []
    done = threading.Event()

    def exporter() -> None:
        """Sends requests one after another; a refused one is sent again, as the SDK's exporter does."""
        with requests.Session() as session:
            while not done.is_set():
                request, ids = trace_request(20, time.time_ns())
                body = request.SerializeToString()
                while not done.is_set():
                    status = session.post(url, data=body, headers=PROTOBUF, timeout=60).status_code
                    statuses.append(status)
                    if status == 200:
                        acknowledged.extend(ids)
                        break

    sender = threading.Thread(target=exporter)
    sender.start()
    try:
        assert wait_for(lambda: len(acknowledged) >= 100, timeout=60)
        own_server.stop("immediate")  # a crash: no shutdown checkpoint, the WAL is replayed on start
        assert wait_for(lambda: 503 in statuses, timeout=60)
        before_restart = len(acknowledged)
        own_server.start()
        assert wait_for(lambda: len(acknowledged) >= before_restart + 100, timeout=120)
    finally:
        done.set()
        sender.join(90)
    assert set(statuses) <= {200, 503}
    stored = {t[0] for t in query_rows(viewer.store, "SELECT trace_id FROM traces")}
    assert set(acknowledged) <= stored
    spans = query_rows(viewer.store, "SELECT COUNT(*), COUNT(DISTINCT (trace_no, span_id)) FROM spans")[0]
    assert spans[0] == spans[1] == 2 * len(stored)  # re-sent requests stored nothing twice
    log_text = own_server.log()
    assert re.search(r"database system was (interrupted|not properly shut down)", log_text), log_text[-2000:]


def test_missing_postgresql_skips_locally_and_fails_in_ci(monkeypatch) -> None:
    import postgres_server

    monkeypatch.setattr(postgres_server, "find_bin_dir", lambda: None)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        postgres_server.require_postgres()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        postgres_server.require_postgres()


def test_a_page_only_instance_reads_a_read_only_database(store, store_location: str) -> None:
    """What a page on a read replica does: no migration, no temporary table, only reads."""
    import uuid

    import psycopg

    from otel_genai.viewer.store_postgres import PostgresStore

    request, ids = trace_request(3, time.time_ns(), text="seen from the replica", conversation_id="conv-r")
    ingest(store, "traces", request)
    role = f"page_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(store_location, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        admin.execute(f"ALTER ROLE {role} SET default_transaction_read_only = on")
    page = PostgresStore(store_location.replace("viewer_tests@", f"{role}@"), writer=False)
    try:
        assert {t["trace_id"] for t in page.list_traces(queries.TraceFilter(text="replica"))["traces"]} == set(ids)
        detail = page.trace_detail(ids[0])
        assert detail is not None and detail["trace"]["span_count"] == 2
        assert page.list_sessions()[0]["traces"] == 3
        assert page.overview(time.time_ns() - DAY_NS, time.time_ns() + 10**9)["totals"]["calls"] == 3
    finally:
        page.close()
    # A receiver there is refused in one line (it could neither migrate nor write).
    with pytest.raises(StoreUnavailable, match="cannot prepare .*read-only transaction"):
        PostgresStore(store_location.replace("viewer_tests@", f"{role}@"), writer=True)


def test_a_page_only_instance_waits_for_a_receiver_to_create_the_tables(postgres_server: PostgresServer) -> None:
    from otel_genai.viewer.store_postgres import PostgresStore

    empty = postgres_server.create_database()
    opened: list[PostgresStore] = []
    try:
        with pytest.raises(StoreUnavailable, match="start a receiver of this version"):
            PostgresStore(empty, writer=False, schema_wait_s=0)
        # Started together: the page waits while the receiver migrates.
        page = threading.Thread(target=lambda: opened.append(PostgresStore(empty, writer=False)))
        page.start()
        receiver = PostgresStore(empty)
        page.join(60)
        receiver.close()
        assert len(opened) == 1 and opened[0].list_traces(queries.TraceFilter())["traces"] == []
    finally:
        for store in opened:
            store.close()
        postgres_server.drop_database(empty)


@pytest.mark.parametrize("window", [3, 7])
def test_search_walks_recent_rows_then_the_index_without_gaps(store, window: int, monkeypatch) -> None:
    from otel_genai.viewer import postgres_reader

    # Small windows and chunks, so a few traces take every path: windows with many hits,
    # a window with few that hands over to the index, and several index chunks.
    monkeypatch.setattr(postgres_reader, "_RECENT_WINDOW", window)
    monkeypatch.setattr(postgres_reader, "_SEARCH_CHUNK", 4)
    monkeypatch.setattr(postgres_reader, "_RARE", 3)
    now = time.time_ns()
    hits: list[str] = []
    for batch in range(4):
        request, ids = trace_request(2, now + batch * 10**9, text="needle in hay")
        ingest(store, "traces", request)
        hits += ids
        ingest(store, "traces", trace_request(6, now + batch * 10**9, text="only hay")[0])
    seen = search_all_pages(store, "needle", page_size=3)
    assert seen == hits[::-1]
    assert len(store.list_traces(queries.TraceFilter(text="hay", limit=200))["traces"]) == 32


def _texts_on_one_trace(store, texts: list[str]) -> str:  # type: ignore[no-untyped-def]
    """A trace whose chat span carries ``texts[0]`` and whose log events carry the others."""
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    request, (trace_id,) = trace_request(1, time.time_ns(), text=texts[0])
    ingest(store, "traces", request)
    chat = request.resource_spans[0].scope_spans[0].spans[1]
    logs = ExportLogsServiceRequest()
    records = logs.resource_logs.add().scope_logs.add().log_records
    for text in texts[1:]:
        record = records.add(time_unix_nano=time.time_ns(), trace_id=chat.trace_id, span_id=chat.span_id,
                             event_name="gen_ai.user.message")  # fmt: skip
        record.body.kvlist_value.values.add(key="content").value.string_value = text
    ingest(store, "logs", logs)
    return trace_id


def test_search_finds_a_trace_whose_texts_straddle_a_window(store, monkeypatch) -> None:
    from otel_genai.viewer import postgres_reader

    monkeypatch.setattr(postgres_reader, "_RECENT_WINDOW", 3)
    older = _texts_on_one_trace(store, ["hay one", "hay two", "the needle", "hay three"])
    _texts_on_one_trace(store, ["hay four", "hay five"])
    # The first window holds the newer trace's two texts and one of the older trace's four.
    assert search_all_pages(store, "needle", page_size=5) == [older]
