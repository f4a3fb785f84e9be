"""The daily AR-items feed in bulk: each line is one item's state today, keyed by its account and its number.

Receivables exports every item that changed (a payment applied, an invoice closed, a dispute opened) or appeared;
a collector's screen and searches must follow within seconds, for hundreds of thousands of items a night. So a
batch is a handful of statements whatever its size: one read of the accounts it names, one of the items it names,
one UPDATE executed for the changed items, one INSERT for the new ones, then the owning contacts' versions bumped
and their outbox rows inserted in the same transaction (Core statements bypass the ORM's change capture, so this
does what the capture would: the sync rebuilds each contact's document from the rows, with its new version).

A line whose values the stored item already holds changes nothing (a re-run of the same feed is a no-op for the
database and the index). An item is never moved between accounts by the feed: a number held by another account of
the unit is a rejected line naming that account, as is an account the unit does not have.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from service.db.base import utcnow
from service.imports.records import ARItemRecord
from service.imports.writers import Outcome, Rejected, Stored, unit_of
from service.models import ARAccount, ARItem, Contact, OutboxEntry
from service.models.outbox import CONTACT

# The columns a line sets, as `ARItemIn` names them (its `type` is the `item_type` column).
VALUES = ("item_type", "issued_on", "due_on", "amount", "open_amount", "currency", "status", "disputed_amount")


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _values(record: ARItemRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in VALUES if name != "item_type"}
    return {"item_type": record.type.value, **values, "status": record.status.value}


class BulkItems:
    def __init__(self, session: Session, *, business_unit: str | None) -> None:
        self._session = session
        self._unit = business_unit

    def write(self, lines: Sequence[tuple[int, ARItemRecord | str]]) -> list[tuple[int, Stored | str]]:
        outcomes: dict[int, Stored | str] = {}
        keyed: list[tuple[int, ARItemRecord, str]] = []
        first_line: dict[tuple[str, str], int] = {}
        for number, record in lines:
            if isinstance(record, str):
                outcomes[number] = record
                continue
            try:
                unit = unit_of(record, self._unit)  # type: ignore[arg-type]
            except Rejected as exc:
                outcomes[number] = str(exc)
                continue
            seen = first_line.setdefault((unit, record.number), number)
            if seen != number:
                outcomes[number] = f"number: item '{record.number}' is already on line {seen} of this file"
                continue
            keyed.append((number, record, unit))
        accounts = self._accounts({(unit, r.account_number) for _, r, unit in keyed})
        stored = self._items({(unit, r.number) for _, r, unit in keyed})
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        touched: set[int] = set()
        for number, record, unit in keyed:
            account = accounts.get((unit, record.account_number))
            if account is None:
                outcomes[number] = f"account_number: no account '{record.account_number}' in business unit {unit}"
                continue
            account_id, contact_id = account
            values = _values(record)
            row = stored.get((unit, record.number))
            if row is None:
                inserts.append({"ar_account_id": account_id, "business_unit": unit, "number": record.number, **values})
                outcomes[number] = Stored(Outcome.CREATED, [])
            elif row["ar_account_id"] != account_id:
                outcomes[number] = (
                    f"number: item '{record.number}' belongs to account '{row['account_number']}', "
                    f"not '{record.account_number}'"
                )
                continue
            elif all(row[name] == value for name, value in values.items()):
                outcomes[number] = Stored(Outcome.UNCHANGED, [])
                continue
            else:
                updates.append({"item_id": row["id"], **values})
                outcomes[number] = Stored(Outcome.UPDATED, [])
            touched.add(contact_id)
        self._store(updates, inserts, touched)
        return [(number, outcomes[number]) for number, _ in lines]

    def _accounts(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
        """(unit, account number) -> (account id, contact id), one query per unit of the batch."""
        found: dict[tuple[str, str], tuple[int, int]] = {}
        for unit in {u for u, _ in keys}:
            numbers = [n for u, n in keys if u == unit]
            statement = select(ARAccount.number, ARAccount.id, ARAccount.contact_id).where(
                ARAccount.business_unit == unit, ARAccount.number.in_(numbers)
            )
            for account_number, account_id, contact_id in self._session.execute(statement):
                found[(unit, account_number)] = (account_id, contact_id)
        return found

    def _items(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """(unit, item number) -> the stored item's columns and its account's number."""
        items = _table(ARItem)
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for unit in {u for u, _ in keys}:
            numbers = [n for u, n in keys if u == unit]
            statement = (
                select(items.c.id, items.c.number, items.c.ar_account_id, *(items.c[n] for n in VALUES))
                .add_columns(ARAccount.number.label("account_number"))
                .join(_table(ARAccount), _table(ARAccount).c.id == items.c.ar_account_id)
                .where(items.c.business_unit == unit, items.c.number.in_(numbers))
            )
            for row in self._session.execute(statement).mappings():
                found[(unit, row["number"])] = dict(row)
        return found

    def _store(self, updates: list[dict[str, Any]], inserts: list[dict[str, Any]], touched: set[int]) -> None:
        connection = self._session.connection()
        items = _table(ARItem)
        if updates:
            statement = update(items).where(items.c.id == bindparam("item_id"))
            connection.execute(statement, updates)
        if inserts:
            connection.execute(insert(items), inserts)
        if not touched:
            return
        now = utcnow()
        contacts = _table(Contact)
        ids = sorted(touched)
        # What the change capture does for an ORM write: the contact's version (the index's external version)
        # and `updated_at` move with its items, and its document is queued in the same transaction.
        connection.execute(
            update(contacts).where(contacts.c.id.in_(ids)).values(version=contacts.c.version + 1, updated_at=now)
        )
        connection.execute(
            insert(_table(OutboxEntry)),
            [
                {"entity": CONTACT, "entity_id": i, "deleted_version": None, "created_at": now, "available_at": now}
                for i in ids
            ],
        )
