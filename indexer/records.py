"""The rows an index document is built from, as plain records: exactly what a document reads, nothing more.

The loader fills them from Core rows. Building ORM instances (identity map, instance state, collections)
cost more than half of a rebuild's CPU, and a rebuild shares its cores with the engine. ORM instances carry
the same attribute names, so the document builders accept either. Access-token secrets are not a field
here, so the indexer never even reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from service.models.contact import collectors_of, display_name_of


class _Named:
    """The display name the model computes, from the same name columns."""

    __slots__ = ()
    kind: str
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    company_name: str | None

    @property
    def display_name(self) -> str:
        return display_name_of(self.kind, self.first_name, self.middle_name, self.last_name, self.company_name)


@dataclass(frozen=True, slots=True)
class PhoneRecord:
    number: str
    e164: str | None
    is_primary: bool


@dataclass(frozen=True, slots=True)
class EmailRecord:
    address: str
    is_primary: bool


@dataclass(frozen=True, slots=True)
class AddressRecord:
    id: int
    address_type: str
    street: str
    line2: str | None
    city: str
    postcode: str | None
    region: str | None
    country: str
    is_primary: bool


@dataclass(frozen=True, slots=True)
class AccessTokenRecord:
    identifier: str
    token_type: str
    status: str


@dataclass(frozen=True, slots=True)
class ARItemRecord:
    item_type: str
    number: str
    issued_on: date | None
    due_on: date | None
    amount: Decimal
    open_amount: Decimal
    status: str
    disputed_amount: Decimal


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """What a promise's broken day is read from (`service.receivables.broken_from`), with the account's payments."""

    amount: Decimal
    promised_on: date
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ARAccountRecord:
    id: int
    number: str
    name: str
    balance: Decimal
    currency: str
    status: str
    credit_hold: bool
    dunning_excluded: bool
    collector: str | None
    is_primary: bool
    items: list[ARItemRecord] = field(default_factory=list)
    promises: list[PromiseRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class InstalledItemRecord:
    serial_number: str


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    id: int
    number: str
    status: str
    billing_term_scheme: str
    billing_frequency: str
    services: list[ServiceRecord] = field(default_factory=list)
    installed_items: list[InstalledItemRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ContactRecord(_Named):
    id: int
    external_id: str | None
    kind: str
    business_unit: str
    life_cycle_state: str
    category: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    company_name: str | None
    id_number: str | None
    version: int
    updated_at: datetime | None
    phones: list[PhoneRecord] = field(default_factory=list)
    emails: list[EmailRecord] = field(default_factory=list)
    addresses: list[AddressRecord] = field(default_factory=list)
    access_tokens: list[AccessTokenRecord] = field(default_factory=list)
    ar_accounts: list[ARAccountRecord] = field(default_factory=list)
    subscriptions: list[SubscriptionRecord] = field(default_factory=list)

    @property
    def collectors(self) -> list[str]:
        return collectors_of(self.ar_accounts)


@dataclass(frozen=True, slots=True)
class ContactScope(_Named):
    """What a communication's document carries of its contact: who it is and which business unit sees it."""

    kind: str
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    company_name: str | None
    business_unit: str
    # Of its accounts (`collectors_of`): a collector's call history is searched by them.
    collectors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReferenceRecord:
    qualifier: str
    reference_id: str


@dataclass(frozen=True, slots=True)
class CommunicationRecord:
    id: int
    contact_id: int
    created_by: str
    created_at: datetime | None
    interaction_at: datetime
    follow_up_on: date | None
    direction: str
    channel: str
    status: str
    action: str | None
    action_amount: Decimal | None
    customer_response: str | None
    internal: bool
    topic: str
    keywords: list[str] | None
    notes: str | None
    contact_person: str | None
    contact_phone: str | None
    version: int
    updated_at: datetime | None
    actions: list[dict[str, Any]] | None
    contact: ContactScope
    references: list[ReferenceRecord] = field(default_factory=list)
