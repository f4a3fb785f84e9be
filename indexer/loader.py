"""Statements that read aggregates for indexing: keyset batches with every child eagerly loaded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from sqlalchemy import func, select
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
    return list(session.scalars(select(Contact).where(Contact.id.in_(ids)).options(*CONTACT_OPTIONS)).all())


def communications_by_id(session: Session, ids: Sequence[int]) -> list[Communication]:
    statement = select(Communication).where(Communication.id.in_(ids)).options(*COMMUNICATION_OPTIONS)
    return list(session.scalars(statement).all())


def reference_ids_by_contact(session: Session, contact_ids: Sequence[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(Communication.contact_id, CommunicationReference.reference_id)
        .join(CommunicationReference, CommunicationReference.communication_id == Communication.id)
        .where(Communication.contact_id.in_(contact_ids))
    ).all()
    found: dict[int, list[str]] = defaultdict(list)
    for contact_id, reference_id in rows:
        found[contact_id].append(reference_id)
    return found


def iter_contact_batches(session: Session, batch_size: int) -> Iterator[list[Contact]]:
    """Keyset pagination (`id > last`), clearing the session between batches so memory stays flat."""
    last = 0
    while True:
        ids = session.scalars(select(Contact.id).where(Contact.id > last).order_by(Contact.id).limit(batch_size)).all()
        if not ids:
            return
        yield contacts_by_id(session, ids)
        last = ids[-1]
        session.expunge_all()


def iter_communication_batches(session: Session, batch_size: int) -> Iterator[list[Communication]]:
    last = 0
    while True:
        ids = session.scalars(
            select(Communication.id).where(Communication.id > last).order_by(Communication.id).limit(batch_size)
        ).all()
        if not ids:
            return
        yield communications_by_id(session, ids)
        last = ids[-1]
        session.expunge_all()


def count_contacts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Contact)) or 0


def count_communications(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Communication)) or 0
