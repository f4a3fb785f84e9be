"""Keeps the business unit of the rows whose keys are unique per unit equal to their contact's.

Account numbers, subscription numbers and access-token identifiers are unique within a business unit (as
PeopleSoft's SetIDs scope their keys), so each row carries its contact's unit and the database holds the
(business_unit, key) constraint. Every ORM insert takes the unit from its contact (the one it was appended
to, else the stored one), and a contact that moves unit takes its rows along in the same flush; the bulk
loader, which bypasses the ORM, fills the column itself (`service.demo.loader`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper

from service.models.ar_account import ARAccount, ARItem
from service.models.contact import AccessToken, Contact
from service.models.subscription import Subscription

UNIT_KEYED = (ARAccount, Subscription, AccessToken)


def _unit_of_contact(
    _mapper: Mapper[Any], _connection: Connection, row: ARAccount | Subscription | AccessToken
) -> None:
    contact = row.__dict__.get("contact")  # set by the backref when the row was appended to a contact
    if contact is not None:
        row.business_unit = contact.business_unit
    elif row.business_unit is None:
        row.business_unit = select(Contact.business_unit).where(Contact.id == row.contact_id).scalar_subquery()


def _rows_follow_contact(_mapper: Mapper[Any], connection: Connection, contact: Contact) -> None:
    """After the contact's row moved unit, its keyed rows move too; a key taken there fails this flush.

    When a list is loaded, only the rows it still holds move (one replaced in the same flush loses the others,
    and those must not collide on their way out); rows it gains take the unit on insert.
    """
    if not inspect(contact).attrs.business_unit.history.deleted:
        return
    for model in UNIT_KEYED:
        table = model.__table__  # type: ignore[attr-defined]
        statement = update(table).where(table.c.contact_id == contact.id).values(business_unit=contact.business_unit)
        loaded = contact.__dict__.get(model.__tablename__)
        if loaded is not None:
            statement = statement.where(table.c.id.in_([row.id for row in loaded if row.id is not None]))
            for row in loaded:  # the loaded rows say what the table says, without a second UPDATE
                row.__dict__["business_unit"] = contact.business_unit
        connection.execute(statement)


def _unit_of_account(_mapper: Mapper[Any], _connection: Connection, row: ARItem) -> None:
    """An item's unit is its account's: set by then, since the account row is inserted before its items."""
    account = row.__dict__.get("account")
    if account is not None and account.business_unit is not None:
        row.business_unit = account.business_unit
    elif row.business_unit is None:
        row.business_unit = select(ARAccount.business_unit).where(ARAccount.id == row.ar_account_id).scalar_subquery()


def _items_follow_contact(_mapper: Mapper[Any], connection: Connection, contact: Contact) -> None:
    """The items of a contact that moved unit move with its accounts (after them: `_rows_follow_contact` runs first)."""
    if not inspect(contact).attrs.business_unit.history.deleted:
        return
    items, accounts = ARItem.__table__, ARAccount.__table__
    owned = select(accounts.c.id).where(accounts.c.contact_id == contact.id)
    connection.execute(
        update(items).where(items.c.ar_account_id.in_(owned)).values(business_unit=contact.business_unit)
    )
    for account in contact.__dict__.get("ar_accounts") or ():
        for item in account.__dict__.get("items") or ():
            item.__dict__["business_unit"] = contact.business_unit


for _model in UNIT_KEYED:
    event.listen(_model, "before_insert", _unit_of_contact)
event.listen(ARItem, "before_insert", _unit_of_account)
event.listen(Contact, "after_update", _rows_follow_contact)
event.listen(Contact, "after_update", _items_follow_contact)
