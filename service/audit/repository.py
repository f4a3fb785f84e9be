"""Audit statements: a multi-row insert, and a filtered keyset page, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, literal, select, type_coerce
from sqlalchemy import insert as insert_into
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

from service.models.audit import AuditEntry


def insert(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """A Core insert into the table: the ORM's bulk path costs several times the CPU, and this runs in a thread
    beside the event loop after every lookup, holding the interpreter lock while it works."""
    session.execute(insert_into(AuditEntry.__table__), list(rows))


def shows_contact(session: Session, contact_id: int) -> ColumnElement[bool]:
    """Entries whose answer showed the contact: JSONB containment on PostgreSQL, json_each on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(AuditEntry.contact_ids, JSONB).contains([contact_id])
    shown = func.json_each(AuditEntry.contact_ids).table_valued("value").alias("shown")
    return select(literal(1)).select_from(shown).where(shown.c.value == contact_id).exists()


def page(
    session: Session,
    *,
    user: str | None,
    since: datetime | None,
    until: datetime | None,
    endpoint: str | None,
    outcome: str | None,
    contact_id: int | None,
    before_id: int | None,
    size: int,
) -> list[AuditEntry]:
    """At most `size + 1` entries, so the caller knows whether another page follows."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(size + 1)
    if user is not None:
        statement = statement.where(AuditEntry.user_name == user)
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.at <= until)
    if endpoint is not None:
        statement = statement.where(AuditEntry.endpoint == endpoint)
    if outcome is not None:
        statement = statement.where(AuditEntry.outcome == outcome)
    if contact_id is not None:
        statement = statement.where(shows_contact(session, contact_id))
    if before_id is not None:
        statement = statement.where(AuditEntry.id < before_id)
    return list(session.scalars(statement))
