"""The PostgreSQL schema of the viewer's store, as versioned migrations.

Each migration runs once, in its own transaction, and records its version in
``otel_genai_schema``. Instances starting together take a session advisory lock first, so one
migrates while the others wait, then find nothing left to do.

Tables and columns mirror the SQLite schema, so the page's queries run on both. The
differences: searchable text is kept as a ``tsvector`` (with a GIN index) instead of FTS5,
log records and searchable texts are unique by their digest, and traces are numbered by an
identity column.
"""

from __future__ import annotations

from otel_genai.viewer.schema import token_total

# Keys of pg_advisory_lock / pg_try_advisory_xact_lock: "otel-genai" in ASCII, then a purpose.
MIGRATION_LOCK = (0x6F74656C, 1)
RETENTION_LOCK = (0x6F74656C, 2)

MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE resources (
    digest text PRIMARY KEY,
    service_name text NOT NULL,
    attributes text NOT NULL,
    last_seen_ns bigint NOT NULL
);

-- Numbered in order of arrival, like the SQLite store: other tables refer to trace_no.
CREATE TABLE traces (
    trace_no bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trace_id text NOT NULL UNIQUE,
    start_ns bigint NOT NULL,
    end_ns bigint NOT NULL,
    root_name text NOT NULL DEFAULT '',
    root_service text NOT NULL DEFAULT '',
    span_count integer NOT NULL DEFAULT 0,
    genai_count integer NOT NULL DEFAULT 0,
    error_count integer NOT NULL DEFAULT 0,
    input_tokens bigint,
    output_tokens bigint,
    conversation_id text,
    models text NOT NULL DEFAULT ',',
    providers text NOT NULL DEFAULT ','
);
-- The trace list: newest first, keyset-paged on (start_ns, trace_no).
CREATE INDEX traces_by_start ON traces (start_ns, trace_no) WHERE span_count > 0;
CREATE INDEX failed_traces_by_start ON traces (start_ns, trace_no) WHERE error_count > 0;
CREATE INDEX traces_by_conversation ON traces (conversation_id, start_ns) WHERE conversation_id IS NOT NULL;
-- Retention finds old traces, spans included or not yet.
CREATE INDEX traces_by_age ON traces (start_ns);

CREATE TABLE facet_values (
    kind text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (kind, value)
);

CREATE TABLE spans (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trace_no bigint NOT NULL,
    span_id text NOT NULL,
    parent_span_id text NOT NULL,
    name text NOT NULL,
    kind integer NOT NULL,
    start_ns bigint NOT NULL,
    end_ns bigint NOT NULL,
    status_code integer NOT NULL,
    operation text,
    provider text,
    model text,
    input_tokens bigint,
    output_tokens bigint,
    cache_read_tokens bigint,
    cache_write_tokens bigint,
    reasoning_tokens bigint,
    conversation_id text,
    error_type text,
    is_error integer NOT NULL,
    is_genai integer NOT NULL,
    status_message text NOT NULL,
    resource_digest text NOT NULL,
    scope_name text NOT NULL,
    attributes text NOT NULL,
    events text,
    links text,
    -- Also makes a re-sent span (exporter retry) a no-op.
    UNIQUE (trace_no, span_id)
);
-- The overview's scans of model calls read this index only.
CREATE INDEX model_calls_by_start ON spans (start_ns) INCLUDE (
    model, provider, operation, end_ns, is_error, input_tokens, output_tokens, cache_read_tokens,
    cache_write_tokens, is_genai
) WHERE is_genai = 1 AND model IS NOT NULL;

CREATE TABLE logs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trace_no bigint,
    span_id text NOT NULL,
    time_ns bigint NOT NULL,
    severity_number integer NOT NULL,
    severity_text text NOT NULL,
    event_name text NOT NULL,
    body text,
    attributes text NOT NULL,
    resource_digest text NOT NULL,
    scope_name text NOT NULL,
    digest bytea NOT NULL UNIQUE
);
CREATE INDEX logs_by_trace ON logs (trace_no);
CREATE INDEX logs_by_time ON logs (time_ns);

CREATE TABLE metric_points (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    unit text NOT NULL,
    kind text NOT NULL,
    temporality integer NOT NULL,
    start_ns bigint NOT NULL,
    time_ns bigint NOT NULL,
    attributes text NOT NULL,
    model text,
    provider text,
    operation text,
    error_type text,
    token_type text,
    value double precision,
    count bigint,
    sum double precision,
    min double precision,
    max double precision,
    bounds text,
    bucket_counts text,
    resource_digest text NOT NULL
);
CREATE INDEX metric_points_by_name ON metric_points (name, time_ns);
CREATE INDEX metric_points_by_time ON metric_points (time_ns);

-- Captured prompts and answers as search terms (the text itself is in the spans and logs).
CREATE TABLE content (
    trace_no bigint NOT NULL,
    digest bytea NOT NULL,
    span_id text NOT NULL,
    terms tsvector NOT NULL,
    PRIMARY KEY (trace_no, digest)
);
CREATE INDEX content_terms ON content USING gin (terms);
""",
    # The page's list of log records outside any trace, newest first.
    2: """
CREATE INDEX IF NOT EXISTS untraced_logs_by_time ON logs (time_ns, id) WHERE trace_no IS NULL;
""",
}

_SUMMARY_COLUMNS = (
    "start_ns", "end_ns", "root_name", "root_service", "span_count", "genai_count", "error_count",
    "input_tokens", "output_tokens", "conversation_id", "models", "providers",
)  # fmt: skip


def _summaries(spans: str, key: str) -> str:
    """Per-trace summary rows over ``spans`` (aliased ``s``), one per ``key``.

    Root: the span without a parent, else the earliest (a trace whose root lives in another
    process). Token totals skip aggregate operations when the model calls inside report usage.
    """
    return f"""
    SELECT {key} AS trace_key, MIN(s.start_ns) AS start_ns, MAX(s.end_ns) AS end_ns,
           (array_agg(s.name ORDER BY s.parent_span_id <> '', s.start_ns))[1] AS root_name,
           COALESCE((array_agg(r.service_name ORDER BY s.parent_span_id <> '', s.start_ns))[1], '')
             AS root_service,
           COUNT(*) AS span_count, SUM(s.is_genai) AS genai_count, SUM(s.is_error) AS error_count,
           {token_total("input_tokens")} AS input_tokens, {token_total("output_tokens")} AS output_tokens,
           MAX(s.conversation_id) AS conversation_id,
           ',' || COALESCE(string_agg(DISTINCT s.model, ',') || ',', '') AS models,
           ',' || COALESCE(string_agg(DISTINCT s.provider, ',') || ',', '') AS providers,
           MIN(s.arrival) AS arrival
    FROM {spans} LEFT JOIN resources r ON r.digest = s.resource_digest
    GROUP BY {key}"""


# Traces of the staged spans (temporary table span_rows), created with their summary in the
# order they arrived; a trace already stored is only locked (and numbered). ``created`` tells
# which: xmax is 0 on a row this statement inserted.
INSERT_TRACES = f"""
INSERT INTO traces (trace_id, {", ".join(_SUMMARY_COLUMNS)})
SELECT trace_key, {", ".join(_SUMMARY_COLUMNS)}
FROM ({_summaries("(SELECT DISTINCT ON (trace_id, span_id) * FROM span_rows) s", "s.trace_id")}) AS agg
ORDER BY arrival
ON CONFLICT (trace_id) DO UPDATE SET trace_id = excluded.trace_id
RETURNING trace_id, trace_no, xmax = 0 AS created
"""

# Rebuilds the summary of the stored traces whose numbers are in the array parameter.
REFRESH_TRACES = f"""
UPDATE traces SET {", ".join(f"{c} = agg.{c}" for c in _SUMMARY_COLUMNS)}
FROM ({_summaries("(SELECT *, 0 AS arrival FROM spans WHERE trace_no = ANY(%s)) s", "s.trace_no")}) AS agg
WHERE traces.trace_no = agg.trace_key
"""
