"""PURE: records (`indexer.records`) -> index documents. No I/O; the loader reads everything a document needs.

The external version of a document is its row's ``version`` column, which the ORM bumps in the same
transaction as any change to the aggregate, so a late or repeated write can never overwrite newer data.
Access-token secrets never enter a document. Phones are indexed as every digit string a caller may type
(international, national with trunk prefix, as stored); a number stored without its E.164 form is
parsed with the default region here, so the index does not depend on who wrote the row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from indexer.mappings import DIGEST_FIELD, NESTED_CONTACT_FIELDS
from indexer.records import ARAccountRecord, CommunicationRecord, ContactRecord, ContactScope, PhoneRecord
from service import receivables
from service.models.communication import legacy_actions
from service.phones import searchable_forms, to_e164


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; a naive datetime (SQLite drops the offset) is UTC, as every timestamp column stores UTC."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def amount(value: Decimal | None) -> float | None:
    """Two-decimal amounts survive the float round trip (`float(Decimal("125.50")) == 125.5`)."""
    return float(value) if value is not None else None


def _primary(items: list[Any]) -> Any | None:
    """The item flagged primary, else the first one."""
    return next((item for item in items if item.is_primary), items[0] if items else None)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _phone_forms(phone: PhoneRecord, region: str) -> list[str]:
    return searchable_forms(phone.number, phone.e164 or to_e164(phone.number, region))


def _main_account(accounts: list[ARAccountRecord]) -> dict[str, Any] | None:
    account = _primary(accounts)
    if account is None:
        return None
    return {
        "number": account.number,
        "balance": amount(account.balance),
        "currency": account.currency,
        "status": account.status,
    }


def _past_due(account: ARAccountRecord) -> list[dict[str, Any]]:
    """The account's past-due amount day by day (`receivables.past_due_steps`) as date ranges: a search picks the
    one that holds its `today`."""
    steps = []
    for step in receivables.past_due_steps(account.items):
        during = {"gte": iso(step.start), "lt": iso(step.end)}
        steps.append({"during": {k: v for k, v in during.items() if v is not None}, "amount": amount(step.amount)})
    return steps


def _account(a: ARAccountRecord) -> dict[str, Any]:
    return {
        "account_id": a.id,
        "number": a.number,
        "name": a.name,
        "balance": amount(a.balance),
        "currency": a.currency,
        "status": a.status,
        "credit_hold": bool(a.credit_hold),
        "dunning_excluded": bool(a.dunning_excluded),
        "collector": a.collector,
        "in_dispute": receivables.in_dispute(a.items),
        "oldest_due_on": iso(receivables.oldest_due_on(a.items)),
        "past_due": _past_due(a),
        "promise_broken_from": _promise_broken_from(a),
    }


def _promise_broken_from(account: ARAccountRecord) -> list[str]:
    """The day each unkept promise is broken from (`receivables.broken_from`), fixed whatever the day of the
    search: `promise_broken` is one of them at most today. A promise kept by its date leaves none."""
    days = {receivables.broken_from(p, account.items) for p in account.promises}
    return sorted(d.isoformat() for d in days if d is not None)


def _transactions(accounts: list[ARAccountRecord]) -> list[dict[str, Any]]:
    """What a `transaction_number` highlight names: the item's type and account, beside its number."""
    return [{"number": i.number, "type": i.item_type, "account": a.number} for a in accounts for i in a.items]


def digest(document: dict[str, Any]) -> str:
    """A digest of the document's content (every field but the digest itself), stored with it in the index.

    Computed over canonical JSON, the form the engine keeps in `_source` and hands back, so the same digest is
    recomputed from a stored `_source` (`index verify` catches a document edited in the engine that way) and
    compared with the one the database's rows give (a document that diverged at an equal version, an id
    reused, a version conflict that is no success: `bulk.settle`).
    """
    content = {name: value for name, value in document.items() if name != DIGEST_FIELD}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()


def digested(document: dict[str, Any]) -> dict[str, Any]:
    document[DIGEST_FIELD] = digest(document)
    return document


def contact_version(contact: ContactRecord) -> int:
    return int(contact.version)


def communication_version(communication: CommunicationRecord) -> int:
    return int(communication.version)


def contact_document(contact: ContactRecord, *, reference_ids: Iterable[str], phone_region: str) -> dict[str, Any]:
    phone = _primary(contact.phones)
    email = _primary(contact.emails)
    document: dict[str, Any] = {
        "contact_id": contact.id,
        "external_id": contact.external_id,
        "kind": contact.kind,
        "business_unit": contact.business_unit,
        "life_cycle_state": contact.life_cycle_state,
        "category": contact.category,
        "display_name": contact.display_name,
        "display_name_sort": contact.display_name,
        "names": _unique([contact.display_name, contact.first_name, contact.last_name, contact.company_name]),
        "first_name": contact.first_name,
        "middle_name": contact.middle_name,
        "last_name": contact.last_name,
        "company_name": contact.company_name,
        "id_number": contact.id_number,
        "phone_numbers": _unique(form for p in contact.phones for form in _phone_forms(p, phone_region)),
        "phones_written": _unique(p.number for p in contact.phones),
        "email_addresses": _unique(e.address for e in contact.emails),
        "addresses": [
            {
                "address_id": a.id,
                "type": a.address_type,
                "street": a.street,
                "line2": a.line2,
                "city": a.city,
                "postcode": a.postcode,
                "region": a.region,
                "country": a.country,
                "is_primary": bool(a.is_primary),
            }
            for a in contact.addresses
        ],
        "access_tokens": [
            {"identifier": t.identifier, "type": t.token_type, "status": t.status} for t in contact.access_tokens
        ],
        "ar_accounts": [_account(a) for a in contact.ar_accounts],
        "subscriptions": [
            {
                "subscription_id": s.id,
                "number": s.number,
                "status": s.status,
                "billing_term_scheme": s.billing_term_scheme,
                "billing_frequency": s.billing_frequency,
                "services": _unique(v for svc in s.services for v in (svc.code, svc.name)),
                "serial_numbers": _unique(i.serial_number for i in s.installed_items),
            }
            for s in contact.subscriptions
        ],
        "reference_ids": sorted(set(reference_ids)),
        "account_numbers": _unique(a.number for a in contact.ar_accounts),
        "transaction_numbers": _unique(i.number for a in contact.ar_accounts for i in a.items),
        "transactions": _transactions(contact.ar_accounts),
        "subscription_numbers": _unique(s.number for s in contact.subscriptions),
        "access_token_ids": _unique(t.identifier for t in contact.access_tokens),
        "serial_numbers": _unique(i.serial_number for s in contact.subscriptions for i in s.installed_items),
        "postcodes": _unique(a.postcode for a in contact.addresses),
        "primary_phone": phone.number if phone else None,
        "primary_email": email.address if email else None,
        "main_account": _main_account(contact.ar_accounts),
        "credit_hold": any(a.credit_hold for a in contact.ar_accounts),
        "updated_at": iso(contact.updated_at),
    }
    return digested(document)


def quick_document(contact: dict[str, Any]) -> dict[str, Any]:
    """The contact's document for the quick index: its root fields, the same values (`mappings.QUICK_PROPERTIES`),
    the digest of the whole contact among them (what the cut is a cut of)."""
    return {name: value for name, value in contact.items() if name not in NESTED_CONTACT_FIELDS}


def _action_names(c: CommunicationRecord) -> str | list[str] | None:
    """Every call action is found by the `action` filter; one action stays a plain value, as before the list."""
    names = _unique(a["action"] for a in legacy_actions(c.actions, c.action, c.action_amount))
    return names[0] if len(names) == 1 else (names or None)


def communication_document(communication: CommunicationRecord, *, contact: ContactScope) -> dict[str, Any]:
    c = communication
    document: dict[str, Any] = {
        "communication_id": c.id,
        "contact_id": c.contact_id,
        "contact_display_name": contact.display_name,
        "business_unit": contact.business_unit,
        "created_by": c.created_by,
        "created_at": iso(c.created_at),
        "interaction_at": iso(c.interaction_at),
        "follow_up_on": iso(c.follow_up_on),
        "direction": c.direction,
        "channel": c.channel,
        "status": c.status,
        "action": _action_names(c),
        "action_amount": amount(c.action_amount),
        "customer_response": c.customer_response,
        "internal": bool(c.internal),
        "topic": c.topic,
        "collectors": list(contact.collectors),
        "keywords": _unique(c.keywords or []),
        "references": [{"qualifier": r.qualifier, "reference_id": r.reference_id} for r in c.references],
        "notes": c.notes,
        "contact_person": c.contact_person,
        "contact_phone": c.contact_phone,
        "updated_at": iso(c.updated_at),
    }
    return digested(document)


def fitted(document: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """The document cut to the fields an older mapping has (`properties`), for an index an older release built that
    serves until the rebuild swaps in this release's.

    Cut rather than built the old way: a release adds fields and sub-fields, and the values of the fields both
    releases have are made the same way, so the cut is what the older release would have written; its strict
    mapping refuses a document with a field it lacks (and the entry would park). Sub-fields (`.wild`,
    `.slices`) are the mapping's business, not the document's. Objects and nested lists are cut field by field.
    """
    cut: dict[str, Any] = {}
    for name, value in document.items():
        mapping = properties.get(name)
        if mapping is None:
            continue
        children = mapping.get("properties")
        if children is not None and isinstance(value, dict):
            cut[name] = fitted(value, children)
        elif children is not None and isinstance(value, list):
            cut[name] = [fitted(item, children) if isinstance(item, dict) else item for item in value]
        else:
            cut[name] = value
    return cut
