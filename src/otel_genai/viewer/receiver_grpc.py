"""The OTLP/gRPC receiver: the three collector services of ``opentelemetry-proto`` on one port."""

from __future__ import annotations

import logging
from concurrent import futures
from typing import Any

import grpc
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from otel_genai.viewer.access import authorized
from otel_genai.viewer.ingest import ingest
from otel_genai.viewer.otlp_decode import Signal
from otel_genai.viewer.store import Store

log = logging.getLogger(__name__)


class _Exporter:
    """The work shared by the three services: check the token, store, answer."""

    def __init__(self, store: Store, token: str | None) -> None:
        self._store = store
        self._token = token

    def export(self, signal: Signal, request: Any, context: grpc.ServicerContext, response: Any) -> Any:
        metadata = dict(context.invocation_metadata())
        if not authorized(self._token, metadata.get("authorization")):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong bearer token")
        try:
            ingest(self._store, signal, request)
        except Exception:
            log.exception("could not store an OTLP/gRPC %s request", signal)
            # UNAVAILABLE is retryable for OTLP exporters.
            context.abort(grpc.StatusCode.UNAVAILABLE, "the store failed; retry later")
        return response


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, exporter: _Exporter) -> None:
        self._exporter = exporter

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC name)
        return self._exporter.export("traces", request, context, trace_service_pb2.ExportTraceServiceResponse())


class _MetricsService(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, exporter: _Exporter) -> None:
        self._exporter = exporter

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC name)
        response = metrics_service_pb2.ExportMetricsServiceResponse()
        return self._exporter.export("metrics", request, context, response)


class _LogsService(logs_service_pb2_grpc.LogsServiceServicer):
    def __init__(self, exporter: _Exporter) -> None:
        self._exporter = exporter

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC name)
        return self._exporter.export("logs", request, context, logs_service_pb2.ExportLogsServiceResponse())


def grpc_address(host: str, port: int) -> str:
    """``host:port`` as gRPC wants it, with brackets around IPv6 addresses."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def start_grpc_receiver(
    store: Store, *, host: str, port: int, max_request_bytes: int, token: str | None
) -> tuple[grpc.Server, int]:
    """Start serving; returns the server and the port it bound (useful with port 0)."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="otlp-grpc"),
        options=[
            ("grpc.max_receive_message_length", max_request_bytes),
            ("grpc.so_reuseport", 0),
        ],
    )
    exporter = _Exporter(store, token)
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_TraceService(exporter), server)
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(_MetricsService(exporter), server)
    logs_service_pb2_grpc.add_LogsServiceServicer_to_server(_LogsService(exporter), server)
    address = grpc_address(host, port)
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as exc:  # newer grpcio raises instead of returning 0
        raise OSError(f"could not bind the OTLP/gRPC receiver to {address}: {exc}") from exc
    if bound == 0:
        raise OSError(f"could not bind the OTLP/gRPC receiver to {address}")
    server.start()
    return server, bound
