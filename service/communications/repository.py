"""Communication statements, scoped to a business unit through the owning contact."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service.models import Communication, Contact


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
