"""Feeds the outbox from every ORM flush, so no write path that uses the models can forget it.

Before a flush, any change inside a contact's aggregate (an address, a phone, an account, a service, a
communication and its references…) marks the owning contact (and communication) as modified, and a change to
what the contact's communication documents copy from it (business unit, name) marks those too, so the
ORM bumps its `version` column in the same transaction: the index's external version then follows the
row's commit order, and the optimistic check of the version protects the whole aggregate. After the
flush, when ids exist, one outbox row per touched document is inserted on the same connection.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import flag_modified

from service.db.base import utcnow
from service.models.communication import Communication, CommunicationReference
from service.models.contact import Contact
from service.models.outbox import COMMUNICATION, CONTACT, OutboxEntry
from service.models.subscription import InstalledItem, Subscription, SubscriptionService


def _touched(session: Session) -> tuple[set[int], set[int]]:
    """Contact ids and communication ids whose documents this flush changes."""
    contacts: set[int] = set()
    communications: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Contact):
            if obj.id is not None:
                contacts.add(obj.id)
        elif isinstance(obj, Communication):
            if obj.id is not None:
                communications.add(obj.id)
            contacts.update(_owner_ids(obj, "contact_id", "contact"))
        elif isinstance(obj, CommunicationReference):
            for communication_id in _owner_ids(obj, "communication_id", "communication"):
                communications.add(communication_id)
                contacts.update(_contacts_of_communication(session, communication_id))
        elif isinstance(obj, SubscriptionService | InstalledItem):
            for subscription_id in _owner_ids(obj, "subscription_id", "subscription"):
                contacts.update(_contacts_of_subscription(session, subscription_id))
        elif hasattr(obj, "contact_id"):
            contacts.update(_owner_ids(obj, "contact_id", "contact"))
    return contacts, communications


def _owner_ids(obj: Any, foreign_key: str, relationship: str) -> set[int]:
    """Current and previous owners of a child, by foreign key or by an assigned (not yet flushed) parent."""
    history = inspect(obj).attrs[foreign_key].history
    values = {v for v in chain(history.added, history.unchanged, history.deleted) if v is not None}
    parent = obj.__dict__.get(relationship)
    if parent is not None and parent.id is not None:
        values.add(parent.id)
    return values


# The contact's columns every communication document carries: its business unit (which agents may see the
# communication) and what its display name is built from.
COPIED_INTO_COMMUNICATIONS = ("business_unit", "kind", "first_name", "middle_name", "last_name", "company_name")


def _communications_copying(session: Session) -> set[int]:
    """The communications of contacts whose copied columns this flush changes: rewritten with the contact, and
    their versions bumped, or the index would keep the old copy as current. Asked before the flush only: bumped
    then, they are dirty, hence touched, after it."""
    changed = [
        contact.id
        for contact in session.dirty
        if isinstance(contact, Contact)
        and contact.id is not None
        and any(inspect(contact).attrs[name].history.has_changes() for name in COPIED_INTO_COMMUNICATIONS)
    ]
    if not changed:
        return set()
    found = session.connection().execute(select(Communication.id).where(Communication.contact_id.in_(changed)))
    return set(found.scalars())


def _contacts_of_communication(session: Session, communication_id: int) -> set[int]:
    found = session.get(Communication, communication_id)
    return {found.contact_id} if found is not None else set()


def _contacts_of_subscription(session: Session, subscription_id: int) -> set[int]:
    found = session.get(Subscription, subscription_id)
    return {found.contact_id} if found is not None else set()


def _columns_changed(session: Session, obj: object) -> bool:
    return session.is_modified(obj, include_collections=False)


@event.listens_for(Session, "before_flush")
def _bump_versions(session: Session, _context: UOWTransaction, _instances: object) -> None:
    with session.no_autoflush:
        contacts, communications = _touched(session)
        communications |= _communications_copying(session)
        for model, ids in ((Contact, contacts), (Communication, communications)):
            for owner_id in ids:
                owner = session.get(model, owner_id)
                if owner is not None and owner not in session.deleted and not _columns_changed(session, owner):
                    owner.updated_at = utcnow()
                    flag_modified(owner, "updated_at")


@event.listens_for(Session, "after_flush")
def _write_outbox(session: Session, _context: UOWTransaction) -> None:
    contacts, communications = _touched(session)
    deleted = {
        (CONTACT if isinstance(obj, Contact) else COMMUNICATION, obj.id): obj.version + 1
        for obj in session.deleted
        if isinstance(obj, Contact | Communication)
    }
    rows = [
        {"entity": entity, "entity_id": i, "deleted_version": deleted.get((entity, i))}
        for entity, ids in ((CONTACT, contacts), (COMMUNICATION, communications))
        for i in sorted(ids)
    ]
    if rows:
        now = utcnow()
        session.connection().execute(
            insert(OutboxEntry), [{**row, "created_at": now, "available_at": now} for row in rows]
        )


def pending_ids(session: Session, entity: str) -> list[int]:
    """Entity ids waiting in the outbox (tests and `index verify` use it)."""
    return list(session.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.entity == entity)).all())
