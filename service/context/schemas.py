"""The contact context: everything the Communication Centre shows once a contact is selected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from service.communications.schemas import CommunicationRead
from service.contacts.schemas import (
    AccessTokenRead,
    AddressRead,
    ARAccountRead,
    ARItemRead,
    EmailRead,
    PhoneRead,
    SubscriptionRead,
    VoucherRead,
    WalletRead,
    WorkItemRead,
)
from service.types import UtcDatetime


class ContextPhone(PhoneRead):
    @computed_field(  # type: ignore[prop-decorator]
        description="False for a number stored as typed because it is no valid number (imported legacy data): "
        "it has no E.164 form, is found by its digits only, and is worth checking with the customer."
    )
    @property
    def normalised(self) -> bool:
        return self.e164 is not None


class ContactInformation(BaseModel):
    id: int
    version: int
    kind: str
    display_name: str
    title: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    company_name: str | None
    id_number: str | None
    business_unit: str
    life_cycle_state: str
    category: str | None
    preferred_language: str | None
    updated_at: UtcDatetime
    access_tokens: list[AccessTokenRead]


class Grouped(BaseModel):
    """Split by life-cycle state exactly as the CRM lists them (e.g. jobs: Draft/Pending/In Progress vs
    Completed/Cancelled)."""

    non_completed: list[WorkItemRead]
    completed: list[WorkItemRead]


class CreditMemoRequestRead(BaseModel):
    """A call's `credit_memo` action: a credit memo asked for against one item (`communication_id` None once that
    call was deleted)."""

    model_config = ConfigDict(from_attributes=True)

    item: str = Field(description="The item's (transaction's) number.")
    amount: Decimal | None
    requested_by: str
    requested_at: UtcDatetime
    communication_id: int | None


class OpenItem(ARItemRead):
    days_past_due: int = Field(description="Days since the due date on the day of the answer (0 until it passes).")
    bucket: str = Field(description="current, 1-30, 31-60, 61-90 or over_90.")
    past_due: bool
    credit_memo_requests: list[CreditMemoRequestRead] = Field(
        default_factory=list, description="The credit memos asked for against this item, oldest first."
    )


class Aging(BaseModel):
    """The open amounts owed by days past due: `current` is not yet past due."""

    model_config = ConfigDict(populate_by_name=True)

    current: Decimal
    days_1_30: Decimal = Field(alias="1-30")
    days_31_60: Decimal = Field(alias="31-60")
    days_61_90: Decimal = Field(alias="61-90")
    over_90: Decimal


class CurrencyAmount(BaseModel):
    currency: str
    amount: Decimal


class PromiseRead(BaseModel):
    """A promise to pay made on a call, and its state on the day of the answer (`service.receivables`)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    communication_id: int
    amount: Decimal
    currency: str
    promised_on: date
    state: str = Field(
        description="pending (its date not passed, not yet covered), kept (payments from the day it was made "
        "through its date cover it) or broken (its date passed and not kept)."
    )
    created_by: str
    created_at: UtcDatetime


class AccountFinancials(BaseModel):
    number: str
    name: str
    currency: str
    balance: Decimal
    status: str
    credit_hold: bool
    dunning_excluded: bool
    collector: str | None
    past_due_amount: Decimal
    disputed_amount: Decimal
    in_dispute: bool
    aging: Aging
    open_items: list[OpenItem] = Field(description="Items still owed, oldest due date first (at most 100).")
    open_items_total: int
    latest_payments: list[ARItemRead] = Field(description="Newest first (at most 10).")
    payments_total: int
    wallets: list[WalletRead] = Field(description="The account's wallets and their balances (at most 20).")
    wallets_total: int
    used_vouchers: list[VoucherRead] = Field(
        description="Vouchers used on the account, latest use first (at most 10); never their secret code."
    )
    used_vouchers_total: int
    credit_memo_requests: list[CreditMemoRequestRead] = Field(
        default_factory=list,
        description="Every credit memo asked for against an item of the account (closed items too), newest first "
        "(at most 20).",
    )
    promises: list[PromiseRead] = Field(
        default_factory=list, description="Promises to pay on the account, newest first (at most 20), with their state."
    )
    promises_total: int = 0


class Financials(BaseModel):
    """What a collector reads first: credit hold and dunning at the top, then each account's money by age."""

    as_of: date
    credit_hold: bool
    dunning_excluded: bool = Field(description="Any account excluded from dunning.")
    total_past_due: list[CurrencyAmount]
    total_in_dispute: list[CurrencyAmount]
    accounts: list[AccountFinancials]


class ContactContext(BaseModel):
    contact: ContactInformation
    credit_hold: bool = Field(description="The indicator at the top of the screen: any account on credit hold.")
    sections: list[str] = Field(description="The sections the active definition shows, in its order.")
    actions: list[str] = Field(description="The action-panel actions the active definition enables.")
    addresses: list[AddressRead] | None = None
    phones: list[ContextPhone] | None = None
    emails: list[EmailRead] | None = None
    accounts_receivable: list[ARAccountRead] | None = None
    financials: Financials | None = None
    subscriptions: list[SubscriptionRead] | None = None
    communications: list[CommunicationRead] | None = None
    activities: Grouped | None = None
    jobs: Grouped | None = None
    service_requests: Grouped | None = None
    notifications: Grouped | None = None
    leads: Grouped | None = None
