"""Feeds the outbox from every ORM flush, so no write path that uses the models can forget it.

Before a flush, any change inside a contact's aggregate (an address, a phone, an account, a service, a
communication and its references, a promise to pay…) marks the owning contact (and communication) as
modified, and a change to what the contact's communication documents copy from it (business unit, name)
marks those too, so the ORM bumps its `version` column in the same transaction: the index's external version
then follows the row's commit order, and the optimistic check of the version protects the whole aggregate.
After the flush, when ids exist, one outbox row per touched document is inserted on the same connection, and each
deleted document leaves a tombstone of its last version (`service.models.tombstone`) above which a row that
takes its id again starts. Every step is linear in the flush's objects (bench/flush.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.util import IdentitySet

from service.db.base import utcnow
from service.models.ar_account import ARAccount, ARItem, Voucher, Wallet
from service.models.communication import Communication, CommunicationReference
from service.models.contact import Contact
from service.models.outbox import COMMUNICATION, CONTACT, OutboxEntry
from service.models.promise import Promise
from service.models.subscription import InstalledItem, Subscription, SubscriptionService
from service.models.tombstone import IndexTombstone

IN_CHUNK = 10_000


def _touched(session: Session, new: IdentitySet, dirty: IdentitySet, deleted: IdentitySet) -> tuple[set[int], set[int]]:
    """Contact ids and communication ids whose documents this flush changes.

    Linear in the flush's objects: the session's sets are computed once by the caller (`session.dirty` builds
    a new set on each access, so asking it per object made a flush quadratic), and the owners of children
    whose parent is not in this flush are looked up together (`_contacts_owning`), not one `get` each.
    """
    contacts: set[int] = set()
    communications: set[int] = set()
    of_communications: set[int] = set()
    of_subscriptions: set[int] = set()
    of_accounts: set[int] = set()
    for obj in chain(new, (obj for obj in dirty if session.is_modified(obj)), deleted):
        if isinstance(obj, Contact):
            if obj.id is not None:
                contacts.add(obj.id)
        elif isinstance(obj, Communication):
            if obj.id is not None:
                communications.add(obj.id)
            contacts.update(_owner_ids(obj, "contact_id", "contact"))
        elif isinstance(obj, CommunicationReference):
            of_communications.update(_owner_ids(obj, "communication_id", "communication"))
        elif isinstance(obj, SubscriptionService | InstalledItem):
            of_subscriptions.update(_owner_ids(obj, "subscription_id", "subscription"))
        elif isinstance(obj, ARItem | Wallet | Voucher | Promise):
            of_accounts.update(_owner_ids(obj, "ar_account_id", "account"))
        elif hasattr(obj, "contact_id"):
            contacts.update(_owner_ids(obj, "contact_id", "contact"))
    communications |= of_communications
    contacts |= _contacts_owning(session, Communication, of_communications)
    contacts |= _contacts_owning(session, Subscription, of_subscriptions)
    contacts |= _contacts_owning(session, ARAccount, of_accounts)
    return contacts, communications


def _owner_ids(obj: Any, foreign_key: str, relationship: str) -> set[int]:
    """Current and previous owners of a child, by foreign key or by an assigned (not yet flushed) parent."""
    history = inspect(obj).attrs[foreign_key].history
    values = {v for v in chain(history.added, history.unchanged, history.deleted) if v is not None}
    parent = obj.__dict__.get(relationship)
    if parent is not None and parent.id is not None:
        values.add(parent.id)
    return values


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """Bounded `IN` lists (SQLite binds at most 32,766 parameters in one statement)."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


def _contacts_owning(
    session: Session, model: type[Communication | Subscription | ARAccount], ids: set[int]
) -> set[int]:
    """The contact of each parent: from the session where it is loaded, the rest in one query."""
    owners: set[int] = set()
    missing: list[int] = []
    for parent_id in ids:
        loaded = session.identity_map.get(session.identity_key(model, parent_id))
        contact_id = loaded.__dict__.get("contact_id") if loaded is not None else None
        if contact_id is not None:
            owners.add(contact_id)
        else:
            missing.append(parent_id)
    for chunk in _chunks(missing):
        owners.update(session.connection().execute(select(model.contact_id).where(model.id.in_(chunk))).scalars())
    return owners


def _loaded(session: Session, model: type[Contact | Communication], ids: set[int]) -> list[Any]:
    """The instances of these ids: from the session where loaded, the rest in one query."""
    found: list[Any] = []
    missing: list[int] = []
    for owner_id in ids:
        loaded = session.identity_map.get(session.identity_key(model, owner_id))
        if loaded is not None:
            found.append(loaded)
        else:
            missing.append(owner_id)
    for chunk in _chunks(missing):
        found.extend(session.scalars(select(model).where(model.id.in_(chunk))))
    return found


# The contact's columns every communication document carries: its business unit (which agents may see the
# communication) and what its display name is built from; its accounts' collectors too (`_collectors_changing`).
COPIED_INTO_COMMUNICATIONS = ("business_unit", "kind", "first_name", "middle_name", "last_name", "company_name")


def _collectors_changing(new: IdentitySet, dirty: IdentitySet, deleted: IdentitySet) -> set[int]:
    """Contacts whose accounts' collectors this flush changes (an account's collector, or an account with one added
    or removed); not those deleted, whose communications go with them."""
    owners: set[int] = set()
    for account in chain(new, deleted):
        if isinstance(account, ARAccount) and account.collector:
            owners |= _owner_ids(account, "contact_id", "contact")
    for account in dirty:
        if isinstance(account, ARAccount) and (
            inspect(account).attrs["collector"].history.has_changes()
            or inspect(account).attrs["contact_id"].history.has_changes()
        ):
            owners |= _owner_ids(account, "contact_id", "contact")
    return owners - {obj.id for obj in deleted if isinstance(obj, Contact)}


def _communications_copying(session: Session, new: IdentitySet, dirty: IdentitySet, deleted: IdentitySet) -> set[int]:
    """The communications of contacts whose copied columns (or accounts' collectors) this flush changes: rewritten
    with the contact, and their versions bumped, or the index would keep the old copy as current. Asked before the
    flush only: bumped then, they are dirty, hence touched, after it."""
    changed = [
        contact.id
        for contact in dirty
        if isinstance(contact, Contact)
        and contact.id is not None
        and any(inspect(contact).attrs[name].history.has_changes() for name in COPIED_INTO_COMMUNICATIONS)
    ]
    changed = sorted(set(changed) | _collectors_changing(new, dirty, deleted))
    found: set[int] = set()
    for chunk in _chunks(changed):
        query = select(Communication.id).where(Communication.contact_id.in_(chunk))
        found.update(session.connection().execute(query).scalars())
    return found


def _columns_changed(session: Session, obj: object) -> bool:
    return session.is_modified(obj, include_collections=False)


@event.listens_for(Session, "before_flush")
def _bump_versions(session: Session, _context: UOWTransaction, _instances: object) -> None:
    with session.no_autoflush:
        new, dirty, deleted = session.new, session.dirty, session.deleted
        contacts, communications = _touched(session, new, dirty, deleted)
        communications |= _communications_copying(session, new, dirty, deleted)
        for model, ids in ((Contact, contacts), (Communication, communications)):
            for owner in _loaded(session, model, ids):
                if owner not in deleted and not _columns_changed(session, owner):
                    owner.updated_at = utcnow()
                    flag_modified(owner, "updated_at")
        _bury_cascaded_communications(session, deleted)
        _note_explicit_ids(session, new)


def _bury_cascaded_communications(session: Session, deleted: IdentitySet) -> None:
    """A deleted contact's communications go by the database's cascade, unseen by the ORM: their tombstones
    are written here, while their versions can still be read."""
    contact_ids = [obj.id for obj in deleted if isinstance(obj, Contact) and obj.id is not None]
    if not contact_ids:
        return
    seen = {obj.id for obj in deleted if isinstance(obj, Communication)}
    versions: dict[tuple[str, int], int] = {}
    for chunk in _chunks(contact_ids):
        query = select(Communication.id, Communication.version).where(Communication.contact_id.in_(chunk))
        for communication_id, version in session.connection().execute(query):
            if communication_id not in seen:
                versions[(COMMUNICATION, communication_id)] = version + 1
    _write_tombstones(session, versions)


def _write_tombstones(session: Session, versions: dict[tuple[str, int], int]) -> None:
    """The version each deleted document's delete is written with: a row that takes its id again starts above."""
    if not versions:
        return
    connection = session.connection()
    for entity in (CONTACT, COMMUNICATION):
        ids = [entity_id for kind, entity_id in versions if kind == entity]
        for chunk in _chunks(ids):
            connection.execute(
                delete(IndexTombstone).where(IndexTombstone.entity == entity, IndexTombstone.entity_id.in_(chunk))
            )
    connection.execute(
        insert(IndexTombstone),
        [{"entity": entity, "entity_id": i, "version": v} for (entity, i), v in versions.items()],
    )


EXPLICIT_IDS = "change_capture.explicit_ids"


def _note_explicit_ids(session: Session, new: IdentitySet) -> None:
    """New contacts and communications whose id the caller chose: the only ids that can come back (those the
    database assigns never do: AUTOINCREMENT on SQLite, sequences on PostgreSQL)."""
    session.info[EXPLICIT_IDS] = [obj for obj in new if isinstance(obj, Contact | Communication) and obj.id is not None]


def _start_above_tombstones(session: Session) -> None:
    """A new row that takes a deleted document's id starts its version above the last one written for that id,
    so the index takes it for newer, whichever order the sync sees the delete and the re-creation in."""
    chosen = session.info.pop(EXPLICIT_IDS, [])
    connection = session.connection()
    for entity, model in ((CONTACT, Contact), (COMMUNICATION, Communication)):
        created = {obj.id: obj for obj in chosen if isinstance(obj, model)}
        for chunk in _chunks(created):
            query = select(IndexTombstone.entity_id, IndexTombstone.version).where(
                IndexTombstone.entity == entity, IndexTombstone.entity_id.in_(chunk)
            )
            for entity_id, buried in connection.execute(query).all():
                obj = created[entity_id]
                if buried >= obj.version:
                    version = buried + 1
                    connection.execute(update(model).where(model.id == entity_id).values(version=version))
                    set_committed_value(obj, "version", version)


@event.listens_for(Session, "after_flush")
def _write_outbox(session: Session, _context: UOWTransaction) -> None:
    new, dirty, deleted = session.new, session.dirty, session.deleted
    contacts, communications = _touched(session, new, dirty, deleted)
    deleted_versions = {
        (CONTACT if isinstance(obj, Contact) else COMMUNICATION, obj.id): obj.version + 1
        for obj in deleted
        if isinstance(obj, Contact | Communication)
    }
    _write_tombstones(session, deleted_versions)
    _start_above_tombstones(session)
    rows = [
        {"entity": entity, "entity_id": i, "deleted_version": deleted_versions.get((entity, i))}
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
