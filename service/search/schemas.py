"""Request and answer shapes of the search endpoints; closed schemas (unknown fields are refused)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class QuickSearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="A quick-search field of the active definition.", examples=["phone"])
    operator: str = Field("=", description="`=` exact match, or `like` with `%` wildcards.", examples=["like"])
    value: str = Field(description="What to look for; `like` without `%` means starts with.", examples=["Mar"])
    size: int | None = Field(None, ge=1, description="Page size (capped by the server).")
    after: str | None = Field(None, max_length=512, description="The `next` cursor of the previous page.")


class Highlight(BaseModel):
    field: str
    value: str


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
    score: float | None = None


class SearchPage(BaseModel):
    total: int
    items: list[SearchItem]
    next: str | None = Field(None, description="Cursor for the next page; null on the last page.")


def dump(item: BaseModel) -> dict[str, Any]:
    return item.model_dump(mode="json")
