"""Import statements: finding the rows a line refers to by their external ids."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.models import Communication, Contact, ImportCheckpoint


class ContactKey(NamedTuple):
    id: int
    business_unit: str


class CommunicationKey(NamedTuple):
    id: int
    contact_id: int


def contact_by_external_id(session: Session, external_id: str, business_unit: str) -> ContactKey | None:
    """External ids are unique within a business unit: the same one in another unit is another contact."""
    row = session.execute(
        select(Contact.id, Contact.business_unit).where(
            Contact.business_unit == business_unit, Contact.external_id == external_id
        )
    ).one_or_none()
    return ContactKey(*row) if row is not None else None


def contacts_by_external_id(session: Session, external_id: str) -> list[ContactKey]:
    """Every unit's contact with this external id (an import bound to no unit names a contact by it alone)."""
    rows = session.execute(
        select(Contact.id, Contact.business_unit).where(Contact.external_id == external_id).order_by(Contact.id)
    )
    return [ContactKey(*row) for row in rows]


def communication_by_external_id(session: Session, external_id: str) -> CommunicationKey | None:
    row = session.execute(
        select(Communication.id, Communication.contact_id).where(Communication.external_id == external_id)
    ).one_or_none()
    return CommunicationKey(*row) if row is not None else None


def contact_external_id(session: Session, contact_id: int) -> str | None:
    return session.scalar(select(Contact.external_id).where(Contact.id == contact_id))


def checkpoint(session: Session, source: str) -> ImportCheckpoint | None:
    return session.get(ImportCheckpoint, source)


def save_checkpoint(session: Session, source: str, fingerprint: str, line: int) -> None:
    """In the batch's own transaction: committed with the rows it vouches for, or not at all."""
    found = session.get(ImportCheckpoint, source)
    if found is None:
        session.add(ImportCheckpoint(source=source, fingerprint=fingerprint, line=line))
    else:
        found.fingerprint, found.line = fingerprint, line
    session.flush()


def forget_checkpoint(session: Session, source: str) -> None:
    session.execute(delete(ImportCheckpoint).where(ImportCheckpoint.source == source))
