"""Audit statements: a multi-row insert, and a filtered keyset page, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, literal, or_, select, type_coerce
from sqlalchemy import insert as insert_into
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

from service.models import Contact
from service.models.audit import AuditEntry


def insert(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """A Core insert into the table: the ORM's bulk path costs several times the CPU, and this runs in a thread
    beside the event loop after every lookup, holding the interpreter lock while it works."""
    session.execute(insert_into(AuditEntry.__table__), list(rows))


def holds(session: Session, column: Any, value: int) -> ColumnElement[bool]:
    """Entries whose id list holds the id: JSONB containment on PostgreSQL, json_each on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(column, JSONB).contains([value])
    shown = func.json_each(column).table_valued("value").alias("shown")
    return select(literal(1)).select_from(shown).where(shown.c.value == value).exists()


def of_unit(unit: str) -> ColumnElement[bool]:
    """What an admin bound to `unit` reads: entries of callers bound to it, and entries about its contacts."""
    return or_(AuditEntry.business_unit == unit, AuditEntry.contact_unit == unit)


def page(
    session: Session,
    *,
    user: str | None,
    since: datetime | None,
    until: datetime | None,
    endpoint: str | None,
    action: str | None = None,
    outcome: str | None,
    contact_id: int | None,
    communication_id: int | None = None,
    unit: str | None = None,
    before_id: int | None,
    size: int,
) -> list[AuditEntry]:
    """At most `size + 1` entries, so the caller knows whether another page follows; `unit` keeps those a unit-bound
    admin may read (`of_unit`)."""
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
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    if contact_id is not None:
        statement = statement.where(holds(session, AuditEntry.contact_ids, contact_id))
    if communication_id is not None:
        statement = statement.where(holds(session, AuditEntry.communication_ids, communication_id))
    if unit is not None:
        statement = statement.where(of_unit(unit))
    if before_id is not None:
        statement = statement.where(AuditEntry.id < before_id)
    return list(session.scalars(statement))


def contact_unit(session: Session, contact_id: int) -> str | None:
    """The business unit of a contact, for an entry about it (a communication names only its contact's id)."""
    return session.scalar(select(Contact.business_unit).where(Contact.id == contact_id))
