"""Bulk-loads generated demo contacts: one transaction per batch, multi-row inserts, memory flat at any size.

These are Core inserts, so they bypass the ORM flush events that feed the outbox: demo data is indexed
by the rebuild that follows it (`contact-lookup run` does both; after `demo-data` alone, run
`contact-lookup index rebuild`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.engine import Connection

from service.demo.generator import ContactBundle, generate
from service.models import (
    AccessToken,
    Address,
    ARAccount,
    Communication,
    CommunicationReference,
    Contact,
    Email,
    InstalledItem,
    Phone,
    Subscription,
    SubscriptionService,
    WorkItem,
)
from service.progress import progress_bar

DEFAULT_BUSINESS_UNITS = ("BU01", "BU02")


@dataclass(slots=True)
class LoadReport:
    contacts: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def contacts_per_second(self) -> float:
        return self.contacts / self.seconds if self.seconds else 0.0


def load_demo_data(
    engine: Engine,
    *,
    contacts: int,
    seed: int,
    users: Sequence[str],
    business_units: Sequence[str] = DEFAULT_BUSINESS_UNITS,
    batch_size: int = 1000,
    progress: bool = False,
) -> LoadReport:
    """Adds `contacts` more contacts after the ones already there (a second call appends)."""
    started = time.perf_counter()
    report = LoadReport()
    with engine.connect() as connection:
        first = (connection.scalar(select(func.max(Contact.id))) or 0) + 1
    with progress_bar("demo contacts", contacts, enabled=progress) as advance:
        for offset in range(0, contacts, batch_size):
            size = min(batch_size, contacts - offset)
            bundles = list(generate(size, seed=seed, users=users, business_units=business_units, start=first + offset))
            with engine.begin() as connection:
                _insert_batch(connection, bundles, report.rows)
            report.contacts += size
            advance(size)
    report.seconds = time.perf_counter() - started
    return report


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _insert(connection: Connection, model: Any, rows: list[dict[str, Any]], counts: dict[str, int]) -> None:
    if rows:
        connection.execute(insert(_table(model)), rows)
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)


def _insert_returning_ids(
    connection: Connection, model: Any, rows: list[dict[str, Any]], counts: dict[str, int]
) -> list[int]:
    if not rows:
        return []
    table = _table(model)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = [row[0] for row in connection.execute(statement, rows)]
    counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)
    return ids


def _insert_batch(connection: Connection, bundles: list[ContactBundle], counts: dict[str, int]) -> None:
    contact_ids = _insert_returning_ids(connection, Contact, [b.contact for b in bundles], counts)
    owned = list(zip(contact_ids, bundles, strict=True))
    for model, attribute in (
        (Address, "addresses"),
        (Phone, "phones"),
        (Email, "emails"),
        (AccessToken, "access_tokens"),
        (WorkItem, "work_items"),
    ):
        _insert(
            connection, model, [{**r, "contact_id": cid} for cid, b in owned for r in getattr(b, attribute)], counts
        )

    account_rows = [{**r, "contact_id": cid} for cid, b in owned for r in b.ar_accounts]
    account_ids = iter(_insert_returning_ids(connection, ARAccount, account_rows, counts))
    accounts_by_contact = {cid: [next(account_ids) for _ in b.ar_accounts] for cid, b in owned}

    subscriptions = [(cid, s) for cid, b in owned for s in b.subscriptions]
    subscription_rows = [
        {
            **s.row,
            "contact_id": cid,
            "ar_account_id": accounts_by_contact[cid][s.account] if s.account is not None else None,
        }
        for cid, s in subscriptions
    ]
    subscription_ids = _insert_returning_ids(connection, Subscription, subscription_rows, counts)
    pairs = list(zip(subscription_ids, (s for _, s in subscriptions), strict=True))
    _insert(
        connection, SubscriptionService, [{**r, "subscription_id": sid} for sid, s in pairs for r in s.services], counts
    )
    _insert(
        connection,
        InstalledItem,
        [{**r, "subscription_id": sid} for sid, s in pairs for r in s.installed_items],
        counts,
    )

    communications = [(cid, c) for cid, b in owned for c in b.communications]
    communication_ids = _insert_returning_ids(
        connection, Communication, [{**c.row, "contact_id": cid} for cid, c in communications], counts
    )
    references = [
        {**r, "communication_id": mid}
        for mid, (_, c) in zip(communication_ids, communications, strict=True)
        for r in c.references
    ]
    _insert(connection, CommunicationReference, references, counts)
