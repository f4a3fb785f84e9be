"""PURE, deterministic demo contacts: contact k depends only on (seed, k), never on the contacts before it.

So the data is the same whatever the batch size, contact 1,000,000 costs what contact 1 costs, and a load
can continue anywhere. Rows are plain dicts keyed by column name, ready for bulk inserts: the contact row
carries its id (k) and its children carry `contact_id`; the loader gives the children their own ids and
links subscriptions and AR items to accounts, services and installed items to subscriptions, references to
communications.

Every draw goes through `Random.random()`/`getrandbits()` of a generator seeded with a string, whose
output Python keeps stable across versions, so the same seed gives the same data byte for byte. Dates are
relative to a fixed `ANCHOR` ("today" in the demo world) for the same reason.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import cache
from itertools import accumulate
from typing import Any, TypeVar

from service.demo import vocabulary as v
from service.models.enums import AR_DEBIT_TYPES, LIFE_CYCLE_GROUPS, ARItemStatus, ARItemType, CallAction, WorkItemKind
from service.phones import to_e164
from service.text import fold

ANCHOR = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
DAY_S = 24 * 3600
Row = dict[str, Any]
T = TypeVar("T")


@dataclass(slots=True)
class SubscriptionBundle:
    row: Row
    account: int  # index into the contact's `ar_accounts`
    services: list[Row] = field(default_factory=list)
    installed_items: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class ARItemBundle:
    row: Row
    account: int  # index into the contact's `ar_accounts`


@dataclass(slots=True)
class CommunicationBundle:
    row: Row
    references: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class ContactBundle:
    """One contact and everything hanging off it; child ids and links are filled in by the loader."""

    id: int
    contact: Row
    addresses: list[Row]
    phones: list[Row]
    emails: list[Row]
    access_tokens: list[Row]
    ar_accounts: list[Row]
    ar_items: list[ARItemBundle]
    subscriptions: list[SubscriptionBundle]
    communications: list[CommunicationBundle]
    work_items: list[Row]


def _table(*pairs: tuple[Any, float]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    """A weighted choice: values and cumulative weights normalised to 1."""
    total = sum(w for _, w in pairs)
    return tuple(p for p, _ in pairs), tuple(c / total for c in accumulate(w for _, w in pairs))


CONTACT_STATES = _table(("active", 85), ("prospect", 5), ("suspended", 6), ("closed", 4))
ADDRESS_LAYOUTS = _table(
    (("billing",), 30),
    (("billing", "subscription"), 30),
    (("billing", "subscription", "subscription"), 12),
    (("billing", "billing", "subscription"), 8),
    (("billing", "other"), 10),
    (("billing", "subscription", "other"), 10),
)
COUNT_0_2 = _table((0, 25), (1, 55), (2, 20))
COUNT_1_3 = _table((1, 50), (2, 35), (3, 15))
COUNT_0_4 = _table((0, 35), (1, 30), (2, 20), (3, 10), (4, 5))
TOKEN_STATUSES = _table(("active", 90), ("blocked", 5), ("expired", 5))
ACCOUNT_STATUSES = _table(("active", 88), ("suspended", 8), ("terminated", 4))
SUBSCRIPTION_STATUSES = _table(("draft", 5), ("effective", 80), ("suspended", 7), ("cancelled", 8))
CHANNELS = _table(("phone", 60), ("email", 25), ("portal", 10), ("letter", 5))
RECENT_STATUSES = _table(("open", 45), ("in_progress", 25), ("closed", 30))
OLD_STATUSES = _table(("open", 8), ("in_progress", 7), ("closed", 85))
KEYWORD_COUNTS = _table((0, 30), (1, 35), (2, 25), (3, 10))
REFERENCE_COUNTS = _table((0, 35), (1, 45), (2, 20))
ACTIONS = tuple(action.value for action in CallAction)
REFERENCE_QUALIFIERS = tuple(v.REFERENCE_PATTERNS)
WORK_ITEM_KINDS = tuple(WorkItemKind)
COMPANY_CATEGORIES = ("business", "business", "government", "vip")
PERSON_CATEGORIES = ("residential", "residential", "residential", "residential", "vip")
SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class _Draw:
    """Fast draws from one per-contact generator (`Random.choice` and `randrange` are slow in CPython)."""

    __slots__ = ("bits", "random")

    def __init__(self, seed: int, contact_id: int, stream: str = "") -> None:
        # A named stream draws apart from the contact's own: adding one leaves every earlier value as it was.
        rng = random.Random(f"contact-lookup-demo:{seed}:{contact_id}" + (f":{stream}" if stream else ""))
        self.random = rng.random
        self.bits = rng.getrandbits

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def chance(self, p: float) -> bool:
        return self.random() < p

    def pick(self, values: Sequence[T]) -> T:
        return values[int(self.random() * len(values))]

    def weighted(self, table: tuple[tuple[T, ...], tuple[float, ...]]) -> T:
        values, cumulative = table  # the last cumulative weight is exactly 1.0 and random() < 1.0
        return values[bisect(cumulative, self.random())]

    def sample(self, values: Sequence[T], n: int) -> list[T]:
        pool = list(values)
        for i in range(n):
            j = i + int(self.random() * (len(pool) - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:n]

    def digits(self, n: int) -> str:
        return f"{int(self.random() * 10**n):0{n}d}"

    def cents(self, low: int, high: int) -> Decimal:
        return Decimal(self.between(low, high)).scaleb(-2)


def generate(
    count: int, *, seed: int, users: Sequence[str], business_units: Sequence[str], start_id: int = 1
) -> Iterator[ContactBundle]:
    """Contacts `start_id` .. `start_id + count - 1`; contact k is the same whatever else is generated."""
    if not users or not business_units:
        raise ValueError("demo data needs at least one user and one business unit")
    for contact_id in range(start_id, start_id + count):
        yield contact_bundle(contact_id, seed=seed, users=users, business_units=business_units)


def contact_bundle(contact_id: int, *, seed: int, users: Sequence[str], business_units: Sequence[str]) -> ContactBundle:
    k = contact_id
    d = _Draw(seed, k)
    locale = d.pick(v.LOCALES)
    company = d.chance(0.2)
    first, last, female = _person_name(d, locale)
    created = ANCHOR - timedelta(seconds=d.below(6 * 365 * DAY_S))
    contact: Row = {
        "id": k,
        "external_id": f"DEMO-{k:08d}",
        "kind": "company" if company else "person",
        "title": None,
        "first_name": None,
        "middle_name": None,
        "last_name": None,
        "company_name": None,
        "id_number": None,
        "business_unit": d.pick(business_units),
        "life_cycle_state": d.weighted(CONTACT_STATES),
        "category": d.pick(COMPANY_CATEGORIES if company else PERSON_CATEGORIES),
        "date_of_birth": None,
        "preferred_language": locale.language,
        "version": 1,
        "created_at": created,
        "updated_at": created,
    }
    if company:
        name = f"{d.pick(locale.company_words)} {d.pick(locale.last_names)} {d.pick(locale.company_forms)}"
        contact.update(company_name=name, id_number=_company_id(d, locale))
        display = name
    else:
        born = date(1940 + d.below(62), 1 + d.below(12), 1 + d.below(28))
        contact.update(
            title=locale.titles[0 if female else 1] if d.chance(0.4) else None,
            first_name=first,
            middle_name=_person_name(d, locale, female)[0] if d.chance(0.1) else None,
            last_name=last,
            id_number=_person_id(d, locale, born, female),
            date_of_birth=born,
        )
        display = f"{first} {last}"
    home = d.pick(locale.cities)
    addresses = _addresses(d, k, locale, home)
    phones = _phones(d, k, locale, home)
    accounts = _accounts(d, k, locale, display, created)
    return ContactBundle(
        id=k,
        contact=contact,
        addresses=addresses,
        phones=phones,
        emails=_emails(d, k, locale, first, last, company, contact["company_name"]),
        access_tokens=_access_tokens(d, k),
        ar_accounts=accounts,
        ar_items=_ar_items(_Draw(seed, k, "ar-items"), k, accounts),
        subscriptions=_subscriptions(d, k, len(accounts), created),
        communications=_communications(d, k, locale, users, company, display, phones, created),
        work_items=_work_items(d, k, created),
    )


def _person_name(d: _Draw, locale: v.Locale, female: bool | None = None) -> tuple[str, str, bool]:
    if female is None:
        female = d.chance(0.5)
    first = d.pick(locale.female_first_names if female else locale.male_first_names)
    last = d.pick(locale.female_last_names if female and locale.female_last_names else locale.last_names)
    return first, last, female


def _company_id(d: _Draw, locale: v.Locale) -> str:
    """SIREN, IČO, CIF or Handelsregister number: what an agent reads off a company's letterhead."""
    if locale.country == "FR":
        return f"{d.digits(3)} {d.digits(3)} {d.digits(3)}"
    if locale.country == "CZ":
        return d.digits(8)
    if locale.country == "ES":
        return f"B{d.digits(8)}"
    return f"HRB {d.between(1000, 99999)}"


def _person_id(d: _Draw, locale: v.Locale, born: date, female: bool) -> str:
    if locale.country == "ES":
        number = d.between(10_000_000, 99_999_999)
        return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"
    if locale.country == "CZ":
        month = born.month + (50 if female else 0)
        return f"{born:%y}{month:02d}{born:%d}/{d.digits(4)}"
    if locale.country == "DE":
        return "".join(d.pick("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(9))
    return f"{born:%y}{d.pick('ABCDEFGHJK')}{d.pick('ABCDEFGHJK')}{d.digits(5)}"


def _addresses(d: _Draw, k: int, locale: v.Locale, home: v.City) -> list[Row]:
    rows = []
    for i, address_type in enumerate(d.weighted(ADDRESS_LAYOUTS)):
        city = home if i == 0 or d.chance(0.6) else d.pick(locale.cities)
        rows.append(
            {
                "contact_id": k,
                "address_type": address_type,
                "street": _street(d, locale),
                "line2": d.pick(locale.address_lines) if d.chance(0.3) else None,
                "city": city.name,
                "postcode": d.pick(city.postcodes),
                "region": city.region,
                "country": locale.country,
                "is_primary": i == 0,
            }
        )
    return rows


def _street(d: _Draw, locale: v.Locale) -> str:
    street, number = d.pick(locale.streets), d.between(1, 180)
    return f"{number} {street}" if locale.country == "FR" else f"{street} {number}"


def _phones(d: _Draw, k: int, locale: v.Locale, home: v.City) -> list[Row]:
    rows = []
    for i in range(d.weighted(COUNT_1_3)):
        mobile = d.chance(0.8 if i == 0 else 0.4)
        number = _phone_number(d, locale, home, mobile=mobile)
        rows.append(
            {
                "contact_id": k,
                "phone_type": "mobile" if mobile else d.pick(("landline", "landline", "work", "fax")),
                "number": number,
                "e164": to_e164(number, locale.country),
                "is_primary": i == 0,
            }
        )
    return rows


def _phone_number(d: _Draw, locale: v.Locale, city: v.City, *, mobile: bool) -> str:
    """A valid number of the locale's plan, written the way people type it (one of the locale's formats)."""
    prefix = d.pick(locale.mobile_prefixes) if mobile else city.area_code
    length = locale.mobile_length if mobile else locale.landline_length
    nsn = prefix + d.digits(length - len(prefix))
    end = locale.area_length or len(prefix)
    groups = [nsn[:end]]
    for size in locale.subscriber_groups:
        groups.append(nsn[end : end + size])
        end += size
    groups.append(nsn[end:])
    return d.pick(locale.phone_formats).format(*groups)


@cache
def _ascii(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalnum())


def _emails(
    d: _Draw, k: int, locale: v.Locale, first: str, last: str, company: bool, company_name: str | None
) -> list[Row]:
    rows = []
    for i in range(d.weighted(COUNT_0_2)):
        if company and company_name:
            slug = "-".join(_ascii(w) for w in company_name.split()[:2])
            address = f"{('contact', 'comptabilite', 'accounts')[i]}@{slug}-{k}.example.{locale.country.lower()}"
        else:
            address = f"{_ascii(first)}.{_ascii(last)}{'' if i == 0 else '.billing'}.{k}@{d.pick(locale.email_domains)}"
        email_type = "work" if company else ("personal", "billing")[i]
        rows.append({"contact_id": k, "email_type": email_type, "address": address, "is_primary": i == 0})
    return rows


def _access_tokens(d: _Draw, k: int) -> list[Row]:
    rows = []
    for i in range(d.weighted(COUNT_0_2)):
        token_type = d.pick(("card", "card", "smart_card", "pin", "secret_code"))
        if token_type == "card":
            identifier, secret = f"6280 {k // 10000:04d} {k % 10000:04d} {i + 1:04d}", d.digits(3)
        elif token_type == "smart_card":
            identifier, secret = f"SC{k:09d}{i}", f"{d.bits(64):016x}"
        elif token_type == "pin":
            identifier, secret = f"PIN-{k:08d}-{i + 1}", d.digits(4)
        else:
            identifier, secret = f"SEC-{k:08d}-{i + 1}", "".join(d.pick(SECRET_ALPHABET) for _ in range(8))
        rows.append(
            {
                "contact_id": k,
                "token_type": token_type,
                "identifier": identifier,
                "secret_hash": hashlib.sha256(secret.encode()).hexdigest(),
                "status": d.weighted(TOKEN_STATUSES),
                "valid_until": date(ANCHOR.year + d.below(5), 1 + d.below(12), 1),
            }
        )
    return rows


def _accounts(d: _Draw, k: int, locale: v.Locale, display: str, created: datetime) -> list[Row]:
    scale = 25 if locale.currency == "CZK" else 1
    rows = []
    for i in range(1 + d.chance(0.25)):
        roll = d.random()
        if roll < 0.2:
            balance = Decimal("0.00")
        elif roll < 0.35:
            balance = -d.cents(100, 50_000 * scale)
        elif roll < 0.9:
            balance = d.cents(100, 500_000 * scale)
        else:
            balance = d.cents(1_000_000 * scale, 25_000_000 * scale)
        credit_hold = d.chance(0.1)
        rows.append(
            {
                "contact_id": k,
                "number": f"AR-{k:07d}-{i + 1}",
                "name": display if i == 0 else f"{display} (services)",
                "balance": balance,
                "currency": locale.currency,
                "status": d.weighted(ACCOUNT_STATUSES),
                "credit_hold": credit_hold,
                "dunning_excluded": d.chance(0.2 if credit_hold else 0.04),
                "collector": d.pick(locale.collectors),
                "is_primary": i == 0,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


# A monthly bill due a month after it is issued, as a receivables ledger holds it: the older bills paid, what the
# account's balance says is still owed open on the newest ones (so some are past due, in every aging bucket), now
# and then a dispute, a late fee or a chargeback; a credit balance is an open credit memo. About ten per contact.
ITEM_PREFIXES = {
    ARItemType.INVOICE: "INV",
    ARItemType.DEBIT_MEMO: "DM",
    ARItemType.CREDIT_MEMO: "CM",
    ARItemType.CHARGEBACK: "CB",
    ARItemType.PAYMENT: "PAY",
}
BILLING_DAYS = 30


def _ar_items(d: _Draw, k: int, accounts: list[Row]) -> list[ARItemBundle]:
    return [ARItemBundle(row, i) for i, account in enumerate(accounts) for row in _ledger(d, k, i, account)]


def _ledger(d: _Draw, k: int, index: int, account: Row) -> list[Row]:
    today = ANCHOR.date()
    scale = 25 if account["currency"] == "CZK" else 1
    rows: list[Row] = []

    def add(item_type: ARItemType, issued: date, amount: Decimal, open_amount: Decimal) -> Row:
        row: Row = {
            "item_type": item_type.value,
            "number": f"{ITEM_PREFIXES[item_type]}-{k:07d}-{index + 1}{len(rows) + 1:02d}",
            "issued_on": issued,
            "due_on": issued + timedelta(days=BILLING_DAYS) if item_type in AR_DEBIT_TYPES else None,
            "amount": amount,
            "open_amount": open_amount,
            "currency": account["currency"],
            "status": (ARItemStatus.OPEN if open_amount else ARItemStatus.CLOSED).value,
            "disputed_amount": ZERO,
        }
        rows.append(row)
        return row

    bills = d.between(3, 5)
    owed = max(account["balance"], ZERO)
    # Now and then part of what is owed is a late fee (a debit memo) rather than a bill: the open items always
    # add up to the balance.
    late_fee = min(owed, d.cents(500 * scale, 2_500 * scale)) if owed and d.chance(0.05) else ZERO
    owed -= late_fee
    # What the balance says is owed stays open on the newest bills, each bill at least what is open on it.
    open_bills = min(bills, d.between(1, 3)) if owed else 0
    still_open = [ZERO] * (bills - open_bills) + _split(d, owed, open_bills)
    for n in range(bills):
        issued = today - timedelta(days=BILLING_DAYS * (bills - n) + d.below(10))
        amount = max(still_open[n], d.cents(1_500 * scale, 40_000 * scale))
        bill = add(ARItemType.INVOICE, issued, amount, still_open[n])
        if still_open[n] and d.chance(0.04):
            bill.update(status=ARItemStatus.IN_DISPUTE.value, disputed_amount=(still_open[n] / 2).quantize(CENT))
        if paid := amount - still_open[n]:
            add(ARItemType.PAYMENT, issued + timedelta(days=d.between(5, 40)), -paid, ZERO)
    if late_fee:
        add(ARItemType.DEBIT_MEMO, today - timedelta(days=d.below(60)), late_fee, late_fee)
    if d.chance(0.02):
        add(ARItemType.CHARGEBACK, today - timedelta(days=d.below(90)), d.cents(2_000 * scale, 20_000 * scale), ZERO)
    if account["balance"] < 0:
        add(ARItemType.CREDIT_MEMO, today - timedelta(days=d.below(60)), account["balance"], account["balance"])
    return rows


CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _split(d: _Draw, total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` shares of it, to the cent, that add up to it exactly (a share may round to nothing)."""
    if not parts:
        return []
    weights = [1 + d.below(100) for _ in range(parts)]
    shares = [(total * w / sum(weights)).quantize(CENT, rounding=ROUND_DOWN) for w in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]


def _subscriptions(d: _Draw, k: int, accounts: int, created: datetime) -> list[SubscriptionBundle]:
    bundles = []
    for i in range(d.weighted(COUNT_0_2)):
        scheme, frequency = d.pick(v.BILLING_TERMS)
        mandatory = d.sample(v.MANDATORY_SERVICES, 1 + d.chance(0.3))
        services = mandatory + d.sample(v.OPTIONAL_SERVICES, d.between(2, 4) - len(mandatory))
        items = []
        for j in range(d.below(4)):
            product, prefix = d.pick(v.PRODUCTS)
            items.append({"product": product, "serial_number": f"{prefix}{k:09d}{i}{j}"})
        bundles.append(
            SubscriptionBundle(
                row={
                    "contact_id": k,
                    "number": f"SUB-{k:07d}-{i + 1}",
                    "status": d.weighted(SUBSCRIPTION_STATUSES),
                    "billing_term_scheme": scheme,
                    "billing_frequency": frequency,
                    "start_date": (created + timedelta(days=d.below(400))).date(),
                    "created_at": created,
                    "updated_at": created,
                },
                account=d.below(accounts),
                services=[{"code": c, "name": n, "mandatory": m} for c, n, m in services],
                installed_items=items,
            )
        )
    return bundles


def _communications(
    d: _Draw,
    k: int,
    locale: v.Locale,
    users: Sequence[str],
    company: bool,
    display: str,
    phones: list[Row],
    contact_created: datetime,
) -> list[CommunicationBundle]:
    earliest = max(contact_created, ANCHOR - timedelta(days=730))
    span = int((ANCHOR - earliest).total_seconds())
    instants = sorted(ANCHOR - timedelta(seconds=d.below(span)) for _ in range(d.below(9)))
    bundles = []
    for created in instants:
        age_days = (ANCHOR - created).days
        status = d.weighted(RECENT_STATUSES if age_days < 60 else OLD_STATUSES)
        follow_up = None
        if status != "closed" or d.chance(0.1):
            follow_up = created.date() + timedelta(days=d.between(1, 45))
        action = d.pick(ACTIONS) if d.chance(0.55) else None
        if company:
            first, last, _ = _person_name(d, locale)
            person: str | None = f"{first} {last}"
        else:
            person = display if d.chance(0.7) else None
        year = created.year
        references = [
            {"qualifier": q, "reference_id": v.REFERENCE_PATTERNS[q].format(year=year, serial=k * 10 + d.below(10))}
            for q in d.sample(REFERENCE_QUALIFIERS, d.weighted(REFERENCE_COUNTS))
        ]
        row = {
            "contact_id": k,
            "external_id": None,
            "created_by": d.pick(users),
            "interaction_at": created - timedelta(minutes=d.below(120) if d.chance(0.8) else d.below(4320)),
            "follow_up_on": follow_up,
            "direction": "incoming" if d.chance(0.55) else "outgoing",
            "channel": d.weighted(CHANNELS),
            "internal": d.chance(0.15),
            "topic": d.pick(v.TOPICS),
            "status": status,
            "action": action,
            "action_amount": d.cents(1_000, 250_000) if action == CallAction.PARTIAL_DISPUTE else None,
            "actions": None,
            "customer_response": d.pick(v.CUSTOMER_RESPONSES) if d.chance(0.6) else None,
            "keywords": d.sample(v.KEYWORDS, d.weighted(KEYWORD_COUNTS)),
            "notes": d.pick(locale.notes) if d.chance(0.5) else d.pick(v.NOTES),
            "contact_person": person,
            "contact_phone": d.pick(phones)["number"] if d.chance(0.7) else None,
            "version": 1,
            "created_at": created,
            "updated_at": created,
        }
        bundles.append(CommunicationBundle(row=row, references=references))
    return bundles


def _work_items(d: _Draw, k: int, contact_created: datetime) -> list[Row]:
    rows = []
    for i in range(d.weighted(COUNT_0_4)):
        kind = d.pick(WORK_ITEM_KINDS)
        prefix, subjects = v.WORK_ITEMS[kind]
        open_states, closed_states = LIFE_CYCLE_GROUPS[kind]
        created = ANCHOR - timedelta(seconds=d.below(min(int((ANCHOR - contact_created).total_seconds()), 700 * DAY_S)))
        recent = (ANCHOR - created).days < 90
        state = d.pick(open_states) if d.chance(0.6 if recent else 0.15) else d.pick(closed_states)
        rows.append(
            {
                "contact_id": k,
                "kind": kind.value,
                "number": f"{prefix}-{k:07d}-{i + 1}",
                "subject": d.pick(subjects),
                "life_cycle_state": state,
                "due_on": (created + timedelta(days=d.between(1, 30))).date(),
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows
