"""The FastAPI application factory; everything it needs is built from the Settings it is given."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError

from search_definitions.active import ActiveDefinition
from search_definitions.loader import load_shipped
from service.audit.background import AuditQueue
from service.audit.middleware import AuditMiddleware
from service.audit.router import router as audit_router
from service.audit.writer import AuditWriter
from service.auth.failures import FailedAuthentications
from service.auth.last_used import LastUsed
from service.auth.oidc import build_verifier
from service.auth.openapi import install_security_schemes
from service.auth.principals import KnownPrincipals
from service.auth.router import router as auth_router
from service.body_limit import BodyLimitMiddleware
from service.communications.router import router as communications_router
from service.console.router import install_console
from service.contacts.router import router as contacts_router
from service.context.router import router as context_router
from service.db.session import build_engine, build_sessionmaker
from service.definitions.router import router as definitions_router
from service.errors import ProblemResponse, error_response, install_handlers, note_detail
from service.health.router import router as health_router
from service.lookup.router import router as lookup_router
from service.opensearch.client import build_async_client
from service.opensearch.gateway import SearchGateway
from service.ratelimit import RateLimiter
from service.search.communications_router import router as communication_lookup_router
from service.search.router import router as search_router
from service.settings import Settings
from service.state import AppState
from service.telemetry import tracing
from service.telemetry.logs import RequestIdMiddleware
from service.telemetry.metrics import MetricsMiddleware, watch_pool

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

SWITCH_INTERVAL_S = 0.0005
AUDIT_CLOSE_S = 10


def create_app(settings: Settings, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """`tracer_provider`: where spans go; by default the one the `OTEL_*` variables ask for, or none."""
    provider = tracer_provider or tracing.provider_from_environment(os.environ)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The audit writer and the sync worker are threads beside the event loop; with the default 5 ms switch
        # interval, a loop that released the interpreter lock for a socket call may wait that long to get it back.
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        engine = build_engine(settings)
        watch_pool(engine)
        untrace = tracing.instrument_clients(engine, provider) if provider is not None else None
        client = build_async_client(settings)
        sessions = build_sessionmaker(engine)
        audit = AuditQueue(
            AuditWriter(sessions, backlog=settings.audit_backlog, backlog_bytes=settings.audit_backlog_bytes),
            gather_s=settings.audit_gather_s,
            limit=settings.audit_backlog,
            limit_bytes=settings.audit_backlog_bytes,
        )
        audit.start()
        last_used = LastUsed(sessions)
        last_used.start()
        failures = FailedAuthentications(
            rate_per_s=settings.auth_failures_per_minute / 60,
            burst=settings.auth_failures_burst,
            submit=audit.submit,
        )
        oidc = build_verifier(settings)
        app.state.contact_lookup = AppState(
            settings=settings,
            engine=engine,
            sessions=sessions,
            opensearch=client,
            gateway=SearchGateway(
                client, timeout_ms=settings.search_timeout_ms, request_timeout_s=settings.search_request_timeout_s
            ),
            definitions=ActiveDefinition(sessions, fallback=load_shipped(), max_age_s=settings.definitions_refresh_s),
            principals=KnownPrincipals(sessions, max_age_s=settings.token_recall_s),
            limiter=RateLimiter(rate_per_s=settings.rate_limit_per_s, burst=settings.rate_limit_burst),
            audit=audit,
            failures=failures,
            last_used=last_used,
            oidc=oidc,
        )
        try:
            yield
        finally:
            if oidc is not None:
                await oidc.close()
            last_used.close(timeout_s=AUDIT_CLOSE_S)
            failures.flush(everything=True)
            audit.close(timeout_s=AUDIT_CLOSE_S)
            await client.close()
            engine.dispose()
            if untrace is not None:
                untrace()

    app = FastAPI(title="contact-lookup", version="0.1.0", lifespan=lifespan)
    install_handlers(app)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(health_router)
    common = _common_errors(settings)
    for router in (
        auth_router,
        lookup_router,  # before contacts_router: /api/contacts/similar is no contact id
        search_router,
        definitions_router,
        contacts_router,
        context_router,
        communication_lookup_router,
        communications_router,
        audit_router,
    ):
        app.include_router(router, responses=common)
    install_console(app, oidc_issuer=settings.oidc_issuer)
    install_security_schemes(app, settings)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # Outermost: every answer is counted and timed, and carries the request id its log lines and audit entry hold.
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    if provider is not None:
        tracing.instrument_app(app, provider)
    return app


def _common_errors(settings: Settings) -> dict[int | str, dict[str, Any]]:
    """Answers any /api route may give whatever it does (no token, over its budget, a request that does not fit,
    a body that is not JSON or too large, a dependency down), with the one error shape, so the OpenAPI document
    says what clients really get; a route's own entries (with their examples) take precedence."""
    return {
        **error_response(400, "There was an error parsing the body"),
        **error_response(401, "missing or invalid bearer token"),
        **error_response(413, f"request body is too large; at most {settings.max_body_bytes} bytes are allowed"),
        **error_response(422, "size must be at most 100"),
        **error_response(429, "too many requests for this token; retry in 2 s"),
        **error_response(503, "database unavailable; retry shortly"),
    }


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    """Request-shape errors keep FastAPI's 422 list, as JSON-safe data naming the offending value when short
    (a value JSON cannot carry as sent, such as NaN or a lone surrogate, is spelled out: see `json_safe`)."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        entry = {k: error[k] for k in ("type", "loc", "msg") if k in error}
        value = error.get("input")
        if isinstance(value, str | int | float | bool) and len(str(value)) <= 200:
            entry["input"] = value
        errors.append(entry)
    note_detail(request, errors)
    return ProblemResponse({"detail": errors}, status_code=422)


def app_from_environment() -> FastAPI:
    """Factory for uvicorn (`--factory`), so every worker process reads the same environment once."""
    return create_app(Settings())
