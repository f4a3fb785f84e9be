"""What a caller may learn about itself."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PrincipalRead(BaseModel):
    name: str
    role: str = Field(description="`agent` or `admin`; screens use it to offer admin pages (the API still checks).")
    business_unit: str | None = Field(description="The one business unit the caller sees; null means all of them.")
