"""Whether a stored row already says what an import line says, so a re-import keeps it untouched.

Writing an unchanged line again would replace its child rows, bump its version and queue its document for
nothing; comparing first makes a second import of the same file a no-op for the database and the index.
Secrets are kept only as salted hashes, so a line that carries one is compared by verifying it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from service.communications.schemas import CommunicationCreate
from service.contacts.schemas import (
    AccessTokenIn,
    AddressIn,
    ARAccountIn,
    ARItemIn,
    ContactCreate,
    EmailIn,
    PhoneIn,
    SubscriptionIn,
)
from service.contacts.secrets import verify_secret
from service.contacts.service import SCALARS
from service.models import Communication, Contact

# Input field -> ORM attribute, where their names differ.
_ATTRIBUTES: dict[type[BaseModel], dict[str, str]] = {
    AddressIn: {"type": "address_type"},
    PhoneIn: {"type": "phone_type"},
    EmailIn: {"type": "email_type"},
    AccessTokenIn: {"type": "token_type"},
    ARItemIn: {"type": "item_type"},
}
_CONTACT_LISTS = ("addresses", "phones", "emails", "access_tokens", "ar_accounts", "subscriptions", "work_items")
_COMMUNICATION_SCALARS = tuple(
    name for name in CommunicationCreate.model_fields if name not in {"contact_id", "references", "interaction_at"}
)


def contact_matches(contact: Contact, record: ContactCreate) -> bool:
    if any(getattr(contact, name) != getattr(record, name) for name in SCALARS):
        return False
    return all(_rows_match(getattr(contact, name), getattr(record, name)) for name in _CONTACT_LISTS)


def communication_matches(communication: Communication, record: CommunicationCreate, *, created_by: str) -> bool:
    """A line without `interaction_at` keeps the stored one (it defaulted to the time of the first import)."""
    if communication.created_by != created_by:
        return False
    if record.interaction_at is not None and communication.interaction_at != record.interaction_at:
        return False
    if any(getattr(communication, name) != getattr(record, name) for name in _COMMUNICATION_SCALARS):
        return False
    return _rows_match(communication.references, record.references)


def _rows_match(rows: Sequence[Any], items: Sequence[BaseModel]) -> bool:
    return len(rows) == len(items) and all(_row_matches(row, item) for row, item in zip(rows, items, strict=True))


def _row_matches(row: Any, item: BaseModel) -> bool:
    names = _ATTRIBUTES.get(type(item), {})
    for field in type(item).model_fields:
        value = getattr(item, field)
        if field == "secret":
            if field in item.model_fields_set and not _secret_matches(row.secret_hash, value):
                return False
        elif isinstance(item, SubscriptionIn) and field in {"services", "installed_items"}:
            if not _rows_match(getattr(row, field), value):
                return False
        elif isinstance(item, ARAccountIn) and field == "items":
            if value is not None and not _rows_match(row.items, value):
                return False
        elif getattr(row, names.get(field, field)) != value:
            return False
    return True


def _secret_matches(stored: str | None, secret: Any) -> bool:
    if secret is None or stored is None:
        return secret is None and stored is None
    return verify_secret(secret.get_secret_value(), stored)
