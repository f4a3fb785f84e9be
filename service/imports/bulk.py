"""New contacts of a batch stored in bulk: one multi-row INSERT per table per batch, the outbox rows beside them.

A first load is nearly all new contacts, and storing them one ORM flush at a time spends most of an import
around the database rather than in it. A batch takes this path only when every line of it that is valid is a
new contact whose external id and unique keys (account, subscription and token numbers) appear nowhere else,
neither in the database nor elsewhere in the batch; the checks of `ContactsService.create` that need no
database (units, names by kind, phones, keys repeated within a line, secret lengths) are the service's own
functions, so the same lines are refused with the same messages. Any other batch (updates, collisions,
communications) goes line by line through the write API's services, where those cases get their exact answers.

Core statements bypass the ORM's change capture, so the outbox rows (one per new contact, as the capture writes
for a created one) are inserted here, in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from service.contacts import repository as contacts
from service.contacts.schemas import ARAccountIn
from service.contacts.secrets import VoucherCipher, hash_secret
from service.contacts.service import (
    SCALARS,
    UNIQUE_KEYS,
    creation_errors,
    invalid_phones,
    phone_region,
)
from service.db.base import utcnow
from service.errors import DomainError
from service.imports.records import ContactRecord
from service.imports.writers import Outcome, Rejected, Stored, unit_of
from service.models import (
    AccessToken,
    Address,
    ARAccount,
    ARItem,
    Contact,
    Email,
    InstalledItem,
    OutboxEntry,
    Phone,
    Subscription,
    SubscriptionService,
    Voucher,
    Wallet,
    WorkItem,
)
from service.models.outbox import CONTACT
from service.phones import to_e164
from service.settings import Settings
from service.writes import invalid, plain

# An account's nested lists, stored in their own tables after it.
NESTED = {"items", "wallets", "vouchers"}
# The contact columns a line sets, as the service sets them (the unit is the one `unit_of` gave the line).
SCALAR_COLUMNS = tuple(name for name in SCALARS if name != "business_unit")


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


class BulkContacts:
    def __init__(self, session: Session, settings: Settings, *, business_unit: str | None, strict_phones: bool) -> None:
        self._session = session
        self._settings = settings
        self._unit = business_unit
        self._keep_invalid_phones = not strict_phones
        self._cipher = VoucherCipher(settings.voucher_secret_keys)

    def write(
        self, lines: Sequence[tuple[int, ContactRecord | str]]
    ) -> list[tuple[int, Stored | str | DomainError]] | None:
        """The outcome of every line, or None when the batch must go line by line (see the module docstring)."""
        checked: list[tuple[int, ContactRecord | str | DomainError, str]] = []
        for number, record in lines:
            if isinstance(record, str):
                checked.append((number, record, ""))
                continue
            try:
                unit = unit_of(record, self._unit)
            except Rejected as exc:
                checked.append((number, str(exc), ""))
                continue
            region = phone_region(record.addresses, self._settings)
            errors = creation_errors(record, region, keep_invalid_phones=self._keep_invalid_phones)
            checked.append(
                (number, invalid(errors) if errors else record.model_copy(update={"business_unit": unit}), region)
            )
        valid = [record for _, record, _ in checked if isinstance(record, ContactRecord)]
        if not valid or not self._all_new(valid) or (_has_voucher_secret(valid) and not self._cipher.ready):
            return None
        self._insert(valid, {id(r): region for _, r, region in checked if isinstance(r, ContactRecord)})
        outcomes: list[tuple[int, Stored | str | DomainError]] = []
        for number, record, region in checked:
            if isinstance(record, ContactRecord):
                warnings = [
                    (loc, f"{why}; stored as typed, without E.164")
                    for loc, why in invalid_phones(record.phones, region)
                ]
                outcomes.append((number, Stored(Outcome.CREATED, warnings)))
            else:
                outcomes.append((number, record))
        return outcomes

    def _all_new(self, records: Sequence[ContactRecord]) -> bool:
        """Keys are unique within a business unit: a batch is new when no key repeats within a unit, in the batch
        or in the database."""
        units = {r.business_unit for r in records}
        for unit in units:
            assert unit is not None, "unit_of gave every valid line its unit"
            of_unit = [r for r in records if r.business_unit == unit]
            external_ids = [r.external_id for r in of_unit]
            if len(set(external_ids)) < len(external_ids) or contacts.values_in_use(
                self._session, Contact.external_id, Contact.id, external_ids, business_unit=unit, other_than=None
            ):
                return False
            for list_name, key, column, owner, _label in UNIQUE_KEYS:
                values = Counter(getattr(item, key) for r in of_unit for item in getattr(r, list_name))
                if any(count > 1 for count in values.values()):
                    return False
                if contacts.values_in_use(
                    self._session, column, owner, list(values), business_unit=unit, other_than=None
                ):
                    return False
            numbers = Counter(i.number for r in of_unit for a in r.ar_accounts for i in a.items or ())
            if any(count > 1 for count in numbers.values()) or contacts.item_numbers_in_use(
                self._session, list(numbers), business_unit=unit, other_than=None
            ):
                return False
        return True

    def _insert(self, records: Sequence[ContactRecord], regions: dict[int, str]) -> None:
        connection = self._session.connection()
        now = utcnow()
        rows = [
            {
                **{name: plain(getattr(r, name)) for name in SCALAR_COLUMNS},
                "business_unit": r.business_unit,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for r in records
        ]
        table = _table(Contact)
        # Matched by external id (unique within the batch, checked) rather than by the order of RETURNING, which
        # SQLite gives only one row per statement (https://docs.sqlalchemy.org/en/20/core/connections.html
        # #insertmanyvalues-returning-order).
        returned = dict(connection.execute(insert(table).returning(table.c.external_id, table.c.id), rows).all())
        ids = [returned[r.external_id] for r in records]
        addresses, phones, emails, tokens, accounts, items = [], [], [], [], [], []
        subscriptions: list[tuple[dict[str, Any], Any]] = []
        for contact_id, r in zip(ids, records, strict=True):
            region = regions[id(r)]
            addresses += [
                {
                    "contact_id": contact_id,
                    "address_type": a.type.value,
                    "street": a.street,
                    "line2": a.line2,
                    "city": a.city,
                    "postcode": a.postcode,
                    "region": a.region,
                    "country": a.country,
                    "is_primary": a.is_primary,
                }
                for a in r.addresses
            ]
            phones += [
                {
                    "contact_id": contact_id,
                    "phone_type": p.type.value,
                    "number": p.number,
                    "e164": to_e164(p.number, region),
                    "is_primary": p.is_primary,
                }
                for p in r.phones
            ]
            emails += [
                {"contact_id": contact_id, "email_type": e.type.value, "address": e.address, "is_primary": e.is_primary}
                for e in r.emails
            ]
            tokens += [
                {
                    "contact_id": contact_id,
                    "token_type": t.type.value,
                    "identifier": t.identifier,
                    "status": t.status.value,
                    "valid_until": t.valid_until,
                    "secret_hash": hash_secret(t.secret.get_secret_value()) if t.secret is not None else None,
                    "business_unit": r.business_unit,
                }
                for t in r.access_tokens
            ]
            accounts += [
                (
                    {
                        "contact_id": contact_id,
                        "business_unit": r.business_unit,
                        **{k: plain(v) for k, v in a.model_dump(exclude=NESTED).items()},
                    },
                    a,
                )
                for a in r.ar_accounts
            ]
            items += [
                {
                    "contact_id": contact_id,
                    "kind": w.kind.value,
                    "number": w.number,
                    "subject": w.subject,
                    "life_cycle_state": w.life_cycle_state,
                    "due_on": w.due_on,
                }
                for w in r.work_items
            ]
            subscriptions += [
                (
                    {
                        "contact_id": contact_id,
                        "business_unit": r.business_unit,
                        **{k: plain(v) for k, v in s.model_dump(exclude={"services", "installed_items"}).items()},
                    },
                    s,
                )
                for s in r.subscriptions
            ]
        for model, table_rows in (
            (Address, addresses),
            (Phone, phones),
            (Email, emails),
            (AccessToken, tokens),
            (WorkItem, items),
        ):
            if table_rows:
                connection.execute(insert(_table(model)), table_rows)
        if accounts:
            _insert_accounts(connection, accounts, self._cipher)
        if subscriptions:
            table = _table(Subscription)
            numbered = dict(
                connection.execute(
                    insert(table).returning(table.c.number, table.c.id), [row for row, _ in subscriptions]
                ).all()
            )
            subscription_ids = [numbered[row["number"]] for row, _ in subscriptions]
            services = [
                {"subscription_id": sid, "code": x.code, "name": x.name, "mandatory": x.mandatory}
                for sid, (_, s) in zip(subscription_ids, subscriptions, strict=True)
                for x in s.services
            ]
            installed = [
                {"subscription_id": sid, "product": x.product, "serial_number": x.serial_number}
                for sid, (_, s) in zip(subscription_ids, subscriptions, strict=True)
                for x in s.installed_items
            ]
            if services:
                connection.execute(insert(_table(SubscriptionService)), services)
            if installed:
                connection.execute(insert(_table(InstalledItem)), installed)
        connection.execute(
            insert(_table(OutboxEntry)),
            [
                {"entity": CONTACT, "entity_id": i, "deleted_version": None, "created_at": now, "available_at": now}
                for i in sorted(ids)
            ],
        )


def _has_voucher_secret(records: Sequence[ContactRecord]) -> bool:
    return any(v.secret is not None for r in records for a in r.ar_accounts for v in a.vouchers or ())


def _insert_accounts(
    connection: Any, accounts: Sequence[tuple[dict[str, Any], ARAccountIn]], cipher: VoucherCipher
) -> None:
    """The accounts, then their items (each with its account's id and unit), wallets and vouchers (each code
    encrypted as the write API does), matched by (unit, number): unique."""
    table = _table(ARAccount)
    returned = connection.execute(
        insert(table).returning(table.c.business_unit, table.c.number, table.c.id), [row for row, _ in accounts]
    ).all()
    ids = {(unit, number): account_id for unit, number, account_id in returned}
    rows = [
        {
            "ar_account_id": ids[(row["business_unit"], row["number"])],
            "business_unit": row["business_unit"],
            "item_type": i.type.value,
            **{k: plain(v) for k, v in i.model_dump(exclude={"type"}).items()},
        }
        for row, a in accounts
        for i in a.items or ()
    ]
    if rows:
        connection.execute(insert(_table(ARItem)), rows)
    wallets = [
        {
            "ar_account_id": ids[(row["business_unit"], row["number"])],
            **{k: plain(v) for k, v in w.model_dump().items()},
        }
        for row, a in accounts
        for w in a.wallets or ()
    ]
    if wallets:
        connection.execute(insert(_table(Wallet)), wallets)
    vouchers = [
        {
            "ar_account_id": ids[(row["business_unit"], row["number"])],
            **{k: plain(x) for k, x in v.model_dump(exclude={"secret"}).items()},
            "secret_encrypted": None if v.secret is None else cipher.encrypt(v.secret.get_secret_value()),
        }
        for row, a in accounts
        for v in a.vouchers or ()
    ]
    if vouchers:
        connection.execute(insert(_table(Voucher)), vouchers)
