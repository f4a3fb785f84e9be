"""Statements that read aggregates for indexing: keyset batches with every child eagerly loaded.

Batches are ``WHERE id > :last ORDER BY id LIMIT :batch`` (never OFFSET, which rescans what it skips),
and the session is emptied after each batch, so reading a million contacts holds one batch in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from service.models.communication import Communication, CommunicationReference
from service.models.contact import Contact
from service.models.subscription import Subscription

CONTACT_OPTIONS = (
    selectinload(Contact.addresses),
    selectinload(Contact.phones),
    selectinload(Contact.emails),
    selectinload(Contact.access_tokens),
    selectinload(Contact.ar_accounts),
    selectinload(Contact.subscriptions).selectinload(Subscription.services),
    selectinload(Contact.subscriptions).selectinload(Subscription.installed_items),
)
COMMUNICATION_OPTIONS = (selectinload(Communication.references), selectinload(Communication.contact))


def contacts_by_id(session: Session, ids: Sequence[int]) -> list[Contact]:
    statement = select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id).options(*CONTACT_OPTIONS)
    return list(session.scalars(statement).all())


def communications_by_id(session: Session, ids: Sequence[int]) -> list[Communication]:
    statement = (
        select(Communication)
        .where(Communication.id.in_(ids))
        .order_by(Communication.id)
        .options(*COMMUNICATION_OPTIONS)
    )
    return list(session.scalars(statement).all())


def reference_ids_by_contact(session: Session, contact_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every communication reference id of each contact (so a contact is found by an invoice number)."""
    rows = session.execute(
        select(Communication.contact_id, CommunicationReference.reference_id)
        .join(CommunicationReference, CommunicationReference.communication_id == Communication.id)
        .where(Communication.contact_id.in_(contact_ids))
        .order_by(Communication.contact_id, CommunicationReference.reference_id)
    ).all()
    found: dict[int, list[str]] = defaultdict(list)
    for contact_id, reference_id in rows:
        found[contact_id].append(reference_id)
    return dict(found)


def _batches(session: Session, model: Any, options: tuple[Any, ...], batch_size: int) -> Iterator[list[Any]]:
    last = 0
    while True:
        statement: Select[Any] = (
            select(model).where(model.id > last).order_by(model.id).limit(batch_size).options(*options)
        )
        batch = list(session.scalars(statement).all())
        if not batch:
            return
        last = batch[-1].id
        yield batch
        session.expunge_all()


def iter_contact_batches(session: Session, batch_size: int) -> Iterator[list[Contact]]:
    """Contacts in id order with every child loaded; the previous batch is released before the next is read."""
    return _batches(session, Contact, CONTACT_OPTIONS, batch_size)


def iter_communication_batches(session: Session, batch_size: int) -> Iterator[list[Communication]]:
    """Communications in id order with their references and their contact's display fields loaded."""
    return _batches(session, Communication, COMMUNICATION_OPTIONS, batch_size)


def count_contacts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Contact)) or 0


def count_communications(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Communication)) or 0
