"""Plain functions that build realistic ORM aggregates: `build_*` leaves them unsaved, `make_*` adds and flushes.

Every contact gets one of each child; identifiers carry a process-wide serial, so they stay unique in
one database. Keyword overrides replace columns or whole child lists (`phones=[phone("06 12 34 56 78")]`).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

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
)
from service.phones import to_e164

SECRET_HASH = "pbkdf2-sha256$never-indexed$5ecre7"
_serial = itertools.count(1)


def phone(number: str, region: str = "FR", *, primary: bool = True, phone_type: str = "mobile") -> Phone:
    return Phone(phone_type=phone_type, number=number, e164=to_e164(number, region), is_primary=primary)


def address(**overrides: Any) -> Address:
    values: dict[str, Any] = {
        "address_type": "billing",
        "street": "12 rue de la République",
        "city": "Lyon",
        "postcode": "69002",
        "region": "Auvergne-Rhône-Alpes",
        "country": "FR",
        "is_primary": True,
    }
    return Address(**(values | overrides))


def build_contact(**overrides: Any) -> Contact:
    n = next(_serial)
    values: dict[str, Any] = {
        "kind": "person",
        "external_id": f"EXT-{n:06d}",
        "first_name": "Claire",
        "last_name": "Martin",
        "id_number": f"FR-{n:08d}",
        "business_unit": "BU01",
        "life_cycle_state": "active",
        "category": "residential",
        "addresses": [address()],
        "phones": [phone(f"04 72 {n % 100:02d} {n // 100 % 100:02d} 10", phone_type="landline")],
        "emails": [Email(email_type="personal", address=f"claire.martin{n}@example.fr", is_primary=True)],
        "access_tokens": [
            AccessToken(token_type="smart_card", identifier=f"SC-{n:06d}", secret_hash=SECRET_HASH, status="active")
        ],
        "ar_accounts": [
            ARAccount(
                number=f"AR-{n:06d}",
                name="Claire Martin",
                balance=Decimal("125.50"),
                currency="EUR",
                status="active",
                credit_hold=False,
                dunning_excluded=False,
                collector="Jérôme Petit",
                is_primary=True,
            )
        ],
        "subscriptions": [
            Subscription(
                number=f"SUB-{n:06d}",
                status="effective",
                billing_term_scheme="Monthly in advance",
                billing_frequency="monthly",
                start_date=date(2024, 1, 1),
                services=[
                    SubscriptionService(code="TV-BASIC", name="Télévision de base", mandatory=True),
                    SubscriptionService(code="NET-FIBRE", name="Internet fibre", mandatory=False),
                ],
                installed_items=[InstalledItem(product="Décodeur", serial_number=f"SN-{n:08d}")],
            )
        ],
    }
    return Contact(**(values | overrides))


def make_contact(session: Session, **overrides: Any) -> Contact:
    contact = build_contact(**overrides)
    session.add(contact)
    session.flush()
    return contact


def build_communication(contact: Contact | None = None, **overrides: Any) -> Communication:
    n = next(_serial)
    values: dict[str, Any] = {
        "created_by": "agent",
        "interaction_at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        "follow_up_on": date(2026, 11, 16),
        "direction": "incoming",
        "channel": "phone",
        "internal": False,
        "topic": "Facture contestée",
        "status": "open",
        "action": "partial_dispute",
        "action_amount": Decimal("40.00"),
        "customer_response": "promised_payment",
        "keywords": ["dispute", "invoice"],
        "notes": "Le client conteste une partie de la facture.",
        "contact_person": "Claire Martin",
        "contact_phone": "06 12 34 56 78",
        "references": [CommunicationReference(qualifier="invoice", reference_id=f"INV-{n:08d}")],
    }
    if contact is not None:
        values["contact_id"] = contact.id
    return Communication(**(values | overrides))


def make_communication(session: Session, contact: Contact, **overrides: Any) -> Communication:
    communication = build_communication(contact, **overrides)
    session.add(communication)
    session.flush()
    return communication


def audit_entry(user: str) -> dict[str, Any]:
    """One lookup's audit entry, as the middleware builds it."""
    return {
        "at": datetime.now(UTC),
        "user_id": 1,
        "user_name": user,
        "role": "agent",
        "business_unit": None,
        "endpoint": "quick_search",
        "method": "POST",
        "path": "/api/search/quick",
        "criteria": {"field": "name", "operator": "=", "value": "x"},
        "contact_ids": [7],
        "total": 1,
        "status_code": 200,
        "outcome": "ok",
        "detail": None,
        "duration_ms": 3,
    }
