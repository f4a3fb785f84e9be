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

# A built-in call action, or an additional one of the contact's active definition (`additional_actions`: no effect).
AdditionalAction = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
]
# Left to right: a built-in action is read as its `CallAction` member, only another code as a plain string.
ActionName = Annotated[
    CallAction | AdditionalAction,
    Field(
        union_mode="left_to_right",
        description="A built-in call action or one of the active definition's `additional_actions`.",
    ),
]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Keywords = Annotated[list[Text64], Field(max_length=10, description="Keyword1..Keyword10 (PeopleSoft), in order.")]


class ReferenceIn(Closed):
    """A business document the conversation is about (PeopleSoft References: qualifier + reference id)."""

    qualifier: Text32 = Field(examples=["invoice", "item", "transaction", "order"])
    reference_id: Text64 = Field(examples=["INV-2025-004211"])


class ActionIn(Closed):
    """One call action (Oracle Customer Calls: several per call), with its effect (`communications.effects`);
    `promise_to_pay` needs `amount` and `promised_on` (not before the interaction date)."""

    action: ActionName
    amount: Money | None = Field(
        None,
        description="The amount in dispute for `partial_dispute` (0 ends the dispute), the amount to credit for "
        "`credit_memo`, the amount promised for `promise_to_pay`; no other action carries one.",
    )
    reference: ReferenceIn | None = Field(
        None,
        description="What the action is about: `transaction` (an item's number) for `partial_dispute` and "
        "`credit_memo`; `account` (an account number) or `transaction` for the dunning actions and "
        "`promise_to_pay` (required when the contact has several accounts).",
    )
    promised_on: date | None = Field(None, description="The date the payment is promised for (`promise_to_pay`).")


Actions = Annotated[list[ActionIn], Field(max_length=20, description="The call actions, in order.")]


class CommunicationCreate(Closed):
    """`actions`, or the one-action shorthand `action` (+ `action_amount`), not both. An amount is required, and
    >= 0, for `partial_dispute`, optional for `credit_memo` (checked by the service); `collection_follow_up` needs
    `follow_up_on`."""

    contact_id: int = Field(ge=1, le=2**31 - 1)
    external_id: Text64 | None = Field(None, description="Id in the system of record; unique.")
    interaction_at: UtcDatetime | None = Field(None, description="Defaults to now; a time without offset is UTC.")
    follow_up_on: date | None = None
    direction: Direction
    channel: Channel
    internal: bool = Field(False, description="Internal notes are not published to the customer.")
    topic: Text100 = Field(description="One of the active definition's `topics` codes when it lists some.")
    status: CommunicationStatus = CommunicationStatus.OPEN
    action: ActionName | None = None
    action_amount: Money | None = Field(None, description="The amount in dispute, for `partial_dispute` only.")
    actions: Actions | None = None
    customer_response: Text64 | None = Field(
        None, description="One of the active definition's `customer_responses` codes when it lists some."
    )
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
    action: ActionName | None = None
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


class EffectRead(BaseModel):
    """What one call action did: `dunning_excluded`, `dunning_included`, `dispute_placed`, `dispute_ended`,
    `credit_memo_requested`, `follow_up_scheduled`, `alert_listed`, `promise_recorded`."""

    action: str
    effect: str
    account: str | None = Field(None, description="The account's number.")
    item: str | None = Field(None, description="The item's (transaction's) number.")
    amount: Decimal | None = None
    follow_up_on: date | None = None


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
    effects: list[EffectRead] = Field(
        default_factory=list, description="The effects of the write that answers (empty on reads)."
    )


class AlertItem(BaseModel):
    """A communication carrying an `alert` action, in the admins' alert list."""

    communication_id: int
    contact_id: int
    display_name: str
    interaction_at: UtcDatetime
    created_by: str
    notes: str | None
    topic: str
    status: str


class AlertList(BaseModel):
    items: list[AlertItem]
