"""Statements that read aggregates for indexing: keyset batches of records, every child read in one query per kind.

Batches are ``WHERE id > :last ORDER BY id LIMIT :batch`` (never OFFSET, which rescans what it skips). Rows
are read with Core into the records of `indexer.records` (no ORM instances, so nothing accumulates in a
session), so reading a million contacts holds one batch in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from indexer.records import (
    AccessTokenRecord,
    AddressRecord,
    ARAccountRecord,
    ARItemRecord,
    CommunicationRecord,
    ContactRecord,
    ContactScope,
    EmailRecord,
    InstalledItemRecord,
    PhoneRecord,
    PromiseRecord,
    ReferenceRecord,
    ServiceRecord,
    SubscriptionRecord,
)
from service.models.ar_account import ARAccount, ARItem
from service.models.communication import Communication, CommunicationReference
from service.models.contact import AccessToken, Address, Contact, Email, Phone
from service.models.outbox import OutboxEntry
from service.models.promise import Promise
from service.models.subscription import InstalledItem, Subscription, SubscriptionService

R = TypeVar("R")

# Record fields that hold other records; every other field is a column of the record's model, in field order.
_CHILDREN = frozenset(
    {"phones", "emails", "addresses", "access_tokens", "ar_accounts", "subscriptions"}
    | {"services", "installed_items", "items", "promises", "references", "contact", "collectors"}
)


def _table(model: type[Any]) -> Any:
    """The model's table columns: statements built from them run as plain Core, without the ORM's row loading."""
    return model.__table__.c


def _columns(record: type[Any], model: type[Any]) -> list[Any]:
    return [_table(model)[f.name] for f in fields(record) if f.name not in _CHILDREN]


def _children(
    session: Session, record: type[R], model: type[Any], parent: str, parent_ids: Sequence[int]
) -> dict[int, list[R]]:
    """Records of one child kind grouped by parent id, each group in id order (as the ORM relationships are)."""
    grouped: dict[int, list[R]] = defaultdict(list)
    if parent_ids:
        columns = _table(model)
        statement = (
            select(columns[parent], *_columns(record, model))
            .where(columns[parent].in_(parent_ids))
            .order_by(columns.id)
        )
        for parent_id, *values in session.execute(statement):
            grouped[parent_id].append(record(*values))
    return grouped


def _contacts(session: Session, where: ColumnElement[bool], limit: int | None = None) -> list[ContactRecord]:
    rows = session.execute(
        select(*_columns(ContactRecord, Contact)).where(where).order_by(_table(Contact).id).limit(limit)
    ).all()
    ids = [row.id for row in rows]

    def of(record: type[R], model: type[Any]) -> dict[int, list[R]]:
        return _children(session, record, model, "contact_id", ids)

    phones, emails, addresses = of(PhoneRecord, Phone), of(EmailRecord, Email), of(AddressRecord, Address)
    tokens = of(AccessTokenRecord, AccessToken)
    account = _table(ARAccount)
    account_rows = session.execute(
        select(account.contact_id, *_columns(ARAccountRecord, ARAccount))
        .where(account.contact_id.in_(ids))
        .order_by(account.id)
    ).all()
    account_ids = [row.id for row in account_rows]
    ar_items = _children(session, ARItemRecord, ARItem, "ar_account_id", account_ids)
    promises = _children(session, PromiseRecord, Promise, "ar_account_id", account_ids)
    accounts: dict[int, list[ARAccountRecord]] = defaultdict(list)
    for contact_id, account_id, *values in account_rows:
        accounts[contact_id].append(
            ARAccountRecord(account_id, *values, items=ar_items[account_id], promises=promises[account_id])
        )
    subscription = _table(Subscription)
    subscription_rows = session.execute(
        select(subscription.contact_id, *_columns(SubscriptionRecord, Subscription))
        .where(subscription.contact_id.in_(ids))
        .order_by(subscription.id)
    ).all()
    sub_ids = [row.id for row in subscription_rows]
    services = _children(session, ServiceRecord, SubscriptionService, "subscription_id", sub_ids)
    items = _children(session, InstalledItemRecord, InstalledItem, "subscription_id", sub_ids)
    subscriptions: dict[int, list[SubscriptionRecord]] = defaultdict(list)
    for contact_id, subscription_id, *values in subscription_rows:
        subscriptions[contact_id].append(
            SubscriptionRecord(
                subscription_id, *values, services=services[subscription_id], installed_items=items[subscription_id]
            )
        )
    return [
        ContactRecord(
            *row,
            phones=phones[row.id],
            emails=emails[row.id],
            addresses=addresses[row.id],
            access_tokens=tokens[row.id],
            ar_accounts=accounts[row.id],
            subscriptions=subscriptions[row.id],
        )
        for row in rows
    ]


def _communications(
    session: Session, where: ColumnElement[bool], limit: int | None = None
) -> list[CommunicationRecord]:
    rows = session.execute(
        select(*_columns(CommunicationRecord, Communication), *_columns(ContactScope, Contact))
        .join(Contact.__table__, _table(Contact).id == _table(Communication).contact_id)
        .where(where)
        .order_by(_table(Communication).id)
        .limit(limit)
    ).all()
    references = _children(session, ReferenceRecord, CommunicationReference, "communication_id", [r.id for r in rows])
    collectors = _collectors(session, sorted({row.contact_id for row in rows}))
    width = len(_columns(CommunicationRecord, Communication))
    return [
        CommunicationRecord(
            *row[:width],
            contact=ContactScope(*row[width:], collectors=collectors.get(row.contact_id, [])),
            references=references[row.id],
        )
        for row in rows
    ]


def _collectors(session: Session, contact_ids: Sequence[int]) -> dict[int, list[str]]:
    """The collectors of each contact's accounts (`collectors_of`), in one query."""
    if not contact_ids:
        return {}
    account = _table(ARAccount)
    rows = session.execute(
        select(account.contact_id, account.collector).where(
            account.contact_id.in_(contact_ids), account.collector.is_not(None)
        )
    ).all()
    grouped: dict[int, list[Any]] = defaultdict(list)
    for contact_id, collector in rows:
        grouped[contact_id].append(collector)
    return {contact_id: sorted({c for c in found if c}) for contact_id, found in grouped.items()}


def contacts_by_id(session: Session, ids: Sequence[int]) -> list[ContactRecord]:
    return _contacts(session, _table(Contact).id.in_(ids))


def communications_by_id(session: Session, ids: Sequence[int]) -> list[CommunicationRecord]:
    return _communications(session, _table(Communication).id.in_(ids))


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


def iter_contact_batches(session: Session, batch_size: int) -> Iterator[list[ContactRecord]]:
    """Contacts in id order with every child they show in the index."""
    last = 0
    while batch := _contacts(session, _table(Contact).id > last, batch_size):
        last = batch[-1].id
        yield batch


def iter_communication_batches(session: Session, batch_size: int) -> Iterator[list[CommunicationRecord]]:
    """Communications in id order with their references and their contact's display name and business unit."""
    last = 0
    while batch := _communications(session, _table(Communication).id > last, batch_size):
        last = batch[-1].id
        yield batch


def count_contacts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Contact)) or 0


def count_communications(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Communication)) or 0


def count_pending(session: Session, entities: tuple[str, ...]) -> int:
    """Outbox entries of these kinds that a sync pass has yet to deliver (parked ones never will on their own)."""
    statement = select(func.count()).where(OutboxEntry.entity.in_(entities), OutboxEntry.parked.is_(False))
    return session.scalar(statement) or 0
