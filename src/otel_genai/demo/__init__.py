"""The offline demo: the OpenTelemetry GenAI announcement's example, instrumented."""
