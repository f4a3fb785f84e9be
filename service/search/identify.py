"""PURE: who is this customer? The caller's number (a telephony screen pop) and a new contact's likely duplicates.

Both are quick-index lookups built from the quick-search clauses (`queries.quick_clause`), so a number matches in
any written format exactly as a quick search by phone does, and a name with the same typo tolerance; only the
ranking is their own. No client, no session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from search_definitions.catalogue import BY_KEY, CatalogueField, Operator
from service.models.enums import ContactState
from service.search import highlights, results
from service.search.queries import NAME_SORT, quick_clause, scope_filter
from service.search.terms import CriteriaError

PHONE = BY_KEY["phone"]
EMAIL = BY_KEY["email"]
NAME = BY_KEY["name"]
LIFE_CYCLE_STATE = BY_KEY["life_cycle_state"].path
# A caller is more likely a customer in force than a closed one: active, then prospect, then suspended, then
# closed (no boost); ties by name.
STATE_RANK = {ContactState.ACTIVE: 3.0, ContactState.PROSPECT: 2.0, ContactState.SUSPENDED: 1.0}
RANKED_SORT = ({"_score": "desc"}, *NAME_SORT)
# What a switch may send besides the number: a `tel:` or `sip:` URI, its parameters, a SIP host.
URI_SCHEME = re.compile(r"^\s*(tel|sips?):", re.IGNORECASE)
# A phone or an email that matches is near certain, above any name; a name as it is stored (folded) is above
# a name within a few typos (`queries.typo_tolerant` scores those below its exact boost).
CONTACT_POINT_BOOST = 2000.0
SIMILAR_SIZE = 5


def caller_number(raw: str) -> str:
    """The number in what the switch sent: `+33 6 12 34 56 78` as it is, `tel:+33612345678;phone-context=...` and
    `sip:0612345678@pbx.example` reduced to the number."""
    value = raw.strip()
    if URI_SCHEME.match(value):
        value = URI_SCHEME.sub("", value).split(";", 1)[0].split("@", 1)[0]
    if not value.strip():
        raise CriteriaError("give the caller's number, e.g. +33612345678")
    return value.strip()


def caller_body(*, number: str, size: int, phone_region: str, business_unit: str | None) -> dict[str, Any]:
    """The contacts holding the number, in the caller's business unit, best first (`STATE_RANK`, then name)."""
    return {
        "query": {
            "bool": {
                "filter": [
                    quick_clause(PHONE, Operator.EQUALS, number, phone_region=phone_region),
                    *scope_filter(business_unit),
                ],
                "should": [
                    {"constant_score": {"filter": {"term": {LIFE_CYCLE_STATE: state}}, "boost": boost}}
                    for state, boost in STATE_RANK.items()
                ],
            }
        },
        "size": size,
        "sort": list(RANKED_SORT),
        "track_total_hits": True,
    }


@dataclass(frozen=True, slots=True)
class Similar:
    """What is known of a new contact before it is saved; at least one of them."""

    phone: str | None = None
    email: str | None = None
    name: str | None = None

    def given(self) -> list[tuple[CatalogueField, str]]:
        fields = ((PHONE, self.phone), (EMAIL, self.email), (NAME, self.name))
        return [(field, value.strip()) for field, value in fields if value is not None and value.strip()]


def similar_body(
    similar: Similar, *, size: int = SIMILAR_SIZE, phone_region: str, business_unit: str | None
) -> dict[str, Any]:
    """Contacts sharing the phone (any format) or the email, or named alike (exact or within a few typos), in the
    caller's business unit; a contact matching on more of them first."""
    given = similar.given()
    if not given:
        raise CriteriaError("give a phone, an email or a name to compare with")
    should: list[dict[str, Any]] = []
    for field, value in given:
        try:
            clause = quick_clause(field, Operator.EQUALS, value, phone_region=phone_region)
        except CriteriaError as exc:
            raise CriteriaError(f"{field.key}: {exc}") from None
        should.append(
            clause if field.typo_tolerant else {"constant_score": {"filter": clause, "boost": CONTACT_POINT_BOOST}}
        )
    return {
        "query": {"bool": {"should": should, "minimum_should_match": 1, "filter": scope_filter(business_unit)}},
        "size": size,
        "sort": list(RANKED_SORT),
        "track_total_hits": True,
    }


def matchers(given: list[tuple[CatalogueField, str]], *, phone_region: str) -> list[results.Matcher]:
    """Which stored value matched each criterion, for the answer's highlights (as quick search shows them)."""
    return [
        results.Matcher(
            field.key,
            field.highlight_path,
            highlights.locator(field, Operator.EQUALS, value, phone_region=phone_region),
        )
        for field, value in given
    ]
