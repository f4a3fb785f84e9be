"""Request and answer shapes of the search endpoints; closed schemas (unknown fields are refused)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from service.closed import Closed
from service.types import bounded_depth


class QuickSearchRequest(Closed):
    field: str = Field(description="A quick-search field of the active definition.", examples=["phone"])
    operator: str = Field("=", description="`=` exact match, or `like` with `%` wildcards.", examples=["like"])
    value: str = Field(description="What to look for; `like` without `%` means starts with.", examples=["Mar"])
    size: int | None = Field(None, ge=1, description="Page size (capped by the server).")
    after: str | None = Field(None, max_length=512, description="The `next` cursor of the previous page.")


# A section's criteria: field, then a value or {"operator", "value"} / {"min", "max"}. Nothing deeper means
# anything, and a deeper one would only cost stack in every walk over it (validation, the audit record).
CRITERIA_DEPTH = 2
Criteria = Annotated[
    dict[str, Any],
    bounded_depth(CRITERIA_DEPTH, shape="a field, then operator and value or min and max"),
]


class AdvancedSearchRequest(Closed):
    """Criteria per section, keyed by catalogue field; all must hold (AND). Criteria on one address, account,
    subscription or token must hold for the same one. `address.scope` is any, billing or subscription."""

    contact: Criteria | None = Field(None, examples=[{"last_name": "Lef%", "life_cycle_state": "active"}])
    address: Criteria | None = Field(None, examples=[{"scope": "billing", "city": "Paris", "postcode": "75002"}])
    access_token: Criteria | None = None
    accounts_receivable: Criteria | None = Field(None, examples=[{"credit_hold": True, "balance": {"min": 100}}])
    subscriptions: Criteria | None = None
    size: int | None = Field(None, ge=1)
    after: str | None = Field(None, max_length=512)


class Highlight(BaseModel):
    """Which field matched, the value as stored, and where in it (character offsets, end exclusive)."""

    field: str = Field(examples=["name"])
    value: str = Field(examples=["Marie Lefèvre"])
    spans: list[list[int]] = Field(default_factory=list, examples=[[[6, 13]]])
    fuzzy: bool = Field(False, description="Matched within a typo or two, not exactly.")
    item: dict[str, Any] | None = Field(
        None,
        description="The entry the value names, for a transaction number: its `number`, `type` and `account`.",
        examples=[{"number": "INV-1001", "type": "invoice", "account": "AR-0042"}],
    )


class AccountSummary(BaseModel):
    number: str | None = None
    balance: float | None = None
    currency: str | None = None
    status: str | None = None


class SearchItem(BaseModel):
    contact_id: int
    display_name: str
    kind: str
    business_unit: str
    highlights: list[Highlight]
    primary_phone: str | None = None
    primary_email: str | None = None
    main_account: AccountSummary | None = None
    credit_hold: bool = False
    score: float | None = Field(
        None,
        description="Relevance, for `=` on a typo-tolerant name field (exact above typo-tolerant); null for every "
        "other lookup, whose hits match equally and come in name order.",
    )


class SearchPage(BaseModel):
    total: int
    items: list[SearchItem]
    next: str | None = Field(None, description="Cursor for the next page; null on the last page.")


def dump(item: BaseModel) -> dict[str, Any]:
    return item.model_dump(mode="json")


class CommunicationSearchRequest(Closed):
    """Criteria of the communications section the active definition enables, and optionally one contact."""

    criteria: Criteria = Field(examples=[{"reference_id": "INV-2025-0004211", "reference_qualifier": "invoice"}])
    contact_id: int | None = Field(None, ge=1, le=2**31 - 1)
    size: int | None = Field(None, ge=1)
    after: str | None = Field(None, max_length=512)


class Reference(BaseModel):
    qualifier: str
    reference_id: str


class CommunicationItem(BaseModel):
    """Enough to show the line and to load its contact (`contact_id`)."""

    communication_id: int
    contact_id: int
    contact_display_name: str
    created_by: str
    created_at: str
    interaction_at: str | None = None
    follow_up_on: str | None = None
    direction: str | None = None
    channel: str | None = None
    internal: bool = False
    topic: str | None = None
    status: str | None = None
    action: str | None = None
    action_amount: float | None = None
    customer_response: str | None = None
    keywords: list[str] = []
    references: list[Reference] = []


class CommunicationPage(BaseModel):
    total: int
    items: list[CommunicationItem]
    next: str | None = Field(None, description="Cursor for the next page; null on the last page.")


class Suggestion(BaseModel):
    text: str = Field(description="The completion: the display name for a name, else the value as written.")
    contact_id: int
    field: str = Field(description="The quick field that matched.", examples=["account_number"])
    value: str = Field(description="The stored value that starts with the prefix.", examples=["Márquez"])
    display_name: str
    business_unit: str


class Suggestions(BaseModel):
    field: str
    prefix: str
    items: list[Suggestion] = Field(description="At most 8, in name order; one a contact.")
