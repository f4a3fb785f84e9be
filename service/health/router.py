"""Liveness touches nothing; readiness checks the database, the engine and the search alias.

Readiness also reports how far the index lags behind the database (outbox) and how fast the sync worker
writes; those figures inform, they do not make an instance unready: a lagging index still answers searches.
`/metrics` serves the same figures to Prometheus. Like `/health` and `/ready`, neither needs a token: they
expose counts, never data.

The database calls are blocking: they run in a worker thread, bounded by `ready_check_timeout_s`, so a
database that does not answer makes `/ready` say so after that long while every other request of the worker
goes on being served (on the event loop it would freeze them all for the connect timeout of each probe).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from search_definitions.catalogue import MAPPING_VERSION
from service.deps import StateDep
from service.errors import Unavailable, error_response
from service.health import metrics
from service.health.repository import OutboxLag, SyncThroughput, outbox_lag, sync_throughput
from service.opensearch.failures import describe

T = TypeVar("T")

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "a dependency is failing; the body tells which"}})
async def ready(state: StateDep) -> JSONResponse:
    timeout_s = state.settings.ready_check_timeout_s
    database, engine = await asyncio.gather(_check_database(state, timeout_s), _check_engine(state))
    checks: dict[str, Any] = {"database": database, **engine}
    ok = all(check["ok"] for check in checks.values())
    body: dict[str, Any] = {"status": "ready" if ok else "unavailable", "checks": checks}
    if not ok:  # the error shape every other 503 has, naming each failing check
        body["detail"] = "; ".join(
            f"{name}: {check.get('detail') or check.get('status')}" for name, check in checks.items() if not check["ok"]
        )
    body |= {"outbox": None, "sync": None}
    if database["ok"]:  # the figures come from the same database: a failed check is not waited on twice
        with contextlib.suppress(SQLAlchemyError, TimeoutError):
            lag, throughput = await _off_loop(timeout_s, _sync_figures, state)
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


async def _off_loop(timeout_s: float, call: Callable[..., T], *args: Any) -> T:
    """Run a blocking call in a worker thread; past `timeout_s` raise TimeoutError and leave the thread to finish
    on its own (a connect attempt cannot be interrupted; the database's connect timeout ends it)."""
    with anyio.fail_after(timeout_s):
        return await anyio.to_thread.run_sync(functools.partial(call, *args), abandon_on_cancel=True)


def _select_one(state: StateDep) -> None:
    with state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


async def _check_database(state: StateDep, timeout_s: float) -> dict[str, Any]:
    try:
        await _off_loop(timeout_s, _select_one, state)
    except TimeoutError:
        return {"ok": False, "detail": f"database did not answer within {timeout_s:g} s"}
    except Exception as exc:
        return {"ok": False, "detail": f"database unreachable: {type(exc).__name__}"}
    return {"ok": True}


async def _check_engine(state: StateDep) -> dict[str, Any]:
    try:
        health = await state.gateway.ping()
    except Exception as exc:
        return {"opensearch": {"ok": False, "detail": f"search engine {describe(exc)}"}}
    engine: dict[str, Any] = {"ok": health.get("status") in ("green", "yellow"), "status": health.get("status")}
    aliases: dict[str, Any] = {}
    older: list[int] = []
    for alias in (state.settings.contacts_alias, state.settings.quick_alias, state.settings.communications_alias):
        try:
            versions = await state.gateway.mapping_versions(alias)
        except Exception as exc:
            aliases[alias] = {"ok": False, "detail": describe(exc)}
            continue
        aliases[alias] = _alias_check(versions)
        older += [version for version in versions or () if version < MAPPING_VERSION]
    if older:
        engine["upgrade"] = f"rebuild pending: index mapping {min(older)}, this release {MAPPING_VERSION}"
    return {"opensearch": engine, **{f"alias:{name}": check for name, check in aliases.items()}}


def _alias_check(versions: list[int] | None) -> dict[str, Any]:
    """An index an older release built serves on until `index rebuild` swaps in this release's (the sync worker
    keeps both current meanwhile): the pending upgrade is information, not a reason to stop serving."""
    if not versions:
        return {"ok": False, "detail": "missing; run an index rebuild"}
    if min(versions) < MAPPING_VERSION:
        return {"ok": True, "upgrade": f"built with mapping version {min(versions)}, this release {MAPPING_VERSION}"}
    return {"ok": True}
