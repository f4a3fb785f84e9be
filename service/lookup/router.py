"""GET /api/lookup/caller (telephony's screen pop) and GET /api/contacts/similar (before a new contact is saved)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response

from service.deps import CallerLookup, SessionDep, SimilarContactsLookup
from service.errors import error_response
from service.lookup import service
from service.lookup.schemas import CallerLookup as CallerLookupAnswer
from service.lookup.schemas import SimilarContacts
from service.search.identify import Similar

router = APIRouter(tags=["lookup"])

ERRORS = {
    **error_response(401, "missing or invalid bearer token"),
    **error_response(422, "number: a phone number must contain digits"),
    **error_response(503, "search engine unavailable; retry shortly"),
}
Text = Annotated[str | None, Query(max_length=1000)]


@router.get("/api/lookup/caller", response_model=CallerLookupAnswer, responses=ERRORS)
async def lookup_caller(
    lookup: CallerLookup,
    session: SessionDep,
    number: Annotated[
        str,
        Query(
            max_length=1000,
            description="The caller's number as the switch sends it: `+33612345678`, `0033 6 12 34 56 78`, "
            "`06 12 34 56 78` (the default region's), `tel:+33612345678`, `sip:0612345678@pbx`.",
        ),
    ],
    size: Annotated[int | None, Query(ge=1, description="How many contacts at most (capped by the server).")] = None,
) -> Response:
    """The contacts of the caller's business unit holding the number in any format, best first; when exactly one
    does, its context in the same answer (one round trip for a screen pop). Audited as a lookup."""
    lookup.audit.asked({"number": number, "size": size})
    page, context = await service.caller(number, size=size, lookup=lookup, session=session)
    items = page["items"]
    lookup.audit.showed(
        (item["contact_id"] for item in items),
        total=page["total"],
        communication_ids=(c.id for c in (context.communications or [])) if context else (),
        units=(item["business_unit"] for item in items),
    )
    answer: dict[str, Any] = {
        "number": number,
        "total": page["total"],
        "items": items,
        "context": context.model_dump(mode="json") if context else None,
    }
    return Response(orjson.dumps(answer), media_type="application/json")


@router.get("/api/contacts/similar", response_model=SimilarContacts, responses=ERRORS)
async def similar_contacts(
    lookup: SimilarContactsLookup, phone: Text = None, email: Text = None, name: Text = None
) -> Response:
    """Existing contacts of the caller's business unit a new one may duplicate: the same phone in any format, the
    same email, or a name alike (exact, or within a few typos), the likeliest first. Asked before saving one."""
    lookup.audit.asked({"phone": phone, "email": email, "name": name})
    page = await service.similar(Similar(phone=phone, email=email, name=name), lookup=lookup)
    items = page["items"]
    lookup.audit.showed(
        (item["contact_id"] for item in items), total=page["total"], units=(item["business_unit"] for item in items)
    )
    return Response(orjson.dumps({"total": page["total"], "items": items}), media_type="application/json")
