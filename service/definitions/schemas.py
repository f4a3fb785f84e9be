"""Admin and agent views of definitions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from search_definitions.schema import Definition


class DefinitionRead(BaseModel):
    id: int
    version: int
    author: str
    updated_at: datetime
    active_for: list[str] = Field(description="Business units it is active for; '*' means everyone.")
    definition: Definition


class VersionRead(BaseModel):
    version: int
    author: str
    created_at: datetime
    note: str | None
    definition: Definition


class RollbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1)


class FieldRead(BaseModel):
    key: str
    label: str
    type: str
    operators: list[str]
    values: list[str] = []


class ActiveDefinitionRead(BaseModel):
    """What an agent screen draws: quick fields in order with labels and operators, advanced sections."""

    definition: Definition
    quick_search_fields: list[FieldRead]
    advanced_search_fields: dict[str, list[FieldRead]]


class CatalogueRead(BaseModel):
    """Everything an editor may put into a definition: eligible fields per place, scopes, actions, sections."""

    quick_search_fields: list[FieldRead] = Field(description="Fields that may be quick-search fields.")
    advanced_search_fields: dict[str, list[FieldRead]] = Field(description="Advanced-search fields per section.")
    address_scopes: list[str]
    actions: list[str]
    context_sections: list[str]
    max_recent_communications_limit: int
