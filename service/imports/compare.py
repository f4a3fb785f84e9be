"""Whether a stored row already says what an import line says, so a re-import keeps it untouched.

Writing an unchanged line again would replace its child rows, bump its version and queue its document for
nothing; comparing first makes a second import of the same file a no-op for the database and the index.
Access-token secrets are kept only as salted hashes, so a line that carries one is compared by verifying it;
voucher codes are Fernet tokens (a fresh one at each encryption), so a line's code is compared with the stored one
decrypted, in memory; one that cannot be decrypted (no key) does not match, and the write says why.
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
    VoucherIn,
)
from service.contacts.secrets import VoucherCipher, verify_secret
from service.contacts.service import SCALARS
from service.errors import DomainError
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
    name
    for name in CommunicationCreate.model_fields
    if name not in {"contact_id", "references", "interaction_at", "actions"}
)


def contact_matches(contact: Contact, record: ContactCreate, cipher: VoucherCipher) -> bool:
    if any(getattr(contact, name) != getattr(record, name) for name in SCALARS):
        return False
    return all(_rows_match(getattr(contact, name), getattr(record, name), cipher) for name in _CONTACT_LISTS)


def communication_matches(communication: Communication, record: CommunicationCreate, *, created_by: str) -> bool:
    """A line without `interaction_at` keeps the stored one (it defaulted to the time of the first import)."""
    if communication.created_by != created_by:
        return False
    if record.interaction_at is not None and communication.interaction_at != record.interaction_at:
        return False
    shorthand = {"action", "action_amount"} if record.actions is not None else set()
    if any(
        getattr(communication, name) != getattr(record, name)
        for name in _COMMUNICATION_SCALARS
        if name not in shorthand
    ):
        return False
    if record.actions is not None and communication.actions != [a.model_dump(mode="json") for a in record.actions]:
        return False
    return _rows_match(communication.references, record.references, None)


def _rows_match(rows: Sequence[Any], items: Sequence[BaseModel], cipher: VoucherCipher | None) -> bool:
    return len(rows) == len(items) and all(
        _row_matches(row, item, cipher) for row, item in zip(rows, items, strict=True)
    )


def _row_matches(row: Any, item: BaseModel, cipher: VoucherCipher | None) -> bool:
    names = _ATTRIBUTES.get(type(item), {})
    for field in type(item).model_fields:
        value = getattr(item, field)
        if field == "secret" and isinstance(item, VoucherIn):
            if field in item.model_fields_set and not _code_matches(row.secret_encrypted, value, cipher):
                return False
        elif field == "secret":
            if field in item.model_fields_set and not _secret_matches(row.secret_hash, value):
                return False
        elif isinstance(item, SubscriptionIn) and field in {"services", "installed_items"}:
            if not _rows_match(getattr(row, field), value, cipher):
                return False
        elif isinstance(item, ARAccountIn) and field in {"items", "wallets", "vouchers"}:
            if value is not None and not _rows_match(getattr(row, field), value, cipher):
                return False
        elif getattr(row, names.get(field, field)) != value:
            return False
    return True


def _secret_matches(stored: str | None, secret: Any) -> bool:
    if secret is None or stored is None:
        return secret is None and stored is None
    return verify_secret(secret.get_secret_value(), stored)


def _code_matches(stored: str | None, secret: Any, cipher: VoucherCipher | None) -> bool:
    if secret is None or stored is None or cipher is None:
        return secret is None and stored is None
    try:
        return cipher.decrypt(stored) == secret.get_secret_value()
    except DomainError:
        return False
