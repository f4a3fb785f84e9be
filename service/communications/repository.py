"""Communication statements, scoped to a business unit through the owning contact."""

from __future__ import annotations

from sqlalchemy import Boolean, Row, and_, cast, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement

from service.models import ARAccount, Communication, Contact
from service.models.enums import CallAction


def contact_visible(session: Session, contact_id: int, *, business_unit: str | None) -> bool:
    statement = select(Contact.id).where(Contact.id == contact_id)
    if business_unit is not None:
        statement = statement.where(Contact.business_unit == business_unit)
    return session.scalar(statement) is not None


def external_id_in_use(session: Session, external_id: str, *, other_than: int | None) -> bool:
    statement = select(Communication.id).where(Communication.external_id == external_id)
    if other_than is not None:
        statement = statement.where(Communication.id != other_than)
    return session.scalar(statement.limit(1)) is not None


def get(session: Session, communication_id: int, *, business_unit: str | None) -> Communication | None:
    """With its references; None when it does not exist or its contact lies outside `business_unit` (if given)."""
    statement = (
        select(Communication)
        .where(Communication.id == communication_id)
        .options(selectinload(Communication.references))
    )
    if business_unit is not None:
        statement = statement.join(Contact, Contact.id == Communication.contact_id).where(
            Contact.business_unit == business_unit
        )
    return session.scalar(statement)


def add(session: Session, communication: Communication) -> None:
    session.add(communication)


def delete(session: Session, communication: Communication) -> None:
    session.delete(communication)


def accounts_of(session: Session, contact_id: int) -> list[ARAccount]:
    """The contact's accounts receivable with their items, for the call actions' effects."""
    statement = (
        select(ARAccount)
        .where(ARAccount.contact_id == contact_id)
        .order_by(ARAccount.id)
        .options(selectinload(ARAccount.items))
    )
    return list(session.scalars(statement))


def _carries_alert(dialect: str) -> ColumnElement[bool]:
    """Any of the communication's actions is `alert` (a row from before the list: its one `action`)."""
    if dialect == "postgresql":
        listed: ColumnElement[bool] = cast(Communication.stored_actions, JSONB).op("@>", return_type=Boolean)(
            cast(literal('[{"action": "alert"}]'), JSONB)
        )
    else:
        elements = func.json_each(Communication.stored_actions).table_valued("value").alias("a")
        name = func.json_extract(elements.c.value, "$.action")
        listed = exists(select(1).select_from(elements).where(name == CallAction.ALERT.value))
    legacy = and_(Communication.stored_actions.is_(None), Communication.action == CallAction.ALERT.value)
    return or_(listed, legacy)


def alerts(session: Session, *, business_unit: str | None, limit: int) -> list[Row[tuple[Communication, Contact]]]:
    """The communications carrying an alert action, with their contact, newest first, in `business_unit` (if
    given)."""
    statement = (
        select(Communication, Contact)
        .join(Contact, Contact.id == Communication.contact_id)
        .where(_carries_alert(session.get_bind().dialect.name))
        .order_by(Communication.interaction_at.desc(), Communication.id.desc())
        .limit(limit)
    )
    if business_unit is not None:
        statement = statement.where(Contact.business_unit == business_unit)
    return list(session.execute(statement))
