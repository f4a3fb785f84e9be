"""Liveness touches nothing; readiness checks the database, the engine and the search alias."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "a dependency is failing; the body tells which"}})
async def ready(state: StateDep) -> JSONResponse:
    checks: dict[str, Any] = {"database": _check_database(state), **await _check_engine(state)}
    ok = all(check["ok"] for check in checks.values())
    return JSONResponse({"status": "ready" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


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
    for alias in (state.settings.contacts_alias, state.settings.communications_alias):
        try:
            present = await state.gateway.alias_exists(alias)
        except Exception as exc:
            aliases[alias] = {"ok": False, "detail": f"{type(exc).__name__}"}
            continue
        aliases[alias] = {"ok": present} if present else {"ok": False, "detail": "missing; run an index rebuild"}
    return {"opensearch": engine, **{f"alias:{name}": check for name, check in aliases.items()}}
