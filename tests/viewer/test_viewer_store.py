"""The store, on both engines: restart survival, retention, retried exports and the page's queries.

SQLite-only behaviour (retention by size, schema versions, the FTS5 index) is at the end.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
import requests
from viewer_telemetry import query_rows, search_all_pages, trace_request

from otel_genai.viewer import queries
from otel_genai.viewer.ingest import ingest
from otel_genai.viewer.store import RetentionPolicy, Store
from otel_genai.viewer.store_sqlite import SqliteStore

DAY_NS = 86_400 * 1_000_000_000


def _ingest(store: Store, count: int, start_ns: int, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    request, ids = trace_request(count, start_ns, **kwargs)
    ingest(store, "traces", request)
    return ids


def _count(store: Store, table: str) -> int:
    return int(query_rows(store, f"SELECT COUNT(*) FROM {table}")[0][0])


def _trace_ids(store: Store) -> set[str]:
    return {r[0] for r in query_rows(store, "SELECT trace_id FROM traces")}


def test_data_survives_a_restart(viewer_factory) -> None:
    viewer = viewer_factory()
    ids = _ingest(viewer.store, 3, time.time_ns(), text="remember me")
    data_dir = viewer.config.data_dir
    viewer.stop()
    again = viewer_factory(data_dir=data_dir)
    listed = requests.get(again.endpoints.page + "/api/traces?q=remember").json()["traces"]
    assert sorted(t["trace_id"] for t in listed) == sorted(ids)


def test_acknowledged_requests_are_committed(viewer, store_location) -> None:
    from otel_genai.viewer.store_location import open_store

    request, ids = trace_request(5, time.time_ns())
    response = requests.post(
        viewer.endpoints.otlp_http + "/v1/traces",
        data=request.SerializeToString(),
        headers={"content-type": "application/x-protobuf"},
    )
    assert response.status_code == 200
    # A store opened anew (another process would see the same) finds every row.
    fresh = open_store(store_location)
    assert _trace_ids(fresh) == set(ids)
    fresh.close()


def test_retention_by_age_removes_everything_of_old_traces(store) -> None:
    now = time.time_ns()
    old = _ingest(store, 4, now - 10 * DAY_NS, text="ancient", conversation_id="old-conv")
    new = _ingest(store, 2, now - DAY_NS, text="recent")
    result = store.enforce_retention(RetentionPolicy(max_age_days=7, max_bytes=10**12), now_ns=now)
    assert result.traces_deleted == 4
    assert _trace_ids(store) == set(new)
    assert _count(store, "spans") == 2 * len(new)
    assert _count(store, "content") == len(new)
    assert store.trace_detail(old[0]) is None
    assert store.list_traces(queries.TraceFilter(text="ancient"))["traces"] == []
    if isinstance(store, SqliteStore):
        store._writer.execute("INSERT INTO content_fts (content_fts) VALUES ('integrity-check')")  # raises if corrupt
    assert store.list_sessions() == []


def test_retention_by_size_keeps_the_newest(tmp_path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
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
    assert set(newest) <= _trace_ids(store)
    assert _count(store, "traces") < 405
    store.close()
    # The file itself shrinks: freed pages go back to the OS.
    assert (tmp_path / "db.sqlite3").stat().st_size < file_before / 2


def test_trace_list_filters_and_paging(store) -> None:
    now = time.time_ns()
    mini = _ingest(store, 30, now - 3_600 * 10**9, model="gpt-4o-mini", text="weather in paris")
    claude = _ingest(store, 5, now - 1_800 * 10**9, model="claude-sonnet-4", provider="anthropic", text="poem")
    failed = _ingest(store, 3, now - 60 * 10**9, model="gpt-4o", error=True, text="timeout")

    page = store.list_traces(queries.TraceFilter(limit=10))
    assert [t["trace_id"] for t in page["traces"][:3]] == failed[::-1]  # newest first
    seen: list[str] = []
    cursor = None
    while True:
        page = store.list_traces(queries.TraceFilter(limit=7, before=cursor))
        seen += [t["trace_id"] for t in page["traces"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 38

    def ids(**kw) -> set[str]:  # type: ignore[no-untyped-def]
        return {t["trace_id"] for t in store.list_traces(queries.TraceFilter(limit=200, **kw))["traces"]}

    assert ids(model="claude-sonnet-4") == set(claude)
    assert ids(provider="anthropic") == set(claude)
    assert ids(errors_only=True) == set(failed)
    assert ids(since_ns=now - 1_900 * 10**9) == set(claude) | set(failed)
    assert ids(until_ns=now - 1_900 * 10**9) == set(mini)
    assert ids(text="paris") == set(mini)
    assert ids(text="Weather PAR") == set(mini)  # case-insensitive, last word as a prefix
    assert ids(text="poem", model="gpt-4o") == set()
    assert ids(text="<>") == ids()  # no words: no text filter

    row = store.list_traces(queries.TraceFilter(model="claude-sonnet-4", limit=1))["traces"][0]
    assert row["models"] == ["claude-sonnet-4"] and row["providers"] == ["anthropic"]
    assert row["input_tokens"] == 10 and row["output_tokens"] == 5 and row["root_name"] == "handle"
    facets = store.facet_values()
    assert facets == {"model": ["claude-sonnet-4", "gpt-4o", "gpt-4o-mini"], "provider": ["anthropic", "openai"]}


@pytest.mark.parametrize("scan_page", [1000, 2])
def test_sessions_group_traces_by_conversation(store, scan_page: int, monkeypatch) -> None:
    monkeypatch.setattr(queries, "_SESSION_SCAN_PAGE", scan_page)  # 2: the walk takes several pages
    now = time.time_ns()
    first = _ingest(store, 3, now - 10**10, conversation_id="conv-a")
    _ingest(store, 1, now - 10**9, conversation_id="conv-b")
    _ingest(store, 2, now)
    _ingest(store, 3, now - 10**11, conversation_id="conv-c")
    sessions = store.list_sessions()
    assert [s["conversation_id"] for s in sessions] == ["conv-b", "conv-a", "conv-c"]
    assert sessions[1]["traces"] == 3 and sessions[1]["input_tokens"] == 30
    assert [s["conversation_id"] for s in store.list_sessions(limit=1, offset=1)] == ["conv-a"]
    assert [t["trace_id"] for t in store.session_traces("conv-a")] == first


def test_traces_split_across_requests_are_merged(store) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request, (trace_id,) = trace_request(1, time.time_ns())
    spans = request.resource_spans[0].scope_spans[0].spans
    # Child first, root later: the summary must end up with the root's name.
    for span in (spans[1], spans[0]):
        part = ExportTraceServiceRequest()
        part.resource_spans.add().scope_spans.add().spans.append(span)
        ingest(store, "traces", part)
    detail = store.trace_detail(trace_id)
    assert detail is not None
    assert detail["trace"]["root_name"] == "handle" and detail["trace"]["span_count"] == 2


def test_a_store_of_another_schema_version_is_moved_aside(tmp_path) -> None:
    path = tmp_path / "viewer.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '1');"
    )
    old.close()
    store = SqliteStore(path)
    ids = _ingest(store, 1, time.time_ns())
    assert store.trace_detail(ids[0]) is not None
    store.close()
    assert (tmp_path / "viewer.sqlite3.v1.bak").exists()


def test_log_records_before_their_spans_are_attached_once_the_spans_arrive(store) -> None:
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

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
    assert store.trace_detail(trace_id) is None  # not listed before a span arrives
    assert store.list_traces(queries.TraceFilter())["traces"] == []
    ingest(store, "traces", request)
    detail = store.trace_detail(trace_id)
    assert detail is not None
    chat_view = next(s for s in detail["spans"] if s["span_id"] == chat.span_id.hex())
    assert chat_view["logs"][0]["body"] == {"content": "early bird"}
    assert [t["trace_id"] for t in store.list_traces(queries.TraceFilter(text="early bird"))["traces"]] == [trace_id]


def test_search_pages_newest_arrival_first_without_gaps(store) -> None:
    now = time.time_ns()
    hits = []
    for batch in range(6):
        hits += _ingest(store, 5, now + batch * 10**9, text="needle in the haystack")
        _ingest(store, 5, now + batch * 10**9, text="just hay")
    assert search_all_pages(store, "needle", page_size=7) == hits[::-1]
    errors = store.list_traces(queries.TraceFilter(text="needle", errors_only=True))
    assert errors["traces"] == []


def test_background_indexing_makes_content_searchable_shortly(tmp_path) -> None:
    from viewer_telemetry import wait_for

    store = SqliteStore(tmp_path / "db.sqlite3", index_in_background=True)
    ids = _ingest(store, 3, time.time_ns(), text="eventually searchable")

    def found() -> set[str]:
        return {t["trace_id"] for t in store.list_traces(queries.TraceFilter(text="eventually"))["traces"]}

    assert wait_for(lambda: found() == set(ids), timeout=30)  # ends as soon as they are
    assert _count(store, "content_unindexed") == 0
    # Rows still pending at close are indexed then; retention indexes before deleting.
    late = _ingest(store, 2, time.time_ns(), text="straggler")
    store.close()
    reopened = SqliteStore(tmp_path / "db.sqlite3")
    hits = reopened.list_traces(queries.TraceFilter(text="straggler"))["traces"]
    assert {t["trace_id"] for t in hits} == set(late)
    reopened.enforce_retention(RetentionPolicy(max_age_days=7, max_bytes=10**12), now_ns=time.time_ns() + 30 * DAY_NS)
    assert _count(reopened, "content") == 0
    reopened._writer.execute("INSERT INTO content_fts (content_fts) VALUES ('integrity-check')")  # raises if corrupt
    reopened.close()


def _log_request(trace_id: str, span_id: str, text: str):  # type: ignore[no-untyped-def]
    """A per-message log event inside a span, and a plain log record outside any trace."""
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    logs = ExportLogsServiceRequest()
    records = logs.resource_logs.add().scope_logs.add().log_records
    event = records.add(time_unix_nano=time.time_ns(), trace_id=bytes.fromhex(trace_id),
                        span_id=bytes.fromhex(span_id), event_name="gen_ai.user.message")  # fmt: skip
    event.body.kvlist_value.values.add(key="content").value.string_value = text
    records.add(time_unix_nano=time.time_ns(), severity_text="INFO").body.string_value = "outside any trace"
    return logs


def test_retried_exports_store_spans_logs_and_search_rows_once(store) -> None:
    request, ids = trace_request(3, time.time_ns(), text="sent twice")
    chat = request.resource_spans[0].scope_spans[0].spans[1]
    logs = _log_request(ids[0], chat.span_id.hex(), "asked twice")
    for _ in range(2):  # the second time is what an exporter's retry sends
        ingest(store, "traces", request)
        ingest(store, "logs", logs)
    store.index_content()
    assert _count(store, "spans") == 6
    assert _count(store, "logs") == 2
    assert _count(store, "content") == 4  # three chat spans' messages and the log event's
    assert {t["trace_id"] for t in store.list_traces(queries.TraceFilter(text="twice"))["traces"]} == set(ids)
    detail = store.trace_detail(ids[0])
    assert detail is not None
    assert (detail["trace"]["span_count"], detail["trace"]["input_tokens"]) == (2, 10)
    chat_view = next(s for s in detail["spans"] if s["span_id"] == chat.span_id.hex())
    assert [log["body"] for log in chat_view["logs"]] == [{"content": "asked twice"}]
    # A different record, even with the same text, is stored.
    ingest(store, "logs", _log_request(ids[0], chat.span_id.hex(), "asked twice"))
    assert _count(store, "logs") == 4


def test_a_version_4_store_is_migrated_in_place(tmp_path) -> None:
    from otel_genai.viewer import schema

    path = tmp_path / "viewer.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(schema.SCHEMA)  # the tables as version 4 made them
    old.execute("INSERT INTO meta VALUES ('schema_version', '4')")
    old.execute(
        "INSERT INTO traces (trace_id, start_ns, end_ns, root_name, root_service, span_count, genai_count, "
        "error_count, models, providers) VALUES ('ab' || hex(zeroblob(15)), ?, ?, 'kept', 'svc', 1, 0, 0, ',', ',')",
        (time.time_ns(), time.time_ns()),
    )
    old.commit()
    old.close()
    store = SqliteStore(path)
    assert [t["root_name"] for t in store.list_traces(queries.TraceFilter())["traces"]] == ["kept"]
    assert query_rows(store, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0] == str(schema.SCHEMA_VERSION)
    request, ids = trace_request(1, time.time_ns(), text="after the upgrade")
    ingest(store, "traces", request)
    ingest(store, "traces", request)
    store.index_content()
    assert _count(store, "content") == 1
    store.close()
    assert not list(tmp_path.glob("*.bak"))


def test_a_store_from_a_newer_viewer_is_refused(tmp_path) -> None:
    path = tmp_path / "viewer.sqlite3"
    SqliteStore(path).close()
    newer = sqlite3.connect(path)
    newer.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    newer.commit()
    newer.close()
    with pytest.raises(RuntimeError, match="newer"):
        SqliteStore(path)


def test_search_ignores_case_and_accents_and_takes_the_last_word_as_a_prefix(store) -> None:
    import json

    request, ids = trace_request(1, time.time_ns())
    chat = request.resource_spans[0].scope_spans[0].spans[1]
    messages = [{"role": "user", "parts": [{"type": "text", "content": "Crème BRÛLÉE, s'il vous plaît"}]}]
    for attribute in chat.attributes:
        if attribute.key == "gen_ai.input.messages":  # unescaped, as many instrumentations write it
            attribute.value.string_value = json.dumps(messages, ensure_ascii=False)
    ingest(store, "traces", request)
    ingest(store, "traces", trace_request(1, time.time_ns(), text="creme caramel")[0])
    store.index_content()

    def found(text: str) -> list[str]:
        return [t["trace_id"] for t in store.list_traces(queries.TraceFilter(text=text))["traces"]]

    assert found("brulee") == ids
    assert found("CRÈME brû") == ids
    assert found("plait creme") == ids
    assert len(found("creme")) == 2
    assert found("brulee caramel") == []
