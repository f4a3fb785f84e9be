"""OpenTelemetry tracing of the API (FastAPI), its database calls (SQLAlchemy) and its engine calls (aiohttp, the
async OpenSearch client's transport), on only when the standard `OTEL_*` variables ask for it.

Off, nothing of OpenTelemetry is imported and no middleware or hook is added: zero cost. On, the SDK and the
instrumentations come from the optional `[otel]` extra; the exporter follows `OTEL_TRACES_EXPORTER` (`otlp`, the
default when an endpoint is set, or `console`), and the OTLP exporter reads its endpoint, headers and the rest
from the standard variables itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy import Engine

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def wanted(environ: Mapping[str, str]) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(exporter) or any(environ.get(name) for name in ENDPOINT_VARIABLES)


def provider_from_environment(environ: Mapping[str, str]) -> TracerProvider | None:
    """A tracer provider exporting as the variables say, or None when they ask for no tracing."""
    if not wanted(environ):
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    provider = TracerProvider(
        resource=Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME", "contact-lookup")})
    )
    for name in (environ.get("OTEL_TRACES_EXPORTER") or "otlp").split(","):
        exporter: SpanExporter
        if name.strip() == "console":
            exporter = ConsoleSpanExporter()
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter()
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    """Before the app starts: it adds a middleware. `/metrics`, `/health` and `/ready` are left out (scrapes and
    probes would drown the traces)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/metrics,/health,/ready")


def instrument_clients(engine: Engine, provider: TracerProvider) -> Callable[[], None]:
    """This database engine, and the aiohttp sessions the engine client opens from now on; returns the undo.

    The engine is traced alone (not every engine the process creates later); aiohttp can only be instrumented for
    the whole process, once."""
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import __version__
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    tracer = provider.get_tracer("opentelemetry.instrumentation.sqlalchemy", __version__)
    usage = NoOpMeterProvider().get_meter(__name__).create_up_down_counter("db.client.connections.usage")
    EngineTracer(tracer, engine, usage)
    aiohttp = AioHttpClientInstrumentor()
    ours = not aiohttp.is_instrumented_by_opentelemetry
    if ours:
        aiohttp.instrument(tracer_provider=provider)

    def undo() -> None:
        if ours:
            aiohttp.uninstrument()
        provider.shutdown()

    return undo
