"""Contact statements: the whole aggregate in a few selects, scoped to a business unit, and natural-key lookups."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from service.models import ARAccount, ARItem, Communication, Contact, Subscription, Voucher


def _aggregate() -> list[LoaderOption]:
    return [
        selectinload(Contact.addresses),
        selectinload(Contact.phones),
        selectinload(Contact.emails),
        selectinload(Contact.access_tokens),
        selectinload(Contact.ar_accounts).selectinload(ARAccount.items),
        selectinload(Contact.ar_accounts).selectinload(ARAccount.wallets),
        selectinload(Contact.ar_accounts).selectinload(ARAccount.vouchers),
        selectinload(Contact.ar_accounts).selectinload(ARAccount.promises),
        selectinload(Contact.subscriptions).selectinload(Subscription.services),
        selectinload(Contact.subscriptions).selectinload(Subscription.installed_items),
        selectinload(Contact.work_items),
    ]


def get(
    session: Session, contact_id: int, *, business_unit: str | None, with_communications: bool = False
) -> Contact | None:
    """The contact with every child, or None when it does not exist or lies outside `business_unit` (if given).

    `with_communications` also loads the communications and their references, so that deleting the contact
    deletes them through the ORM (and the change capture queues their documents) rather than by the
    database's cascade alone.
    """
    options = _aggregate()
    if with_communications:
        options.append(selectinload(Contact.communications).selectinload(Communication.references))
    statement = select(Contact).where(Contact.id == contact_id).options(*options)
    if business_unit is not None:
        statement = statement.where(Contact.business_unit == business_unit)
    return session.scalar(statement)


def values_in_use(
    session: Session,
    column: InstrumentedAttribute[Any],
    owner: InstrumentedAttribute[int],
    values: Collection[str],
    *,
    business_unit: str,
    other_than: int | None,
) -> set[str]:
    """Which of `values` a row of `business_unit` owned by another contact (or any, when `other_than` is None)
    already has: keys are unique within a unit, so another unit's rows never answer."""
    if not values:
        return set()
    unit = column.class_.business_unit
    statement = select(column).where(unit == business_unit, column.in_(list(values)))
    if other_than is not None:
        statement = statement.where(owner != other_than)
    return set(session.scalars(statement))


def add(session: Session, contact: Contact) -> None:
    session.add(contact)


def delete(session: Session, contact: Contact) -> None:
    session.delete(contact)


def item_numbers_in_use(
    session: Session, numbers: Collection[str], *, business_unit: str, other_than: int | None
) -> dict[str, str]:
    """Which of `numbers` an AR item of `business_unit` on another contact's account already has, each with that
    account's number (item numbers are unique within a unit, whichever account holds them)."""
    if not numbers:
        return {}
    statement = (
        select(ARItem.number, ARAccount.number)
        .join(ARAccount, ARAccount.id == ARItem.ar_account_id)
        .where(ARItem.business_unit == business_unit, ARItem.number.in_(list(numbers)))
    )
    if other_than is not None:
        statement = statement.where(ARAccount.contact_id != other_than)
    return {item: account for item, account in session.execute(statement)}


def voucher_codes_after(session: Session, after_id: int, limit: int) -> list[tuple[int, str]]:
    """The next stored voucher codes (id, ciphertext) by id: a key rotation walks them in batches."""
    statement = (
        select(Voucher.id, Voucher.secret_encrypted)
        .where(Voucher.id > after_id, Voucher.secret_encrypted.is_not(None))
        .order_by(Voucher.id)
        .limit(limit)
    )
    return [(voucher_id, stored) for voucher_id, stored in session.execute(statement)]


def replace_voucher_code(session: Session, voucher_id: int, old: str, new: str) -> bool:
    """Swaps the ciphertext only if it is still the one read: a code an agent changed meanwhile stays theirs.

    A Core update, so the change capture sees nothing: the same code under another key changes no document."""
    result = session.execute(
        update(Voucher)
        .where(Voucher.id == voucher_id, Voucher.secret_encrypted == old)
        .values(secret_encrypted=new)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)
