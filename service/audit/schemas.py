"""The admin's view of the audit trail."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.surrogates import scrub
from service.types import UtcDatetime


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime
    user: str = Field(validation_alias="user_name")
    role: str
    business_unit: str | None
    endpoint: str = Field(description="Which endpoint: quick_search, advanced_search, contact_context, contact, ...")
    action: str = Field(description="read (every lookup, and a contact or communication read), create, update, delete.")
    method: str
    path: str
    criteria: dict[str, Any] = Field(
        description="What was asked, as validated: field, operator and value, the criteria, the contact id. A refused "
        "request whose criteria exceed 2 KB keeps a summary instead: truncated, bytes, keys and head."
    )
    contact_ids: list[int] = Field(description="The contacts the answer showed, or the write touched.")
    communication_ids: list[int] = Field(description="The communications the answer showed, or the write touched.")
    changed: list[str] = Field(
        description="The fields a write changed (names only: a secret changed is `access_tokens.secret`, no value)."
    )
    contact_unit: str | None = Field(description="The business unit of the contacts the entry is about, when one.")
    total: int | None = Field(description="How many matched in all (searches only).")
    status_code: int
    outcome: str = Field(description="ok, rejected (4xx), unavailable (503) or failed (500).")
    detail: str | None = Field(description="The error answer's detail, when there was one.")
    duration_ms: int
    request_id: str | None = Field(None, description="The request's X-Request-ID, as its log lines carry it.")

    @field_validator("*", mode="after")
    @classmethod
    def _readable(cls, value: Any) -> Any:
        """An entry stored before its text was scrubbed (SQLite keeps a lone surrogate) still reads back."""
        return scrub(value)


class AuditPage(BaseModel):
    items: list[AuditRead]
    next: int | None = Field(None, description="Pass it as `after` for the next (older) page; null on the last.")
