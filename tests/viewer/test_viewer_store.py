"""The SQLite store: restart survival, retention by age and size, and the page's queries."""

from __future__ import annotations

import sqlite3
import time

import requests
from viewer_telemetry import trace_request

from otel_genai.viewer import queries
from otel_genai.viewer.ingest import ingest
from otel_genai.viewer.store import RetentionPolicy, Store

DAY_NS = 86_400 * 1_000_000_000


def _ingest(store: Store, count: int, start_ns: int, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    request, ids = trace_request(count, start_ns, **kwargs)
    ingest(store, "traces", request)
    return ids


def _count(store: Store, table: str) -> int:
    return int(store.reader().execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_data_survives_a_restart(viewer_factory) -> None:
    viewer = viewer_factory()
    ids = _ingest(viewer.store, 3, time.time_ns(), text="remember me")
    data_dir = viewer.config.data_dir
    viewer.stop()
    again = viewer_factory(data_dir=data_dir)
    listed = requests.get(again.endpoints.page + "/api/traces?q=remember").json()["traces"]
    assert sorted(t["trace_id"] for t in listed) == sorted(ids)


def test_acknowledged_requests_are_committed(viewer) -> None:
    request, ids = trace_request(5, time.time_ns())
    response = requests.post(
        viewer.endpoints.otlp_http + "/v1/traces",
        data=request.SerializeToString(),
        headers={"content-type": "application/x-protobuf"},
    )
    assert response.status_code == 200
    # A brand-new connection (another process would see the same) finds every row.
    fresh = sqlite3.connect(viewer.config.database_path)
    assert fresh.execute("SELECT COUNT(*) FROM traces").fetchone()[0] == 5
    fresh.close()


def test_retention_by_age_removes_everything_of_old_traces(tmp_path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    now = time.time_ns()
    old = _ingest(store, 4, now - 10 * DAY_NS, text="ancient", conversation_id="old-conv")
    new = _ingest(store, 2, now - DAY_NS, text="recent")
    result = store.enforce_retention(RetentionPolicy(max_age_days=7, max_bytes=10**12), now_ns=now)
    assert result.traces_deleted == 4
    conn = store.reader()
    remaining = {r[0] for r in conn.execute("SELECT trace_id FROM traces")}
    assert remaining == set(new)
    assert _count(store, "spans") == 2 * len(new)
    assert _count(store, "content") == len(new)
    assert queries.trace_detail(conn, old[0]) is None
    assert queries.list_traces(conn, queries.TraceFilter(text="ancient"))["traces"] == []
    store._writer.execute("INSERT INTO content_fts (content_fts) VALUES ('integrity-check')")  # raises if corrupt
    assert queries.list_sessions(conn) == []
    store.close()


def test_retention_by_size_keeps_the_newest(tmp_path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    now = time.time_ns()
    for batch in range(8):
        _ingest(store, 50, now - (10 - batch) * 3_600 * 10**9, padding=4_000)
    newest = _ingest(store, 5, now)
    file_before = (tmp_path / "db.sqlite3").stat().st_size
    before = store.size_bytes()
    limit = before // 3
    result = store.enforce_retention(RetentionPolicy(max_age_days=30, max_bytes=limit), now_ns=now)
    assert result.size_bytes <= limit
    assert result.traces_deleted > 0
    remaining = {r[0] for r in store.reader().execute("SELECT trace_id FROM traces")}
    assert set(newest) <= remaining
    assert _count(store, "traces") < 405
    store.close()
    # The file itself shrinks: freed pages go back to the OS.
    assert (tmp_path / "db.sqlite3").stat().st_size < file_before / 2


def test_trace_list_filters_and_paging(tmp_path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    now = time.time_ns()
    mini = _ingest(store, 30, now - 3_600 * 10**9, model="gpt-4o-mini", text="weather in paris")
    claude = _ingest(store, 5, now - 1_800 * 10**9, model="claude-sonnet-4", provider="anthropic", text="poem")
    failed = _ingest(store, 3, now - 60 * 10**9, model="gpt-4o", error=True, text="timeout")
    conn = store.reader()

    page = queries.list_traces(conn, queries.TraceFilter(limit=10))
    assert [t["trace_id"] for t in page["traces"][:3]] == failed[::-1]  # newest first
    seen: list[str] = []
    cursor = None
    while True:
        page = queries.list_traces(conn, queries.TraceFilter(limit=7, before=cursor))
        seen += [t["trace_id"] for t in page["traces"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 38

    def ids(**kw) -> set[str]:  # type: ignore[no-untyped-def]
        return {t["trace_id"] for t in queries.list_traces(conn, queries.TraceFilter(limit=200, **kw))["traces"]}

    assert ids(model="claude-sonnet-4") == set(claude)
    assert ids(provider="anthropic") == set(claude)
    assert ids(errors_only=True) == set(failed)
    assert ids(since_ns=now - 1_900 * 10**9) == set(claude) | set(failed)
    assert ids(until_ns=now - 1_900 * 10**9) == set(mini)
    assert ids(text="paris") == set(mini)
    assert ids(text="Weather PAR") == set(mini)  # case-insensitive, last word as a prefix
    assert ids(text="poem", model="gpt-4o") == set()
    assert ids(text="<>") == ids()  # no words: no text filter

    row = queries.list_traces(conn, queries.TraceFilter(model="claude-sonnet-4", limit=1))["traces"][0]
    assert row["models"] == ["claude-sonnet-4"] and row["providers"] == ["anthropic"]
    assert row["input_tokens"] == 10 and row["output_tokens"] == 5 and row["root_name"] == "handle"
    facets = queries.facet_values(conn)
    assert facets == {"model": ["claude-sonnet-4", "gpt-4o", "gpt-4o-mini"], "provider": ["anthropic", "openai"]}
    store.close()


def test_sessions_group_traces_by_conversation(tmp_path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    now = time.time_ns()
    first = _ingest(store, 3, now - 10**10, conversation_id="conv-a")
    _ingest(store, 1, now - 10**9, conversation_id="conv-b")
    _ingest(store, 2, now)
    conn = store.reader()
    sessions = queries.list_sessions(conn)
    assert [s["conversation_id"] for s in sessions] == ["conv-b", "conv-a"]
    assert sessions[1]["traces"] == 3 and sessions[1]["input_tokens"] == 30
    assert [t["trace_id"] for t in queries.session_traces(conn, "conv-a")] == first
    store.close()


def test_traces_split_across_requests_are_merged(tmp_path) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    store = Store(tmp_path / "db.sqlite3")
    request, (trace_id,) = trace_request(1, time.time_ns())
    spans = request.resource_spans[0].scope_spans[0].spans
    # Child first, root later: the summary must end up with the root's name.
    for span in (spans[1], spans[0]):
        part = ExportTraceServiceRequest()
        part.resource_spans.add().scope_spans.add().spans.append(span)
        ingest(store, "traces", part)
    detail = queries.trace_detail(store.reader(), trace_id)
    assert detail is not None
    assert detail["trace"]["root_name"] == "handle" and detail["trace"]["span_count"] == 2
    store.close()


def test_a_store_of_another_schema_version_is_moved_aside(tmp_path) -> None:
    path = tmp_path / "viewer.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '1');"
    )
    old.close()
    store = Store(path)
    ids = _ingest(store, 1, time.time_ns())
    assert queries.trace_detail(store.reader(), ids[0]) is not None
    store.close()
    assert (tmp_path / "viewer.sqlite3.v1.bak").exists()


def test_log_records_before_their_spans_are_attached_once_the_spans_arrive(tmp_path) -> None:
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    store = Store(tmp_path / "db.sqlite3")
    request, (trace_id,) = trace_request(1, time.time_ns())
    chat = request.resource_spans[0].scope_spans[0].spans[1]
    logs = ExportLogsServiceRequest()
    record = (
        logs.resource_logs.add()
        .scope_logs.add()
        .log_records.add(
            time_unix_nano=time.time_ns(),
            trace_id=chat.trace_id,
            span_id=chat.span_id,
            event_name="gen_ai.user.message",
        )
    )
    record.body.kvlist_value.values.add(key="content").value.string_value = "early bird"
    ingest(store, "logs", logs)
    conn = store.reader()
    assert queries.trace_detail(conn, trace_id) is None  # not listed before a span arrives
    assert queries.list_traces(conn, queries.TraceFilter())["traces"] == []
    ingest(store, "traces", request)
    detail = queries.trace_detail(conn, trace_id)
    assert detail is not None
    chat_view = next(s for s in detail["spans"] if s["span_id"] == chat.span_id.hex())
    assert chat_view["logs"][0]["body"] == {"content": "early bird"}
    assert [t["trace_id"] for t in queries.list_traces(conn, queries.TraceFilter(text="early bird"))["traces"]] == [
        trace_id
    ]
    store.close()


def test_search_pages_newest_arrival_first_without_gaps(tmp_path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    now = time.time_ns()
    hits = []
    for batch in range(6):
        hits += _ingest(store, 5, now + batch * 10**9, text="needle in the haystack")
        _ingest(store, 5, now + batch * 10**9, text="just hay")
    conn = store.reader()
    seen: list[str] = []
    cursor = None
    while True:
        page = queries.list_traces(conn, queries.TraceFilter(text="needle", limit=7, before=cursor))
        seen += [t["trace_id"] for t in page["traces"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == hits[::-1]
    errors = queries.list_traces(conn, queries.TraceFilter(text="needle", errors_only=True))
    assert errors["traces"] == []
    store.close()


def test_background_indexing_makes_content_searchable_shortly(tmp_path) -> None:
    from viewer_telemetry import wait_for

    store = Store(tmp_path / "db.sqlite3", index_in_background=True)
    ids = _ingest(store, 3, time.time_ns(), text="eventually searchable")
    conn = store.reader()

    def found() -> set[str]:
        return {t["trace_id"] for t in queries.list_traces(conn, queries.TraceFilter(text="eventually"))["traces"]}

    assert wait_for(lambda: found() == set(ids), timeout=30)  # ends as soon as they are
    assert _count(store, "content_unindexed") == 0
    # Rows still pending at close are indexed then; retention indexes before deleting.
    late = _ingest(store, 2, time.time_ns(), text="straggler")
    store.close()
    reopened = Store(tmp_path / "db.sqlite3")
    hits = queries.list_traces(reopened.reader(), queries.TraceFilter(text="straggler"))["traces"]
    assert {t["trace_id"] for t in hits} == set(late)
    reopened.enforce_retention(RetentionPolicy(max_age_days=7, max_bytes=10**12), now_ns=time.time_ns() + 30 * DAY_NS)
    assert _count(reopened, "content") == 0
    reopened._writer.execute("INSERT INTO content_fts (content_fts) VALUES ('integrity-check')")  # raises if corrupt
    reopened.close()
