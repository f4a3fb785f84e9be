"""Liveness touches nothing; readiness checks the database, the engine and the search alias.

Readiness also reports how far the index lags behind the database (outbox) and how fast the sync worker
writes; those figures inform, they do not make an instance unready: a lagging index still answers searches.
`/metrics` serves the same figures to Prometheus. Like `/health` and `/ready`, neither needs a token: they
expose counts, never data.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from search_definitions.catalogue import MAPPING_VERSION
from service.deps import StateDep
from service.errors import Unavailable, error_response
from service.health import metrics
from service.health.repository import OutboxLag, SyncThroughput, outbox_lag, sync_throughput

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "a dependency is failing; the body tells which"}})
async def ready(state: StateDep) -> JSONResponse:
    checks: dict[str, Any] = {"database": _check_database(state), **await _check_engine(state)}
    ok = all(check["ok"] for check in checks.values())
    body: dict[str, Any] = {"status": "ready" if ok else "unavailable", "checks": checks}
    if not ok:  # the error shape every other 503 has, naming each failing check
        body["detail"] = "; ".join(
            f"{name}: {check.get('detail') or check.get('status')}" for name, check in checks.items() if not check["ok"]
        )
    try:
        lag, throughput = await run_in_threadpool(_sync_figures, state)
    except SQLAlchemyError:
        body |= {"outbox": None, "sync": None}
    else:
        body |= {"outbox": asdict(lag), "sync": asdict(throughput)}
    return JSONResponse(jsonable_encoder(body), status_code=200 if ok else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "outbox lag and sync throughput gauges"},
        **error_response(503, "database unavailable; retry shortly"),
    },
)
def prometheus_metrics(state: StateDep) -> Response:
    """Prometheus text format; read from the database at each scrape."""
    try:
        lag, throughput = _sync_figures(state)
    except SQLAlchemyError as exc:
        raise Unavailable("database unavailable; retry shortly") from exc
    return Response(metrics.render(lag, throughput, state.failures.counts), media_type=CONTENT_TYPE_LATEST)


def _sync_figures(state: StateDep) -> tuple[OutboxLag, SyncThroughput]:
    with state.sessions() as session:
        return outbox_lag(session), sync_throughput(session)


def _check_database(state: StateDep) -> dict[str, Any]:
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return {"ok": False, "detail": f"database unreachable: {type(exc).__name__}"}
    return {"ok": True}


async def _check_engine(state: StateDep) -> dict[str, Any]:
    try:
        health = await state.gateway.ping()
    except Exception as exc:
        return {"opensearch": {"ok": False, "detail": f"search engine unreachable: {type(exc).__name__}"}}
    engine = {"ok": health.get("status") in ("green", "yellow"), "status": health.get("status")}
    aliases: dict[str, Any] = {}
    for alias in (state.settings.contacts_alias, state.settings.quick_alias, state.settings.communications_alias):
        try:
            versions = await state.gateway.mapping_versions(alias)
        except Exception as exc:
            aliases[alias] = {"ok": False, "detail": f"{type(exc).__name__}"}
            continue
        aliases[alias] = _alias_check(versions)
    return {"opensearch": engine, **{f"alias:{name}": check for name, check in aliases.items()}}


def _alias_check(versions: list[int] | None) -> dict[str, Any]:
    """An index built by an older release lacks sub-fields this one queries (a `like` on it would find nothing
    rather than fail): not ready until a rebuild."""
    if not versions:
        return {"ok": False, "detail": "missing; run an index rebuild"}
    if min(versions) < MAPPING_VERSION:
        detail = (
            f"built with mapping version {min(versions)}, this release needs {MAPPING_VERSION}; run an index rebuild"
        )
        return {"ok": False, "detail": detail}
    return {"ok": True}
