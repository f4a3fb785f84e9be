"""Request ids, JSON log lines, request and engine metrics and traces, from real requests to the real app."""

import contextlib
import json
import logging
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.app import create_app
from service.auth.service import add_user
from service.models.enums import UserRole
from service.telemetry import tracing
from service.telemetry.logs import configure_logging, logging_config
from tests.conftest import bearer

QUICK = {"field": "name", "operator": "like", "value": "Ma%"}


@pytest.fixture
def caller(db_sessions, scenario):
    name = f"telemetry-{uuid.uuid4().hex[:8]}"
    with db_sessions.begin() as session:
        _, token = add_user(session, name, UserRole.AGENT)
    return name, bearer(token)


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def value(text: str, name: str, **labels: str) -> float:
    return sum(v for n, found, v in samples(text) if n == name and labels.items() <= found.items())


async def test_a_request_id_sent_by_the_caller_is_echoed(app_client):
    response = await app_client.get("/health", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response.headers["x-request-id"] == "lb-7f3a.42"


async def test_a_request_id_is_made_when_absent_or_unusable(app_client):
    made = (await app_client.get("/health")).headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert (await app_client.get("/health")).headers["x-request-id"] != made, "one id per request"
    junk = await app_client.get("/health", headers={"X-Request-ID": 'a b"{}' + "x" * 300})
    replaced = junk.headers["x-request-id"]
    assert len(replaced) == 32 and " " not in replaced


async def test_the_audit_entry_holds_the_request_id(app_client, scenario, caller):
    name, headers = caller
    request_id = f"req-{uuid.uuid4().hex}"
    found = await app_client.post("/api/search/quick", json=QUICK, headers={**headers, "X-Request-ID": request_id})
    assert found.status_code == 200 and found.headers["x-request-id"] == request_id
    trail = await app_client.get("/api/audit", params={"user": name}, headers=bearer(scenario.tokens["admin"]))
    [entry] = trail.json()["items"]
    assert entry["request_id"] == request_id


async def test_a_json_log_line_carries_the_request_id(settings, capsys, restore_logging):
    """The real handler of the configuration, writing to stderr, inside a request of the real app."""
    configure_logging(settings.model_copy(update={"log_format": "json"}))
    app = create_app(settings)

    @app.get("/logs-once")
    async def logs_once() -> dict[str, bool]:
        logging.getLogger("service.example").warning("looked %s up", "something")
        return {"ok": True}

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.get("/logs-once", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line.get("logger") == "service.example"]
    assert line["message"] == "looked something up"
    assert line["request_id"] == "trace-me-1" and line["level"] == "WARNING" and "time" in line
    logging.getLogger("service.example").warning("outside a request")
    [outside] = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    assert outside["request_id"] == "-"


def test_text_logs_are_the_default_and_carry_the_request_id(settings):
    config = logging_config(settings)
    assert settings.log_format == "text"
    assert "%(correlation_id)s" in config["formatters"]["default"]["format"]
    assert set(config["loggers"]) >= {"uvicorn", "uvicorn.error", "uvicorn.access"}


async def test_metrics_show_the_lookup_by_route_and_status_and_the_engine_latency(app_client, scenario, caller):
    _, headers = caller
    before = (await app_client.get("/metrics")).text
    assert (await app_client.post("/api/search/quick", json=QUICK, headers=headers)).status_code == 200
    assert (await app_client.post("/api/search/quick", json={"field": "nope"}, headers=headers)).status_code == 422
    after = (await app_client.get("/metrics")).text

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    route = {"method": "POST", "route": "/api/search/quick"}
    assert grew("contact_lookup_http_requests_total", **route, status="200") == 1
    assert grew("contact_lookup_http_requests_total", **route, status="422") == 1
    assert grew("contact_lookup_http_request_duration_seconds_count", **route, status="200") == 1
    assert grew("contact_lookup_http_request_duration_seconds_bucket", **route, status="200", le="+Inf") == 1
    assert grew("contact_lookup_http_request_duration_seconds_sum", **route, status="200") > 0
    assert grew("contact_lookup_engine_request_duration_seconds_count", operation="search") >= 1
    assert value(after, "contact_lookup_db_pool_checked_out_connections") >= 0
    assert value(after, "contact_lookup_outbox_pending_entries") >= 0, "the outbox gauges stay"


async def test_an_unknown_path_is_counted_as_unmatched_not_by_its_path(app_client):
    before = (await app_client.get("/metrics")).text
    assert (await app_client.get(f"/no/such/{uuid.uuid4().hex}")).status_code == 404
    after = (await app_client.get("/metrics")).text
    labels = {"route": "unmatched", "status": "404"}
    assert (
        value(after, "contact_lookup_http_requests_total", **labels)
        - value(before, "contact_lookup_http_requests_total", **labels)
        == 1
    )
    assert "/no/such/" not in after


async def test_a_failing_engine_call_is_counted_by_operation_and_error(settings, caller):
    """An engine that refuses connections: the lookup is a 503, and the error counter names the call."""
    _, headers = caller
    app = create_app(settings.model_copy(update={"opensearch_url": "http://127.0.0.1:9", "search_max_retries": 0}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        before = (await client.get("/metrics")).text
        assert (await client.post("/api/search/quick", json=QUICK, headers=headers)).status_code == 503
        after = (await client.get("/metrics")).text
    labels = {"operation": "search", "error": "ConnectionError"}
    assert (
        value(after, "contact_lookup_engine_errors_total", **labels)
        - value(before, "contact_lookup_engine_errors_total", **labels)
        >= 1
    )


def test_no_otel_variable_means_no_tracing():
    assert tracing.provider_from_environment({}) is None
    assert tracing.provider_from_environment({"OTEL_TRACES_EXPORTER": "none"}) is None
    assert tracing.provider_from_environment({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"}) is None


def test_the_app_adds_no_tracing_middleware_when_off(settings, monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(settings)
    assert not [m for m in app.user_middleware if "OpenTelemetry" in m.cls.__name__]


def test_otel_variables_build_a_real_provider():
    from opentelemetry.sdk.trace import TracerProvider

    provider = tracing.provider_from_environment({"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "cl-test"})
    assert isinstance(provider, TracerProvider)
    assert provider.resource.attributes["service.name"] == "cl-test"
    provider.shutdown()
    otlp = tracing.provider_from_environment({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert isinstance(otlp, TracerProvider)
    otlp.shutdown()


async def test_a_lookup_is_traced_through_fastapi_the_database_and_the_engine(settings, scenario, caller):
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    _, headers = caller
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings, tracer_provider=provider)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        assert (await client.post("/api/search/quick", json=QUICK, headers=headers)).status_code == 200
    spans = exporter.get_finished_spans()
    [server] = [s for s in spans if s.kind == SpanKind.SERVER]
    assert server.attributes["http.route"] == "/api/search/quick"
    trace_id = server.context.trace_id
    database = [s for s in spans if s.attributes.get("db.system") or s.attributes.get("db.system.name")]
    engine = [s for s in spans if s.kind == SpanKind.CLIENT and "_search" in str(s.attributes)]
    assert any(s.context.trace_id == trace_id for s in database), "the token check's query, in the request's trace"
    assert any(s.context.trace_id == trace_id for s in engine), "the search sent to OpenSearch, in the request's trace"


async def test_pool_gauges_count_connections_in_use_and_beyond_the_pool(settings):
    app = create_app(settings.model_copy(update={"database_pool_size": 1, "database_max_overflow": 2}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        before = (await client.get("/metrics")).text
        engine = app.state.contact_lookup.engine
        size = engine.pool.size()  # the setting on PostgreSQL; SQLite keeps SQLAlchemy's default
        with contextlib.ExitStack() as stack:
            for _ in range(size + 1):
                stack.enter_context(engine.connect())
            held = (await client.get("/metrics")).text
        after = (await client.get("/metrics")).text
    in_use, overflow = "contact_lookup_db_pool_checked_out_connections", "contact_lookup_db_pool_overflow_connections"
    assert value(held, in_use) - value(before, in_use) == size + 1
    assert value(held, overflow) - value(before, overflow) == 1, "one held beyond the pool"
    assert (value(after, in_use), value(after, overflow)) == (value(before, in_use), value(before, overflow))
