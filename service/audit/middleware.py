"""Writes each lookup's and write's audit entry once its answer has gone out, whatever that answer was.

A pure ASGI middleware outside the exception handlers, so it sees the final status of every answer: a hit list, a
refusal rendered by a handler, a 503 while the engine is down, or a 500 raised through it. The entry is handed to
the audit queue without waiting (nothing left to cancel, so a client hanging up does not lose it); the queue's
thread writes it.

The entry is built so that it can always be stored and read back: lone surrogates (JSON's `\udfff`) become U+FFFD
(PostgreSQL refuses them, and no JSON answer can carry them), and the criteria of a refused or failed request,
which passed no validation of the service, are cut to a summary of at most `MAX_CRITERIA_BYTES`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from asgi_correlation_id import correlation_id
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.audit.record import STATE_KEY, LookupRecord
from service.errors import ERROR_DETAIL_STATE
from service.models.audit import Outcome
from service.surrogates import scrub

MAX_PATH = 300
MAX_DETAIL = 300
MAX_CRITERIA_BYTES = 2048
MAX_KEYS = 10
MAX_KEY = 64


class AuditMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        at = datetime.now(UTC)
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            state: dict[str, Any] = scope.get("state") or {}
            record = state.get(STATE_KEY)
            if isinstance(record, LookupRecord):
                entry = _entry(
                    record, scope, at=at, status=status, started=started, detail=state.get(ERROR_DETAIL_STATE)
                )
                scope["app"].state.contact_lookup.audit.submit(entry)


def _entry(
    record: LookupRecord, scope: Scope, *, at: datetime, status: int, started: float, detail: str | None
) -> dict[str, Any]:
    principal = record.principal
    outcome = Outcome.of(status)
    criteria = stored(record.criteria, bound=outcome in (Outcome.REJECTED, Outcome.FAILED))
    return {
        "at": at,
        "user_id": principal.id,
        "user_name": scrub(principal.name),
        "role": principal.role.value,
        "business_unit": principal.business_unit,
        "endpoint": record.endpoint.value,
        "action": record.action.value,
        "method": scope["method"],
        "path": scrub(scope["path"][:MAX_PATH]),
        "criteria": criteria,
        "contact_ids": record.contact_ids if status < 400 else [],
        "communication_ids": record.communication_ids if status < 400 else [],
        "changed": record.changed if status < 400 else [],
        "contact_unit": record.contact_unit,
        "total": record.total if status < 400 else None,
        "status_code": status,
        "outcome": outcome.value,
        "detail": scrub(detail[:MAX_DETAIL]) if detail else None,
        "duration_ms": round((time.perf_counter() - started) * 1000),
        "request_id": correlation_id.get(),
    }


def stored(criteria: dict[str, Any], *, bound: bool, limit: int = MAX_CRITERIA_BYTES) -> dict[str, Any]:
    """The criteria free of lone surrogates; when `bound` and their JSON exceeds `limit` bytes, a summary that fits
    (as the database's JSON columns store it, non-ASCII escaped): their size, the first keys (two levels deep) and
    the head of their JSON, so a request refused for its junk keeps no junk."""
    criteria, encoded = _encoded(criteria)
    if not bound or len(encoded) <= limit:
        return criteria
    summary: dict[str, Any] = {"truncated": True, "bytes": len(encoded), "keys": _keys(criteria)[:MAX_KEYS], "head": ""}
    room = limit - len(json.dumps(summary))
    head = encoded[: max(room, 0)].decode(errors="ignore")
    # Escaping lengthens the head in the stored JSON (quotes, backslashes, non-ASCII): halve it until it fits.
    while head and len(json.dumps({**summary, "head": head})) > limit:
        head = head[: len(head) // 2]
    summary["head"] = head
    return summary


def _encoded(criteria: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The criteria and their JSON, in C (orjson refuses exactly the text a lone surrogate makes invalid: only then
    are the criteria walked and scrubbed)."""
    try:
        return criteria, orjson.dumps(criteria, default=str)
    except TypeError:
        criteria = scrub(criteria)
    try:
        return criteria, orjson.dumps(criteria, default=str)
    except TypeError:  # an integer beyond 64 bits, which orjson does not write
        return criteria, json.dumps(criteria, ensure_ascii=False, default=str).encode()


def _keys(criteria: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for key, value in criteria.items():
        if isinstance(value, Mapping) and value:
            keys += [f"{key}.{inner}"[:MAX_KEY] for inner in list(value)[:MAX_KEYS]]
        else:
            keys.append(str(key)[:MAX_KEY])
        if len(keys) >= MAX_KEYS:
            break
    return keys
