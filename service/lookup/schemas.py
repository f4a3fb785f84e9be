"""Answers of the identifying lookups: the caller of a call, the likely duplicates of a new contact."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.context.schemas import ContactContext
from service.search.schemas import SearchItem


class CallerLookup(BaseModel):
    """The contacts holding the caller's number, best first; with exactly one, its whole context as well."""

    number: str = Field(description="The number as the switch sent it.", examples=["+33612345678"])
    total: int = Field(description="How many contacts of the caller's business unit hold the number.")
    items: list[SearchItem] = Field(description="Best first: active customers, then prospects, suspended, closed.")
    context: ContactContext | None = Field(
        None, description="When exactly one contact matches: its context, as GET /api/contacts/{id}/context answers."
    )


class SimilarContacts(BaseModel):
    """Existing contacts a new one may duplicate, the likeliest first; highlights say what matched."""

    total: int
    items: list[SearchItem]
