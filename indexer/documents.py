"""PURE: ORM aggregates -> index documents. No I/O; the caller loads everything the document needs.

The external version of a document is its row's `version` column, which the ORM bumps in the same
transaction as any change to the aggregate, so a late or repeated write can never overwrite newer data.
Access-token secrets never enter a document.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from service.phones import searchable_forms

if TYPE_CHECKING:
    from service.models.ar_account import ARAccount
    from service.models.communication import Communication
    from service.models.contact import Contact


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _amount(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _primary(items: list[Any]) -> Any | None:
    """The item flagged primary, else the first one."""
    return next((item for item in items if item.is_primary), items[0] if items else None)


def _main_account(accounts: list[ARAccount]) -> dict[str, Any] | None:
    account = _primary(accounts)
    if account is None:
        return None
    return {
        "number": account.number,
        "balance": _amount(account.balance),
        "currency": account.currency,
        "status": account.status,
    }


def contact_document(contact: Contact, *, reference_ids: Iterable[str]) -> dict[str, Any]:
    names = [contact.display_name, contact.first_name, contact.last_name, contact.company_name]
    phone = _primary(contact.phones)
    email = _primary(contact.emails)
    phone_numbers: list[str] = []
    for p in contact.phones:
        phone_numbers.extend(searchable_forms(p.number, p.e164))
    return {
        "contact_id": contact.id,
        "external_id": contact.external_id,
        "kind": contact.kind,
        "business_unit": contact.business_unit,
        "life_cycle_state": contact.life_cycle_state,
        "category": contact.category,
        "display_name": contact.display_name,
        "display_name_sort": contact.display_name,
        "names": list(dict.fromkeys(n for n in names if n)),
        "first_name": contact.first_name,
        "middle_name": contact.middle_name,
        "last_name": contact.last_name,
        "company_name": contact.company_name,
        "id_number": contact.id_number,
        "phone_numbers": list(dict.fromkeys(phone_numbers)),
        "email_addresses": [e.address for e in contact.emails],
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
                "is_primary": a.is_primary,
            }
            for a in contact.addresses
        ],
        "access_tokens": [
            {"identifier": t.identifier, "type": t.token_type, "status": t.status} for t in contact.access_tokens
        ],
        "ar_accounts": [
            {
                "account_id": a.id,
                "number": a.number,
                "name": a.name,
                "balance": _amount(a.balance),
                "currency": a.currency,
                "status": a.status,
                "credit_hold": a.credit_hold,
                "dunning_excluded": a.dunning_excluded,
                "collector": a.collector,
            }
            for a in contact.ar_accounts
        ],
        "subscriptions": [
            {
                "subscription_id": s.id,
                "number": s.number,
                "status": s.status,
                "billing_term_scheme": s.billing_term_scheme,
                "billing_frequency": s.billing_frequency,
                "services": list(dict.fromkeys(v for svc in s.services for v in (svc.code, svc.name))),
                "serial_numbers": [i.serial_number for i in s.installed_items],
            }
            for s in contact.subscriptions
        ],
        "reference_ids": sorted(set(reference_ids)),
        "account_numbers": [a.number for a in contact.ar_accounts],
        "subscription_numbers": [s.number for s in contact.subscriptions],
        "access_token_ids": [t.identifier for t in contact.access_tokens],
        "serial_numbers": [i.serial_number for s in contact.subscriptions for i in s.installed_items],
        "postcodes": list(dict.fromkeys(a.postcode for a in contact.addresses if a.postcode)),
        "primary_phone": phone.number if phone else None,
        "primary_email": email.address if email else None,
        "main_account": _main_account(contact.ar_accounts),
        "credit_hold": any(a.credit_hold for a in contact.ar_accounts),
        "updated_at": _iso(contact.updated_at),
    }


def communication_document(communication: Communication, *, contact: Contact) -> dict[str, Any]:
    c = communication
    return {
        "communication_id": c.id,
        "contact_id": c.contact_id,
        "contact_display_name": contact.display_name,
        "business_unit": contact.business_unit,
        "created_by": c.created_by,
        "created_at": _iso(c.created_at),
        "interaction_at": _iso(c.interaction_at),
        "follow_up_on": _iso(c.follow_up_on),
        "direction": c.direction,
        "channel": c.channel,
        "status": c.status,
        "action": c.action,
        "action_amount": _amount(c.action_amount),
        "customer_response": c.customer_response,
        "internal": c.internal,
        "topic": c.topic,
        "keywords": list(c.keywords or []),
        "references": [{"qualifier": r.qualifier, "reference_id": r.reference_id} for r in c.references],
        "notes": c.notes,
        "contact_person": c.contact_person,
        "contact_phone": c.contact_phone,
        "updated_at": _iso(c.updated_at),
    }
