"""The admin's view of the audit trail."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.types import UtcDatetime


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime
    user: str = Field(validation_alias="user_name")
    role: str
    business_unit: str | None
    endpoint: str = Field(description="Which lookup: quick_search, advanced_search, contact_context, ...")
    method: str
    path: str
    criteria: dict[str, Any] = Field(description="What was asked: field, operator and value, or the criteria.")
    contact_ids: list[int] = Field(description="The contacts the answer showed (or the context opened).")
    total: int | None = Field(description="How many matched in all (searches only).")
    status_code: int
    outcome: str = Field(description="ok, rejected (4xx), unavailable (503) or failed (500).")
    detail: str | None = Field(description="The error answer's detail, when there was one.")
    duration_ms: int


class AuditPage(BaseModel):
    items: list[AuditRead]
    next: int | None = Field(None, description="Pass it as `after` for the next (older) page; null on the last.")
