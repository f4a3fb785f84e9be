"""The base of every request body: closed (a field it does not name is a 422, so ids, versions or authors cannot
be slipped in) and free of NUL characters, which PostgreSQL stores in no text, varchar or jsonb column (SQLite
would keep them, so the same request must be refused on both)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

NUL = "\x00"


def refuse_nul(value: Any) -> Any:
    """Every string in `value`, map keys and nested lists included; nested models check their own fields."""
    if isinstance(value, str):
        if NUL in value:
            raise ValueError("must not contain NUL (\\u0000) characters")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item)
    return value


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)
