"""The contact context: everything the Communication Centre shows once a contact is selected."""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

from service.communications.schemas import CommunicationRead
from service.contacts.schemas import (
    AccessTokenRead,
    AddressRead,
    ARAccountRead,
    EmailRead,
    PhoneRead,
    SubscriptionRead,
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


class ContactContext(BaseModel):
    contact: ContactInformation
    credit_hold: bool = Field(description="The indicator at the top of the screen: any account on credit hold.")
    sections: list[str] = Field(description="The sections the active definition shows, in its order.")
    actions: list[str] = Field(description="The action-panel actions the active definition enables.")
    addresses: list[AddressRead] | None = None
    phones: list[ContextPhone] | None = None
    emails: list[EmailRead] | None = None
    accounts_receivable: list[ARAccountRead] | None = None
    subscriptions: list[SubscriptionRead] | None = None
    communications: list[CommunicationRead] | None = None
    activities: Grouped | None = None
    jobs: Grouped | None = None
    service_requests: Grouped | None = None
    notifications: Grouped | None = None
    leads: Grouped | None = None
