"""PURE, deterministic demo contacts: contact k depends only on (seed, k), never on contacts before it.

So the data is the same whatever the batch size, and contact 1,000,000 costs what contact 1 costs.
Rows are plain dicts ready for bulk inserts; ids are left to the database.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers

from service.demo import vocabulary as v
from service.models.enums import (
    LIFE_CYCLE_GROUPS,
    AccessTokenType,
    AccountStatus,
    CallAction,
    Channel,
    CommunicationStatus,
    Direction,
    SubscriptionStatus,
    WorkItemKind,
)
from service.phones import to_e164

ANCHOR = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
TWO_YEARS_S = 2 * 365 * 24 * 3600
Row = dict[str, Any]
NATIONAL_DIGITS = {"FR": 9, "CZ": 9, "ES": 9, "DE": 10}


@dataclass(slots=True)
class SubscriptionBundle:
    row: Row
    account: int | None
    services: list[Row] = field(default_factory=list)
    installed_items: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class CommunicationBundle:
    row: Row
    references: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class ContactBundle:
    """One contact and everything hanging off it; foreign keys are filled in by the loader."""

    contact: Row
    addresses: list[Row]
    phones: list[Row]
    emails: list[Row]
    access_tokens: list[Row]
    ar_accounts: list[Row]
    subscriptions: list[SubscriptionBundle]
    communications: list[CommunicationBundle]
    work_items: list[Row]


def generate(
    count: int, *, seed: int, users: Sequence[str], business_units: Sequence[str], start: int = 1
) -> Iterator[ContactBundle]:
    for k in range(start, start + count):
        yield contact_bundle(k, seed=seed, users=users, business_units=business_units)


def contact_bundle(k: int, *, seed: int, users: Sequence[str], business_units: Sequence[str]) -> ContactBundle:
    rng = random.Random(f"{seed}:{k}")
    locale = rng.choice(v.LOCALES)
    company = rng.random() < 0.2
    first, last = rng.choice(locale.first_names), rng.choice(locale.last_names)
    if company:
        name = f"{rng.choice(v.COMPANY_WORDS)} {rng.choice(locale.last_names)} {rng.choice(locale.company_forms)}"
        contact = _contact_row(k, rng, locale, business_units, kind="company", company_name=name)
    else:
        middle = rng.choice(locale.first_names) if rng.random() < 0.1 else None
        contact = _contact_row(
            k, rng, locale, business_units, kind="person", first_name=first, middle_name=middle, last_name=last
        )
    display = contact.get("company_name") or f"{first} {last}"
    accounts = _accounts(k, rng, locale, display)
    return ContactBundle(
        contact=contact,
        addresses=_addresses(rng, locale),
        phones=_phones(rng, locale),
        emails=_emails(k, rng, first, last, company),
        access_tokens=_access_tokens(k, rng),
        ar_accounts=accounts,
        subscriptions=_subscriptions(k, rng, len(accounts)),
        communications=_communications(k, rng, users, display),
        work_items=_work_items(k, rng),
    )


def _contact_row(k: int, rng: random.Random, locale: v.Locale, units: Sequence[str], **names: Any) -> Row:
    created = ANCHOR - timedelta(seconds=rng.randrange(TWO_YEARS_S * 2))
    return {
        "external_id": f"DEMO-{k:08d}",
        "title": None,
        "first_name": None,
        "middle_name": None,
        "last_name": None,
        "company_name": None,
        **names,
        "id_number": f"{locale.country}-{rng.randrange(10**7, 10**8)}{rng.choice('ABCDEFGHJKLMNPQRSTVWXYZ')}",
        "business_unit": units[k % len(units)],
        "life_cycle_state": rng.choices(("active", "prospect", "suspended", "closed"), (85, 5, 6, 4))[0],
        "category": rng.choice(v.CATEGORIES),
        "date_of_birth": None
        if names["kind"] == "company"
        else date(1940 + rng.randrange(62), 1 + rng.randrange(12), 1 + rng.randrange(28)),
        "preferred_language": locale.language,
        "version": 1,
        "created_at": created,
        "updated_at": created,
    }


def _addresses(rng: random.Random, locale: v.Locale) -> list[Row]:
    types = ["billing", *rng.sample(["subscription", "other", "subscription", "billing"], rng.randrange(3))]
    rows = []
    for i, address_type in enumerate(types):
        city, postcode, region = rng.choice(locale.cities)
        rows.append(
            {
                "address_type": address_type,
                "street": f"{rng.randrange(1, 200)} {rng.choice(locale.streets)}",
                "line2": rng.choice((None, None, None, "Bât. B", "2. OG", "Apt. 4")),
                "city": city,
                "postcode": postcode,
                "region": region,
                "country": locale.country,
                "is_primary": i == 0,
            }
        )
    return rows


def _national_number(rng: random.Random, locale: v.Locale, mobile: bool) -> phonenumbers.PhoneNumber:
    prefixes = locale.mobile_prefixes if mobile else locale.landline_prefixes
    country_code = phonenumbers.country_code_for_region(locale.country)
    for _ in range(50):
        prefix = rng.choice(prefixes)
        digits = prefix + "".join(str(rng.randrange(10)) for _ in range(NATIONAL_DIGITS[locale.country] - len(prefix)))
        parsed = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(digits))
        if phonenumbers.is_valid_number(parsed):
            return parsed
    raise ValueError(f"no valid number for {locale.country}")


def _written(parsed: phonenumbers.PhoneNumber, style: int) -> str:
    """The same number written as people do: E.164, international, national, 00-prefixed, packed, dotted."""
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    forms = (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        international,
        national,
        "00" + international[1:],
        national.replace(" ", ""),
        national.replace(" ", "."),
        international.replace(" ", "-"),
    )
    return forms[style % len(forms)]


def _phones(rng: random.Random, locale: v.Locale) -> list[Row]:
    rows = []
    for i in range(1 + rng.randrange(3)):
        mobile = i == 0 or rng.random() < 0.5
        number = _written(_national_number(rng, locale, mobile), rng.randrange(7))
        rows.append(
            {
                "phone_type": "mobile" if mobile else rng.choice(("landline", "work", "fax")),
                "number": number,
                "e164": to_e164(number, locale.country),
                "is_primary": i == 0,
            }
        )
    return rows


def _ascii(text: str) -> str:
    from service.text import fold

    return "".join(c for c in fold(text) if c.isalnum())


def _emails(k: int, rng: random.Random, first: str, last: str, company: bool) -> list[Row]:
    rows = []
    for i in range(rng.choice((0, 1, 1, 1, 2))):
        local = f"{_ascii(first)}.{_ascii(last)}{k}" if not company else f"accounts{k}"
        rows.append(
            {
                "email_type": "work" if company else ("personal", "billing")[i],
                "address": f"{local}{'' if i == 0 else '.billing'}@{rng.choice(v.EMAIL_DOMAINS)}",
                "is_primary": i == 0,
            }
        )
    return rows


def _access_tokens(k: int, rng: random.Random) -> list[Row]:
    rows = []
    for i in range(rng.choice((0, 0, 1, 1, 2))):
        token_type = rng.choice(tuple(AccessTokenType))
        prefix = {"card": "CRD", "smart_card": "SC", "pin": "PIN", "secret_code": "SEC"}[token_type.value]
        secret = f"{rng.getrandbits(64):016x}"
        rows.append(
            {
                "token_type": token_type.value,
                "identifier": f"{prefix}-{k:08d}-{i}",
                "secret_hash": hashlib.sha256(secret.encode()).hexdigest(),
                "status": rng.choices(("active", "blocked", "expired"), (90, 5, 5))[0],
                "valid_until": date(2027 + rng.randrange(4), 1 + rng.randrange(12), 1),
            }
        )
    return rows


def _accounts(k: int, rng: random.Random, locale: v.Locale, display: str) -> list[Row]:
    rows = []
    for i in range(1 + (rng.random() < 0.25)):
        balance = rng.choice(
            (
                Decimal(0),
                Decimal(rng.randrange(-20000, 0)) / 100,
                Decimal(rng.randrange(0, 500000)) / 100,
                Decimal(rng.randrange(100000, 5000000)) / 100,
            )
        )
        rows.append(
            {
                "number": f"AR-{k:07d}-{i + 1}",
                "name": display if i == 0 else f"{display} (2)",
                "balance": balance,
                "currency": locale.currency,
                "status": rng.choices(tuple(AccountStatus), (88, 8, 4))[0].value,
                "credit_hold": rng.random() < 0.1,
                "dunning_excluded": rng.random() < 0.05,
                "collector": rng.choice(v.COLLECTORS),
                "is_primary": i == 0,
            }
        )
    return rows


def _subscriptions(k: int, rng: random.Random, accounts: int) -> list[SubscriptionBundle]:
    bundles = []
    for i in range(rng.choice((0, 1, 1, 2))):
        scheme = rng.choice(v.BILLING_SCHEMES)
        services = [s for s in v.SERVICES if s[2]][:1] + rng.sample(
            [s for s in v.SERVICES if not s[2]], rng.randrange(1, 4)
        )
        bundles.append(
            SubscriptionBundle(
                row={
                    "number": f"SUB-{k:07d}-{i + 1}",
                    "status": rng.choices(tuple(SubscriptionStatus), (5, 80, 7, 8))[0].value,
                    "billing_term_scheme": scheme,
                    "billing_frequency": v.FREQUENCIES[scheme],
                    "start_date": (ANCHOR - timedelta(days=rng.randrange(2000))).date(),
                },
                account=rng.randrange(accounts) if accounts else None,
                services=[{"code": code, "name": name, "mandatory": mandatory} for code, name, mandatory in services],
                installed_items=[
                    {"product": rng.choice(v.PRODUCTS), "serial_number": f"SN{k:08d}{i}{j}"}
                    for j in range(rng.randrange(4))
                ],
            )
        )
    return bundles


def _communications(k: int, rng: random.Random, users: Sequence[str], display: str) -> list[CommunicationBundle]:
    bundles = []
    for i in range(rng.randrange(9)):
        created = ANCHOR - timedelta(seconds=rng.randrange(TWO_YEARS_S))
        action = rng.choice((None, None, *tuple(CallAction)))
        follow_up = None
        if rng.random() < 0.4:
            follow_up = (created + timedelta(days=rng.randrange(1, 60))).date()
        references = [
            {"qualifier": q, "reference_id": _reference(q, k, i, j, created)}
            for j, q in enumerate(rng.sample(v.REFERENCE_QUALIFIERS, rng.choice((0, 1, 1, 2))))
        ]
        bundles.append(
            CommunicationBundle(
                row={
                    "created_by": rng.choice(users),
                    "interaction_at": created,
                    "follow_up_on": follow_up,
                    "direction": rng.choice(tuple(Direction)).value,
                    "channel": rng.choices(tuple(Channel), (60, 25, 10, 5))[0].value,
                    "internal": rng.random() < 0.15,
                    "topic": rng.choice(v.TOPICS),
                    "status": rng.choices(tuple(CommunicationStatus), (20, 15, 65))[0].value,
                    "action": action.value if action else None,
                    "action_amount": Decimal(rng.randrange(1000, 50000)) / 100
                    if action is CallAction.PARTIAL_DISPUTE
                    else None,
                    "customer_response": rng.choice((None, *v.CUSTOMER_RESPONSES)),
                    "keywords": rng.sample(v.KEYWORDS, rng.randrange(4)),
                    "notes": rng.choice(v.NOTES),
                    "contact_person": display,
                    "contact_phone": None,
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                },
                references=references,
            )
        )
    return bundles


def _reference(qualifier: str, k: int, i: int, j: int, created: datetime) -> str:
    serial = (k * 10 + i) * 3 + j
    return {
        "invoice": f"INV-{created.year}-{serial:07d}",
        "item": f"ITM-{serial:08d}",
        "transaction": f"TRX{serial:09d}",
        "order": f"ORD-{created.year}{serial:07d}",
    }[qualifier]


def _work_items(k: int, rng: random.Random) -> list[Row]:
    rows = []
    for i in range(rng.randrange(5)):
        kind = rng.choice(tuple(WorkItemKind))
        open_states, closed_states = LIFE_CYCLE_GROUPS[kind]
        state = rng.choice(open_states + closed_states)
        created = ANCHOR - timedelta(days=rng.randrange(700))
        rows.append(
            {
                "kind": kind.value,
                "number": f"{kind.value[:3].upper()}-{k:07d}-{i + 1}",
                "subject": rng.choice(v.TOPICS),
                "life_cycle_state": state,
                "due_on": (created + timedelta(days=rng.randrange(1, 30))).date(),
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows
