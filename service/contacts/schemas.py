"""Request and answer shapes of /api/contacts.

Input schemas are closed (`extra="forbid"`): ids, versions, timestamps, `created_by` and secret hashes are not
fields of them, so a client that sends one gets a 422 instead of silently setting it (no mass assignment).
Rules that need the database, the settings or the stored contact (names by kind, phone numbers, business units,
uniqueness) live in the service, which reports them in the same 422 shape.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from service.closed import Closed
from service.models.enums import (
    LIFE_CYCLE_GROUPS,
    AccessTokenStatus,
    AccessTokenType,
    AccountStatus,
    AddressType,
    ARItemStatus,
    ARItemType,
    ContactKind,
    ContactState,
    EmailType,
    PhoneType,
    SubscriptionStatus,
    VoucherStatus,
    WorkItemKind,
)
from service.types import (
    BusinessUnit,
    Country,
    Currency,
    EmailAddress,
    Money,
    Text16,
    Text24,
    Text32,
    Text40,
    Text64,
    Text100,
    Text200,
    UtcDatetime,
    not_null,
)

Postcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Language = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=8, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$")
]


def _pin_as_text(value: Any) -> Any:
    """A PIN sent as a JSON number is still a secret: accept it, so no error message ever echoes it."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Secret = Annotated[SecretStr, BeforeValidator(_pin_as_text)]


class AddressIn(Closed):
    type: AddressType
    street: Text200
    line2: Text200 | None = None
    city: Text100
    postcode: Postcode | None = None
    region: Text100 | None = None
    country: Country = Field(description="ISO 3166-1 alpha-2; the first address's country is the phone region.")
    is_primary: bool = False


class PhoneIn(Closed):
    type: PhoneType
    number: Text40 = Field(description="As typed; normalised to E.164 (`e164`) or refused with a 422.")
    is_primary: bool = False


class EmailIn(Closed):
    type: EmailType
    address: EmailAddress
    is_primary: bool = False


class AccessTokenIn(Closed):
    type: AccessTokenType
    identifier: Text64 = Field(description="Card or token number; unique across contacts.")
    secret: Secret | None = Field(
        None,
        description=(
            "Write-only PIN or secret code (4-128 characters), stored as a salted scrypt hash and never returned. "
            "On PATCH, leaving it out keeps the stored secret of the token with the same identifier; null removes it."
        ),
    )
    status: AccessTokenStatus = AccessTokenStatus.ACTIVE
    valid_until: date | None = None


class ARItemIn(Closed):
    """One transaction of the account. Amounts are signed as Receivables shows them (a credit memo or a payment
    may be negative); `open_amount` left out is the whole `amount`."""

    type: ARItemType
    number: Text32 = Field(description="Transaction number; unique within the business unit.")
    issued_on: date | None = None
    due_on: date | None = None
    amount: Money
    open_amount: Money | None = None
    currency: Currency = Field(description="ISO 4217 code, e.g. EUR.")
    status: ARItemStatus = ARItemStatus.OPEN
    disputed_amount: Money = Field(Decimal("0"), ge=0, description="What the customer disputes; 0 when nothing.")

    @model_validator(mode="after")
    def _open_defaults_to_amount(self) -> ARItemIn:
        """Amounts at two decimals, as the columns keep them, so the answer to a write says what a read will."""
        cent = Decimal("0.01")
        self.amount = self.amount.quantize(cent)
        self.open_amount = (self.amount if self.open_amount is None else self.open_amount).quantize(cent)
        self.disputed_amount = self.disputed_amount.quantize(cent)
        return self


class WalletIn(Closed):
    """A balance the account holds (CRM.COM's Financials: "Wallets")."""

    number: Text32 = Field(description="Unique within the account.")
    balance: Money = Field(Decimal("0"), ge=0, description="What the wallet holds; never below 0.")
    currency: Currency = Field(description="ISO 4217 code, e.g. EUR.")


class VoucherIn(Closed):
    """A voucher of the account; its secret code is write-only: stored as a Fernet ciphertext, read back only
    through the audited `POST /api/contacts/{id}/vouchers/{number}/secret`."""

    number: Text32 = Field(description="Unique within the account.")
    value: Money = Field(ge=0, description="The voucher's face value; never below 0.")
    currency: Currency = Field(description="ISO 4217 code, e.g. EUR.")
    status: VoucherStatus = VoucherStatus.ISSUED
    used_on: date | None = None
    subscription_number: Text32 | None = Field(None, description="The subscription it was used on, if any.")
    secret: Secret | None = Field(
        None,
        description=(
            "Write-only secret code (1-128 characters), stored encrypted and never returned but by the secret "
            "endpoint. On PATCH, leaving it out keeps the stored code of the voucher with the same number; null "
            "removes it."
        ),
    )


class ARAccountIn(Closed):
    number: Text32 = Field(description="Unique across contacts.")
    name: Text200
    balance: Money = Decimal("0")
    currency: Currency = Field(description="ISO 4217 code, e.g. EUR.")
    status: AccountStatus = AccountStatus.ACTIVE
    credit_hold: bool = False
    dunning_excluded: bool = False
    collector: Text64 | None = None
    is_primary: bool = False
    items: list[ARItemIn] | None = Field(
        None,
        max_length=1000,
        description="Replaces the account's items when given (kept by number); left out, the stored items stay.",
    )
    wallets: list[WalletIn] | None = Field(
        None, max_length=100, description="Replaces the account's wallets when given; left out, they stay."
    )
    vouchers: list[VoucherIn] | None = Field(
        None,
        max_length=1000,
        description="Replaces the account's vouchers when given (kept by number, with their secret code unless "
        "`secret` is sent); left out, they stay.",
    )


class SubscriptionServiceIn(Closed):
    code: Text32
    name: Text100
    mandatory: bool = False


class InstalledItemIn(Closed):
    product: Text100
    serial_number: Text64


class SubscriptionIn(Closed):
    number: Text32 = Field(description="Unique across contacts.")
    status: SubscriptionStatus
    billing_term_scheme: Text64
    billing_frequency: Text16
    start_date: date | None = None
    services: list[SubscriptionServiceIn] = Field(default_factory=list, max_length=100)
    installed_items: list[InstalledItemIn] = Field(default_factory=list, max_length=100)


class WorkItemIn(Closed):
    kind: WorkItemKind
    number: Text32
    subject: Text200
    life_cycle_state: Text24
    due_on: date | None = None

    @field_validator("life_cycle_state")
    @classmethod
    def _state_of_kind(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is not None:
            allowed = [s for group in LIFE_CYCLE_GROUPS[kind] for s in group]
            if value not in allowed:
                raise ValueError(f"not a life-cycle state of a {kind.value}; allowed: {', '.join(allowed)}")
        return value


def _not_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise ValueError("must not be in the future")
    return value


BirthDate = Annotated[date, AfterValidator(_not_future)]

NESTED_LISTS = ("addresses", "phones", "emails", "access_tokens", "ar_accounts", "subscriptions", "work_items")


class ContactCreate(Closed):
    """A person needs a first or last name, a company a company name (checked by the service)."""

    kind: ContactKind
    title: Text32 | None = None
    first_name: Text100 | None = None
    middle_name: Text100 | None = None
    last_name: Text100 | None = None
    company_name: Text200 | None = None
    id_number: Text64 | None = None
    external_id: Text64 | None = Field(None, description="Id in the system of record; unique within the business unit.")
    business_unit: BusinessUnit | None = Field(
        None, description="Defaults to the caller's unit; required for callers bound to none."
    )
    life_cycle_state: ContactState = ContactState.ACTIVE
    category: Text32 | None = None
    date_of_birth: BirthDate | None = None
    preferred_language: Language | None = None
    addresses: list[AddressIn] = Field(default_factory=list, max_length=20)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=20)
    emails: list[EmailIn] = Field(default_factory=list, max_length=20)
    access_tokens: list[AccessTokenIn] = Field(default_factory=list, max_length=50)
    ar_accounts: list[ARAccountIn] = Field(default_factory=list, max_length=50)
    subscriptions: list[SubscriptionIn] = Field(default_factory=list, max_length=100)
    work_items: list[WorkItemIn] = Field(default_factory=list, max_length=200)


class ContactUpdate(Closed):
    """Every field optional: a field left out is unchanged; a nested list, when given, replaces the whole list.

    Replacing keeps the rows whose natural key is in the new list (accounts and subscriptions by `number`, access
    tokens by `identifier`), so their ids and stored secrets survive; `[]` empties a list. `null` clears a nullable
    field; for the others (kind, business_unit, life_cycle_state and the lists) it is a 422.
    """

    kind: ContactKind | None = None
    title: Text32 | None = None
    first_name: Text100 | None = None
    middle_name: Text100 | None = None
    last_name: Text100 | None = None
    company_name: Text200 | None = None
    id_number: Text64 | None = None
    external_id: Text64 | None = None
    business_unit: BusinessUnit | None = None
    life_cycle_state: ContactState | None = None
    category: Text32 | None = None
    date_of_birth: BirthDate | None = None
    preferred_language: Language | None = None
    addresses: list[AddressIn] | None = Field(None, max_length=20)
    phones: list[PhoneIn] | None = Field(None, max_length=20)
    emails: list[EmailIn] | None = Field(None, max_length=20)
    access_tokens: list[AccessTokenIn] | None = Field(None, max_length=50)
    ar_accounts: list[ARAccountIn] | None = Field(None, max_length=50)
    subscriptions: list[SubscriptionIn] | None = Field(None, max_length=100)
    work_items: list[WorkItemIn] | None = Field(None, max_length=200)

    _not_null = field_validator("kind", "business_unit", "life_cycle_state", *NESTED_LISTS)(not_null)


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AddressRead(Read):
    id: int
    type: str = Field(validation_alias="address_type")
    street: str
    line2: str | None
    city: str
    postcode: str | None
    region: str | None
    country: str
    is_primary: bool


class PhoneRead(Read):
    id: int
    type: str = Field(validation_alias="phone_type")
    number: str
    e164: str | None
    is_primary: bool


class EmailRead(Read):
    id: int
    type: str = Field(validation_alias="email_type")
    address: str
    is_primary: bool


class AccessTokenRead(Read):
    """The secret itself is never part of any answer; only whether one is stored."""

    id: int
    type: str = Field(validation_alias="token_type")
    identifier: str
    status: str
    valid_until: date | None
    has_secret: bool = Field(validation_alias="secret_hash")

    @field_validator("has_secret", mode="before")
    @classmethod
    def _stored(cls, value: Any) -> bool:
        return bool(value)


class ARItemRead(Read):
    id: int
    type: str = Field(validation_alias=AliasChoices("item_type", "type"))
    number: str
    issued_on: date | None
    due_on: date | None
    amount: Decimal
    open_amount: Decimal
    currency: str
    status: str
    disputed_amount: Decimal


class WalletRead(Read):
    id: int
    number: str
    balance: Decimal
    currency: str


class VoucherRead(Read):
    """Never the secret code: only whether one is stored."""

    id: int
    number: str
    value: Decimal
    currency: str
    status: str
    used_on: date | None
    subscription_number: str | None
    has_secret: bool = Field(validation_alias=AliasChoices("secret_encrypted", "has_secret"))

    @field_validator("has_secret", mode="before")
    @classmethod
    def _stored(cls, value: Any) -> bool:
        return bool(value)


class ARAccountRead(Read):
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
    items: list[ARItemRead]
    wallets: list[WalletRead]
    vouchers: list[VoucherRead]


class SubscriptionServiceRead(Read):
    id: int
    code: str
    name: str
    mandatory: bool


class InstalledItemRead(Read):
    id: int
    product: str
    serial_number: str


class SubscriptionRead(Read):
    id: int
    number: str
    status: str
    billing_term_scheme: str
    billing_frequency: str
    start_date: date | None
    services: list[SubscriptionServiceRead]
    installed_items: list[InstalledItemRead]


class WorkItemRead(Read):
    id: int
    kind: str
    number: str
    subject: str
    life_cycle_state: str
    due_on: date | None


class ContactRead(Read):
    id: int
    version: int = Field(description='Send it back as `If-Match: "<version>"` on PATCH and DELETE.')
    kind: str
    display_name: str
    title: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    company_name: str | None
    id_number: str | None
    external_id: str | None
    business_unit: str
    life_cycle_state: str
    category: str | None
    date_of_birth: date | None
    preferred_language: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    # null: a section the active definition does not show the caller (`service.contacts.permissions.shown`).
    addresses: list[AddressRead] | None
    phones: list[PhoneRead] | None
    emails: list[EmailRead] | None
    access_tokens: list[AccessTokenRead]
    ar_accounts: list[ARAccountRead] | None
    subscriptions: list[SubscriptionRead] | None
    work_items: list[WorkItemRead] = Field(description="Only the kinds whose section the definition shows.")
    credit_hold: bool = Field(
        False, description="True when any AR account is on credit hold (the CRM's indicator, shown to every caller)."
    )

    @model_validator(mode="after")
    def _credit_hold(self) -> ContactRead:
        """From the accounts while they are there; a copy whose accounts are hidden keeps the indicator."""
        if self.ar_accounts is not None:
            self.credit_hold = any(account.credit_hold for account in self.ar_accounts)
        return self


class VoucherSecretRead(BaseModel):
    """The one answer that carries a voucher's secret code (audited, never cached)."""

    account_number: str
    voucher_number: str
    secret: str
