"""Writes each lookup's audit entry once its answer has gone out, whatever that answer was.

A pure ASGI middleware outside the exception handlers, so it sees the final status of every answer: a hit list, a
refusal rendered by a handler, a 503 while the engine is down, or a 500 raised through it. The entry is handed to
the audit queue without waiting (nothing left to cancel, so a client hanging up does not lose it); the queue's
thread writes it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.audit.record import STATE_KEY, LookupRecord
from service.errors import ERROR_DETAIL_STATE
from service.models.audit import Outcome

MAX_PATH = 300
MAX_DETAIL = 300


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
    return {
        "at": at,
        "user_id": principal.id,
        "user_name": principal.name,
        "role": principal.role.value,
        "business_unit": principal.business_unit,
        "endpoint": record.endpoint.value,
        "method": scope["method"],
        "path": scope["path"][:MAX_PATH],
        "criteria": record.criteria,
        "contact_ids": record.contact_ids if status < 400 else [],
        "total": record.total if status < 400 else None,
        "status_code": status,
        "outcome": Outcome.of(status).value,
        "detail": detail[:MAX_DETAIL] if detail else None,
        "duration_ms": round((time.perf_counter() - started) * 1000),
    }
