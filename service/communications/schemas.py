"""Request and answer shapes of /api/communications (Oracle customer calls, PeopleSoft conversations, ERP
interactions). Closed schemas: `created_by`, ids, versions and timestamps cannot be sent; `contact_id` can only be
set on creation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from service.closed import Closed
from service.models.enums import CallAction, Channel, CommunicationStatus, Direction
from service.types import Money, Text32, Text40, Text64, Text100, UtcDatetime, not_null

Notes = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Keywords = Annotated[list[Text64], Field(max_length=10, description="Keyword1..Keyword10 (PeopleSoft), in order.")]


class ReferenceIn(Closed):
    """A business document the conversation is about (PeopleSoft References: qualifier + reference id)."""

    qualifier: Text32 = Field(examples=["invoice", "item", "transaction", "order"])
    reference_id: Text64 = Field(examples=["INV-2025-004211"])


class ActionIn(Closed):
    """One call action (Oracle Customer Calls: several per call); `amount` belongs to `partial_dispute` and
    `promise_to_pay`, which also needs `promised_on` (not before the interaction date)."""

    action: CallAction
    amount: Money | None = Field(
        None, description="The amount in dispute (`partial_dispute`) or promised (`promise_to_pay`)."
    )
    reference: ReferenceIn | None = Field(
        None,
        description="The item (transaction) the action is about; for `promise_to_pay`, the account (qualifier "
        "`account`, the account number) or an item of it, required when the contact has several accounts.",
    )
    promised_on: date | None = Field(None, description="The date the payment is promised for (`promise_to_pay`).")


Actions = Annotated[list[ActionIn], Field(max_length=20, description="The call actions, in order.")]


class CommunicationCreate(Closed):
    """`actions`, or the one-action shorthand `action` (+ `action_amount`), not both. An amount is required, and
    > 0, exactly for `partial_dispute` (checked by the service)."""

    contact_id: int = Field(ge=1, le=2**31 - 1)
    external_id: Text64 | None = Field(None, description="Id in the system of record; unique.")
    interaction_at: UtcDatetime | None = Field(None, description="Defaults to now; a time without offset is UTC.")
    follow_up_on: date | None = None
    direction: Direction
    channel: Channel
    internal: bool = Field(False, description="Internal notes are not published to the customer.")
    topic: Text100
    status: CommunicationStatus = CommunicationStatus.OPEN
    action: CallAction | None = None
    action_amount: Money | None = Field(None, description="The amount in dispute, for `partial_dispute` only.")
    actions: Actions | None = None
    customer_response: Text64 | None = None
    keywords: Keywords = Field(default_factory=list)
    references: list[ReferenceIn] = Field(default_factory=list, max_length=50)
    notes: Notes | None = None
    contact_person: Text100 | None = None
    contact_phone: Text40 | None = None


class CommunicationUpdate(Closed):
    """Fields left out stay; `keywords` and `references`, when given, replace the whole list.

    `contact_id` is not a field: a communication logged against the wrong contact is deleted and logged again, so
    it can never move into a contact (or business unit) its author could not write to. The action rule applies to
    the communication as it will be after the patch: leaving `partial_dispute` needs `"action_amount": null` too.
    `actions` replaces the whole list; the shorthand `action`/`action_amount` makes it that one action.
    """

    external_id: Text64 | None = None
    interaction_at: UtcDatetime | None = None
    follow_up_on: date | None = None
    direction: Direction | None = None
    channel: Channel | None = None
    internal: bool | None = None
    topic: Text100 | None = None
    status: CommunicationStatus | None = None
    action: CallAction | None = None
    action_amount: Money | None = None
    actions: Actions | None = None
    customer_response: Text64 | None = None
    keywords: Keywords | None = None
    references: list[ReferenceIn] | None = Field(None, max_length=50)
    notes: Notes | None = None
    contact_person: Text100 | None = None
    contact_phone: Text40 | None = None

    _not_null = field_validator(
        "interaction_at", "direction", "channel", "internal", "topic", "status", "keywords", "references", "actions"
    )(not_null)


class ReferenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    qualifier: str
    reference_id: str


class ReferenceOut(BaseModel):
    qualifier: str
    reference_id: str


class ActionRead(BaseModel):
    action: str
    amount: Decimal | None = None
    reference: ReferenceOut | None = None
    promised_on: date | None = None


class CommunicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int = Field(description='Send it back as `If-Match: "<version>"` on PATCH and DELETE.')
    contact_id: int
    external_id: str | None
    created_by: str
    created_at: UtcDatetime
    updated_at: UtcDatetime
    interaction_at: UtcDatetime
    follow_up_on: date | None
    direction: str
    channel: str
    internal: bool
    topic: str
    status: str
    action: str | None
    action_amount: Decimal | None
    actions: list[ActionRead] = Field(description="Every call action; `action`/`action_amount` mirror the first.")
    customer_response: str | None
    keywords: list[str]
    references: list[ReferenceRead]
    notes: str | None
    contact_person: str | None
    contact_phone: str | None
