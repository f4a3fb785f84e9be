"""Which fields a write changed, by name only: the audit says what changed, never to what, and never a secret.

A state is the record as its answer shows it (the read schema, so no secret is in it), without ids, versions and
timestamps, which every write moves; access-token secrets are compared by their stored hash and voucher
secret codes by their ciphertext, in memory, and reported as `access_tokens.secret` or
`ar_accounts.vouchers.secret` alone.
"""

from __future__ import annotations

from typing import Any

from service.communications.schemas import CommunicationRead
from service.contacts.schemas import ContactRead
from service.models import Communication, Contact

SECRET = "access_tokens.secret"
VOUCHER_SECRET = "ar_accounts.vouchers.secret"
UNCOMPARED = {"id", "version", "created_at", "updated_at", "display_name", "credit_hold", "created_by", "contact_id"}

State = dict[str, Any]


def contact_state(contact: Contact) -> State:
    state = _plain(ContactRead.model_validate(contact).model_dump(mode="json"))
    for token in state["access_tokens"]:
        token.pop("has_secret", None)
    state[SECRET] = sorted((token.identifier, token.secret_hash or "") for token in contact.access_tokens)
    for account in state["ar_accounts"]:
        for voucher in account["vouchers"]:
            voucher.pop("has_secret", None)
    state[VOUCHER_SECRET] = sorted(
        (account.number, voucher.number, voucher.secret_encrypted or "")
        for account in contact.ar_accounts
        for voucher in account.vouchers
    )
    return state


def communication_state(communication: Communication) -> State:
    return _plain(CommunicationRead.model_validate(communication).model_dump(mode="json"))


def changed(before: State | None, after: State) -> list[str]:
    """The fields that differ, in the order the answer lists them; against nothing (a create), those set."""
    if before is None:
        return [name for name, value in after.items() if value not in (None, [], "") and not _no_secret(name, value)]
    return [name for name, value in after.items() if before.get(name) != value]


def _no_secret(name: str, value: Any) -> bool:
    return name in (SECRET, VOUCHER_SECRET) and not any(entry[-1] for entry in value)


def _plain(view: dict[str, Any]) -> State:
    return {name: _without_ids(value) for name, value in view.items() if name not in UNCOMPARED}


def _without_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    if isinstance(value, dict):
        return {name: _without_ids(item) for name, item in value.items() if name != "id"}
    return value
