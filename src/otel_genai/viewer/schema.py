"""The SQLite schema of the viewer's store, with the indexes the page's queries use."""

from __future__ import annotations

SCHEMA_VERSION = 6
# SCHEMA below creates this version; MIGRATIONS bring it (or a store left at it) to SCHEMA_VERSION.
# A store older than BASE_VERSION is moved aside and a new one started.
BASE_VERSION = 4
CONTENT_ID_SHIFT = 20  # up to ~1M content rows per trace

# Operations whose token counts repeat those of the model calls made inside them: an
# agent's usage is the sum of its LLM calls, so totals skip them when calls are present.
AGGREGATE_OPERATIONS = ("invoke_agent", "invoke_workflow", "plan", "create_agent")
_AGGREGATE_SQL = ", ".join(f"'{op}'" for op in AGGREGATE_OPERATIONS)


def token_total(column: str) -> str:
    """SQL: a trace's total of the ``column`` token counts of its spans ``s``.

    Shared by both engines' trace summaries; aggregate operations count only when no model
    call inside reports usage.
    """
    return (
        f"COALESCE(SUM(CASE WHEN s.operation IS NULL OR s.operation NOT IN ({_AGGREGATE_SQL}) "
        f"THEN s.{column} END), SUM(s.{column}))"
    )


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS resources (
    digest TEXT PRIMARY KEY,
    service_name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    last_seen_ns INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per trace, numbered in order of arrival. Other tables refer to trace_no, so
-- their indexes grow at the end instead of at random places (trace ids are random):
-- that keeps the pages one export request dirties, and so ingest cost, low.
-- Summary columns are recomputed from the spans whenever a request touches the trace.
CREATE TABLE IF NOT EXISTS traces (
    trace_no INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL UNIQUE,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    root_name TEXT NOT NULL,
    root_service TEXT NOT NULL,
    span_count INTEGER NOT NULL,
    genai_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    conversation_id TEXT,
    models TEXT NOT NULL,      -- comma-separated, with a comma at each end: ',a,b,'
    providers TEXT NOT NULL    -- same
);
CREATE INDEX IF NOT EXISTS traces_by_start ON traces (start_ns);
CREATE INDEX IF NOT EXISTS failed_traces_by_start ON traces (start_ns) WHERE error_count > 0;
CREATE INDEX IF NOT EXISTS traces_by_conversation ON traces (conversation_id, start_ns)
    WHERE conversation_id IS NOT NULL;

-- Every model and provider seen, for the filter menus.
CREATE TABLE IF NOT EXISTS facet_values (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS spans (
    id INTEGER PRIMARY KEY,
    trace_no INTEGER NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    operation TEXT,
    provider TEXT,
    model TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cache_read_tokens INTEGER,
    cache_write_tokens INTEGER,
    reasoning_tokens INTEGER,
    conversation_id TEXT,
    error_type TEXT,
    is_error INTEGER NOT NULL,
    is_genai INTEGER NOT NULL,
    -- Wide columns last: SQLite reads a row's columns in order, so the overview's
    -- aggregates never step over the JSON.
    status_message TEXT NOT NULL,
    resource_digest TEXT NOT NULL,
    scope_name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    events TEXT,
    links TEXT
);
-- Also makes a re-sent span (exporter retry) a no-op.
CREATE UNIQUE INDEX IF NOT EXISTS spans_by_trace ON spans (trace_no, span_id);
-- Covers the overview's scans of model calls: a compact, time-ordered (so cheap to
-- append) copy of what they read, instead of visits to wide span rows.
CREATE INDEX IF NOT EXISTS model_calls_by_start ON spans (
    start_ns, model, provider, operation, end_ns, is_error, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, is_genai
) WHERE is_genai = 1 AND model IS NOT NULL;

CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY,
    trace_no INTEGER,          -- NULL for records outside any trace
    span_id TEXT NOT NULL,
    time_ns INTEGER NOT NULL,
    severity_number INTEGER NOT NULL,
    severity_text TEXT NOT NULL,
    event_name TEXT NOT NULL,
    body TEXT,
    attributes TEXT NOT NULL,
    resource_digest TEXT NOT NULL,
    scope_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_trace ON logs (trace_no);
CREATE INDEX IF NOT EXISTS logs_by_time ON logs (time_ns);

CREATE TABLE IF NOT EXISTS metric_points (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    temporality INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    time_ns INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    model TEXT,
    provider TEXT,
    operation TEXT,
    error_type TEXT,
    token_type TEXT,
    value REAL,
    count INTEGER,
    sum REAL,
    min REAL,
    max REAL,
    bounds TEXT,
    bucket_counts TEXT,
    resource_digest TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS metric_points_by_name ON metric_points (name, time_ns);
CREATE INDEX IF NOT EXISTS metric_points_by_time ON metric_points (time_ns);

-- Captured prompts and answers, with their full-text index.
-- A row's id is (trace_no << 20) + n: a search hit names its trace without a lookup, and a
-- trace's rows are one id range.
CREATE TABLE IF NOT EXISTS content (
    id INTEGER PRIMARY KEY,
    span_id TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS content_fts USING fts5 (
    text, content = 'content', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2',
    detail = none, columnsize = 0
);
-- Content rows not yet in content_fts (see search_index.py).
CREATE TABLE IF NOT EXISTS content_unindexed (id INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS content_unindexed AFTER DELETE ON content BEGIN
    INSERT INTO content_fts (content_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

# The step from version n - 1 to n, each run in one transaction with the new version number.
MIGRATIONS: dict[int, str] = {
    # A retried export is recognised: log records and searchable texts get a digest of what
    # they hold (spans already had their ids). Rows stored before keep NULL.
    5: """
ALTER TABLE logs ADD COLUMN digest BLOB;
ALTER TABLE content ADD COLUMN digest BLOB;
""",
    # The page's list of log records outside any trace, newest first.
    6: """
CREATE INDEX IF NOT EXISTS untraced_logs_by_time ON logs (time_ns, id) WHERE trace_no IS NULL;
""",
}

# A trace row before any of its spans arrive (e.g. its log records came first).
ENSURE_TRACE = """
INSERT INTO traces (trace_id, start_ns, end_ns, root_name, root_service, span_count, genai_count,
                    error_count, models, providers)
VALUES (?, ?, ?, '', '', 0, 0, 0, ',', ',')
ON CONFLICT (trace_id) DO NOTHING
"""

# Rebuilds the summary of every trace listed in the temp table batch_traces. Root: the
# span without a parent, else the earliest (a trace whose root lives in another process).
# CROSS JOIN pins batch_traces as the outer loop: otherwise the planner may walk all spans.
REFRESH_TRACES = f"""
UPDATE traces SET
    start_ns = agg.start_ns, end_ns = agg.end_ns, root_name = agg.root_name,
    root_service = agg.root_service, span_count = agg.span_count, genai_count = agg.genai_count,
    error_count = agg.error_count, input_tokens = agg.input_tokens, output_tokens = agg.output_tokens,
    conversation_id = agg.conversation_id, models = agg.models, providers = agg.providers
FROM (
    SELECT b.trace_no AS trace_no, MIN(s.start_ns) AS start_ns, MAX(s.end_ns) AS end_ns,
           (SELECT r.name FROM spans r WHERE r.trace_no = b.trace_no
             ORDER BY r.parent_span_id != '', r.start_ns LIMIT 1) AS root_name,
           COALESCE((SELECT res.service_name FROM spans r JOIN resources res ON res.digest = r.resource_digest
             WHERE r.trace_no = b.trace_no ORDER BY r.parent_span_id != '', r.start_ns LIMIT 1), '')
             AS root_service,
           COUNT(*) AS span_count, SUM(s.is_genai) AS genai_count, SUM(s.is_error) AS error_count,
           {token_total("input_tokens")} AS input_tokens, {token_total("output_tokens")} AS output_tokens,
           MAX(s.conversation_id) AS conversation_id,
           ',' || COALESCE(group_concat(DISTINCT s.model) || ',', '') AS models,
           ',' || COALESCE(group_concat(DISTINCT s.provider) || ',', '') AS providers
    FROM batch_traces b CROSS JOIN spans s ON s.trace_no = b.trace_no
    GROUP BY b.trace_no
) AS agg
WHERE traces.trace_no = agg.trace_no
"""

# Model calls: what the overview counts. The first two terms match the covering index.
MODEL_CALL_CONDITION = (
    f"is_genai = 1 AND model IS NOT NULL AND (operation IS NULL OR operation NOT IN ({_AGGREGATE_SQL}))"
)
