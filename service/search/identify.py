"""PURE: who is this customer? The caller's number (a telephony screen pop), a new contact's likely duplicates, and
a value typed in the one box (quick field `any`) whatever it is.

All are quick-index lookups built from the quick-search clauses (`queries.quick_clause`), so a number matches in
any written format exactly as a quick search by phone does, and a name with the same typo tolerance; only the
ranking is their own: a phone, an email or an identifier that matches is near certain, above any name. No client,
no session.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from search_definitions import catalogue
from search_definitions.catalogue import ANY_TYPES, BY_KEY, CatalogueField, FieldType, Operator
from service.models.enums import ContactState
from service.search import highlights, results
from service.search.queries import NAME_SORT, quick_clause, quick_page, scope_filter
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
    """The contacts holding the number, in the caller's business unit, best first: the default region's reading of
    the number above another country's national number (`queries.phone_clause`, scored, hence `must`), then
    `STATE_RANK`, then name."""
    return {
        "query": {
            "bool": {
                "must": [quick_clause(PHONE, Operator.EQUALS, number, phone_region=phone_region)],
                "filter": scope_filter(business_unit),
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
        should.append(weighed(field, clause))
    return {
        "query": {"bool": {"should": should, "minimum_should_match": 1, "filter": scope_filter(business_unit)}},
        "size": size,
        "sort": list(RANKED_SORT),
        "track_total_hits": True,
    }


def weighed(field: CatalogueField, clause: dict[str, Any]) -> dict[str, Any]:
    """A contact point or identifier above every name: a name keeps its own scores (`queries.typo_tolerant`: as
    stored, then within a few typos), the others a constant above them, a phone with its own ranking on top
    (`queries.phone_clause`: the default region's reading first)."""
    if field.type is FieldType.TEXT:
        return clause
    if field.type is FieldType.PHONE:
        return {"bool": {"must": [clause, {"match_all": {"boost": CONTACT_POINT_BOOST}}]}}
    return {"constant_score": {"filter": clause, "boost": CONTACT_POINT_BOOST}}


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


# What a value typed in the one box could be, by its shape alone (`=` and `like` alike, the `%` aside): an `@` is
# an email and nothing else; a phone has digits and only what numbers are written with; an identifier has a digit
# and only letters, digits and the separators identifiers drop (`service.text.fold_identifier`); a name has a
# letter (digits too, now and then: "Garage 2000"), so a value can be an identifier and a name, the identifier's
# holder then first.
PHONE_MARKS = frozenset(" +()-./")
IDENTIFIER_SEPARATORS = frozenset(" -./_")


def fits(field: CatalogueField, value: str) -> bool:
    """Whether `value` could be a value of `field`, one of the types the one box searches (`catalogue.ANY_TYPES`)."""
    text = value.replace("%", "")
    if field.type is FieldType.EMAIL or "@" in text:
        return field.type is FieldType.EMAIL and "@" in text
    digit = any(c.isdigit() for c in text)
    letter = any(c.isalpha() for c in text)
    if field.type is FieldType.PHONE:
        return digit and all(c.isdigit() or c in PHONE_MARKS for c in text)
    if field.type is FieldType.IDENTIFIER:
        return digit and all(c.isalnum() or c in IDENTIFIER_SEPARATORS for c in text)
    return field.type is FieldType.TEXT and letter


def any_fields(keys: Sequence[str], operator: Operator, value: str, *, phone_region: str) -> list[CatalogueField]:
    """The quick fields among `keys` (the active definition's) that the one box searches `value` on: those its
    shape fits and that can take it (a `like` part long enough once normalised, a phone with digits). None is a
    `CriteriaError`: the first field's refusal, or what the value was taken for."""
    fitting = [field for key in keys if (field := BY_KEY[key]).type in ANY_TYPES and fits(field, value)]
    taking: list[CatalogueField] = []
    refusals: list[str] = []
    for field in fitting:
        try:
            quick_clause(field, operator, value, phone_region=phone_region)
        except CriteriaError as exc:
            refusals.append(str(exc))
            continue
        taking.append(field)
    if taking:
        return taking
    if refusals:
        raise CriteriaError(refusals[0])
    searched = ", ".join(k for k in keys if BY_KEY[k].type in ANY_TYPES) or "none"
    raise CriteriaError(
        f"'{value}' is not a phone number, an email address, an identifier or a name that the active definition's "
        f"quick fields hold; {catalogue.ANY.key} searches: {searched}"
    )


def any_search_body(
    *,
    fields: Sequence[CatalogueField],
    operator: Operator,
    value: str,
    size: int,
    after: Sequence[Any] | None,
    phone_region: str,
    business_unit: str | None,
    older_mapping: bool = False,
    candidates: bool = False,
) -> dict[str, Any]:
    """The one box: the value on each of `fields` (`any_fields`), a contact matching any of them, an identifier,
    phone or email match above a name (`weighed`); `older_mapping` and `candidates` as in `queries.quick_clause`."""
    should = [
        weighed(
            field,
            quick_clause(
                field, operator, value, phone_region=phone_region, older_mapping=older_mapping, candidates=candidates
            ),
        )
        for field in fields
    ]
    query = {"bool": {"should": should, "minimum_should_match": 1}}
    return quick_page(query, ranked=True, size=size, after=after, business_unit=business_unit)


def any_matchers(
    fields: Sequence[CatalogueField], operator: Operator, value: str, *, phone_region: str
) -> list[results.Matcher]:
    """Which stored value of which field matched, each item's highlights naming the field (as quick search does)."""
    return [
        results.Matcher(
            field.key,
            field.highlight_path,
            highlights.locator(field, operator, value, phone_region=phone_region),
            field.item_path,
        )
        for field in fields
    ]
