"""PURE query building: (catalogue field, operator, value, scope) -> OpenSearch body. No client, no session.

`like` follows the Communication Centre manual: `%ria` ends with, `Ma%` and `Mar` start with, `%ari%`
contains. A quick field answers it from its slices (`like_clause`); elsewhere it runs on a `.wild`
(wildcard-type) sub-field, so even a leading `%` is answered from its n-gram index instead of scanning the
whole terms dictionary. Either way each part between `%` signs has two characters at least, there are few of
them, and several need one of four (`terms.LikePattern.bounded`). User text only ever becomes a term or an
escaped wildcard pattern; it never reaches a query parser or a script.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from search_definitions.catalogue import (
    ADDRESS_TYPE,
    BY_KEY,
    COMMUNICATION_ID,
    CONTACT_ID,
    CREATED_AT,
    CREATED_BY,
    FIELDS,
    GRAM_LENGTH,
    NAME_ORDER,
    SLICE_END,
    SLICE_LENGTHS,
    SLICE_START,
    STRING_TYPES,
    SUMMARY_PATHS,
    CatalogueField,
    Daily,
    FieldType,
    Operator,
    Section,
    Subfield,
)
from service.search.criteria import Criterion
from service.search.terms import CriteriaError, LikePattern, like_pattern, national_terms, normalise_value, phone_term

NAME_SORT = tuple({field: "asc"} for field in NAME_ORDER)
# Ties of relevance go by name: a page is stable however many hits share a score.
SORT = ({"_score": "desc"}, *NAME_SORT)
# Paths the catalogue owns. A communication carries its contact's business unit on the same path as the contact.
BUSINESS_UNIT = BY_KEY["business_unit"].path
ADDRESSES = next(f.nested for f in FIELDS if f.section is Section.ADDRESS and f.nested)
FOLLOW_UP_ON = BY_KEY["follow_up_date"].path
COMMUNICATION_STATUS = BY_KEY["communication_status"].path


def like_clause(
    path: str, pattern: LikePattern, *, slices: bool = False, grams: bool = False, candidates: bool = False
) -> dict[str, Any]:
    """A `like` answered from the index: each part looked up in `.slices` (or `.grams`), the wildcard on `.wild`
    only where they cannot say it all.

    A part of two to four characters is exactly "holds that slice": one term, nothing to verify; a starts-with or
    ends-with of up to three is a slice with the value's start or end mark (`catalogue.SLICE_START`). A longer
    infix on a field with `.grams` is exactly "holds its three-letter grams one after the other", a phrase (the
    wildcard verified 34,713 candidates for `%artin%` among the million demo contacts, 90-220 ms). A longer part
    elsewhere, or one anchored past three characters, needs both ends of its four-character slices. When that is
    not all of the pattern (several parts in order, a long anchored part), the wildcard verifies what the slices
    let through: the engine checks only the documents that hold every part. Only ASCII parts: the pattern was
    folded in Python, the slices by the engine, and the two agree for certain on ASCII alone. The score stays
    the wildcard's constant 1, so the order (score, then name) is the same whichever query ran.

    `case_insensitive` on the wildcard would only add cost: the `.wild` normalizer folds the pattern as it folded
    the values, and each required trigram would become an automaton over its case variants.

    `candidates` leaves out the check of a several-part pattern's order, so the query finds what that check
    would be run on (`candidates_probe`)."""
    wildcard = {"wildcard": {f"{path}.{Subfield.WILD}": {"value": pattern.wildcard()}}}
    if not slices:
        return wildcard
    lookups: list[dict[str, Any]] = []
    exact = len(pattern.parts) == 1
    for index, part in enumerate(pattern.parts):
        if not part.isascii() or SLICE_START in part or SLICE_END in part:
            exact = False
            continue
        starts, ends = pattern.anchored(index)
        marked = (SLICE_START if starts else "") + part + (SLICE_END if ends else "")
        if len(marked) in SLICE_LENGTHS:
            lookups.append({"term": {f"{path}.{Subfield.SLICES}": marked}})
        elif grams and not (starts or ends) and len(part) > GRAM_LENGTH:
            lookups.append({"match_phrase": {f"{path}.{Subfield.GRAMS}": part}})
        else:
            width = SLICE_LENGTHS[-1]
            edge_slices = dict.fromkeys((marked[:width], marked[-width:]))
            lookups.extend({"term": {f"{path}.{Subfield.SLICES}": s}} for s in edge_slices)
            exact = False
    if not lookups:
        return wildcard
    if not exact and not (candidates and len(pattern.parts) > 1):
        lookups.append(wildcard)
    if len(lookups) == 1:
        return {"constant_score": {"filter": lookups[0]}}
    return {"constant_score": {"filter": {"bool": {"filter": lookups}}}}


def word_edge_clause(path: str, pattern: LikePattern, clause: dict[str, Any]) -> dict[str, Any]:
    """`clause`, or a word of the name starting (or ending) with the part: `Mar` finds "Anne-Marie Dupont", `%ez`
    "García Márquez". Each is one term of the name's word starts (`.word_starts`) or ends (`.word_ends`), folded
    by the engine as the part was in Python; words split at spaces, hyphens and apostrophes."""
    if not pattern.word_edge():
        return clause
    words = f"{path}.{Subfield.WORD_STARTS if pattern.trailing else Subfield.WORD_ENDS}"
    word = {"term": {words: pattern.parts[0]}}
    return {"constant_score": {"filter": {"bool": {"should": [clause, word], "minimum_should_match": 1}}}}


def quick_clause(
    field: CatalogueField,
    operator: Operator,
    value: str,
    *,
    phone_region: str,
    older_mapping: bool = False,
    candidates: bool = False,
) -> dict[str, Any]:
    """One criterion on the field's root-level path (nested values have flat copies for this).

    `older_mapping`: the index was built by an older release and serves until the upgrade's rebuild swaps; its
    slices and grams are not this release's (or absent), so a `like` runs on `.wild` alone: slower, the same hits."""
    path = field.quick_path
    if operator is Operator.EQUALS:
        if field.type is FieldType.PHONE:
            return phone_clause(path, value, phone_region=phone_region)
        exact = {"term": {path: {"value": normalise_value(field, value, phone_region=phone_region)}}}
        return typo_tolerant(exact, path, value) if field.typo_tolerant else exact
    if operator is Operator.LIKE:
        fast = not older_mapping
        pattern = like_pattern(field, value)
        clause = like_clause(
            path, pattern, slices=fast and field.slices, grams=fast and field.grams, candidates=candidates
        )
        return word_edge_clause(path, pattern, clause) if fast and field.typo_tolerant else clause
    raise CriteriaError(f"operator '{operator.value}' is not supported for '{field.key}'")


# Above any other ranking a phone lookup adds (the caller lookup's life-cycle states, at most 3).
DEFAULT_REGION_BOOST = 10.0


def phone_clause(path: str, value: str, *, phone_region: str) -> dict[str, Any]:
    """A number in any format: its default-region interpretation (E.164) first, then, when it was typed without
    country code, every country whose national number it is (a Czech `602 123 456` typed with region FR). The one
    phone `=` of quick search, the one box, the caller lookup, similar contacts and the advanced criterion; in a
    filter (advanced search) the boosts are ignored and it matches either way."""
    e164 = {
        "constant_score": {
            "filter": {"term": {path: {"value": phone_term(value, phone_region)}}},
            "boost": DEFAULT_REGION_BOOST,
        }
    }
    national = national_terms(value)
    if not national:
        return e164
    anywhere = {"constant_score": {"filter": {"terms": {path: national}}, "boost": 1.0}}
    return {"bool": {"should": [e164, anywhere], "minimum_should_match": 1}}


EXACT_BOOST = 1000.0
FUZZINESS = "AUTO:4,7"


def typo_tolerant(exact: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    """Exact values first (a constant score no fuzzy score reaches), then names within a few typos of
    each word, closer ones first: one edit from 4 letters, two from 7 (`highlights.allowed_edits`)."""
    words = {"query": value, "operator": "and", "fuzziness": FUZZINESS, "max_expansions": 50}
    fuzzy = {"match": {f"{path}.{Subfield.TEXT}": words}}
    return {"dis_max": {"queries": [{"constant_score": {"filter": exact, "boost": EXACT_BOOST}}, fuzzy]}}


def scope_filter(business_unit: str | None) -> list[dict[str, Any]]:
    return [{"term": {BUSINESS_UNIT: business_unit}}] if business_unit else []


def ranked(field: CatalogueField, operator: Operator) -> bool:
    """Whether hits of the lookup can score differently. Only a typo-tolerant `=` does (exact above fuzzy, closer
    typos first); every other lookup matches or does not, and is sorted by name alone: that is the quick
    index's own order on disk (`indexer.mappings.QUICK_INDEX_SORT`), so the engine ranks nothing (a `%x%`
    page at 1,000,000 contacts: 2.30 ms instead of 3.60 with a score that is the same for every hit). A phone's
    `=` ranks too: its default-region interpretation above other countries' national numbers (`phone_clause`)."""
    return operator is Operator.EQUALS and (field.typo_tolerant or field.type is FieldType.PHONE)


def quick_search_body(
    *,
    field: CatalogueField,
    operator: Operator,
    value: str,
    size: int,
    after: Sequence[Any] | None,
    phone_region: str,
    business_unit: str | None,
    older_mapping: bool = False,
    candidates: bool = False,
) -> dict[str, Any]:
    """The body for the quick index (`Settings.quick_alias`), whose `_source` holds only what a result shows
    (`catalogue.QUICK_SOURCE`): the hits are read whole. `candidates` as in `like_clause`."""
    clause = quick_clause(
        field, operator, value, phone_region=phone_region, older_mapping=older_mapping, candidates=candidates
    )
    return quick_page(clause, ranked=ranked(field, operator), size=size, after=after, business_unit=business_unit)


def quick_page(
    query: dict[str, Any], *, ranked: bool, size: int, after: Sequence[Any] | None, business_unit: str | None
) -> dict[str, Any]:
    """A page of the quick index for one lookup, in the caller's business unit: by score when its hits can score
    differently (`ranked`), else in the index's own name order."""
    body: dict[str, Any] = {
        "query": {"bool": {"must": [query], "filter": scope_filter(business_unit)}},
        "size": size,
        "sort": list(SORT if ranked else NAME_SORT),
        "track_total_hits": True,
    }
    if after:
        body["search_after"] = list(after)
    return body


def daily_clause(criterion: Criterion, *, today: date | None) -> dict[str, Any]:
    """A criterion whose answer changes with the day, for `today` (the caller's date, passed in: nothing here reads
    the clock). A value that grows as due dates pass is stored as steps, each a span of days and the value during
    it (`indexer.documents._past_due`): the step that holds today must be in range, within the same parent. Days
    past due of at least N are a stored date of at most today - N (and of at most M: at least today - M). A promise
    is broken on the days from the one after its date (`indexer.documents._promise_broken_from`): yes is one such day
    at most today, no is none, within the same account."""
    field = criterion.field
    if today is None:
        raise CriteriaError(f"'{field.key}' depends on the day of the search, and none was given")
    if field.daily is Daily.REACHED:
        reached = {"range": {field.path: {"lte": today.isoformat()}}}
        return reached if criterion.value else {"bool": {"must_not": [reached]}}
    if field.daily is Daily.STEPS:
        bounds = {k: v for k, v in (("gte", criterion.low), ("lte", criterion.high)) if v is not None}
        steps = [{"term": {f"{field.path}.during": today.isoformat()}}, {"range": {f"{field.path}.amount": bounds}}]
        return {"nested": {"path": field.path, "query": {"bool": {"filter": steps}}}}
    dates = {
        k: (today - timedelta(days=days)).isoformat()
        for k, days in (("lte", criterion.low), ("gte", criterion.high))
        if days is not None
    }
    return {"range": {field.path: dates}}


def criterion_clause(
    criterion: Criterion,
    *,
    phone_region: str,
    older_mapping: bool = False,
    candidates: bool = False,
    today: date | None = None,
) -> dict[str, Any]:
    """One advanced criterion on its own path (inside its nested object when it has one); `older_mapping` as in
    `quick_clause`, `candidates` as in `like_clause`, `today` for the criteria that depend on the day."""
    field = criterion.field
    if field.daily is not None:
        return daily_clause(criterion, today=today)
    if criterion.operator is Operator.RANGE:
        bounds = {
            k: v.isoformat() if hasattr(v, "isoformat") else v
            for k, v in (("gte", criterion.low), ("lte", criterion.high))
            if v is not None
        }
        return {"range": {field.path: bounds}}
    if field.type in STRING_TYPES:
        if criterion.operator is Operator.LIKE:
            pattern = like_pattern(field, criterion.value)
            fast = not older_mapping
            clause = like_clause(
                field.path, pattern, slices=fast and field.slices, grams=fast and field.grams, candidates=candidates
            )
            return word_edge_clause(field.path, pattern, clause) if fast and field.typo_tolerant else clause
        if field.type is FieldType.PHONE:
            return phone_clause(field.path, criterion.value, phone_region=phone_region)
        return {"term": {field.path: {"value": normalise_value(field, criterion.value, phone_region=phone_region)}}}
    return {"term": {field.path: {"value": criterion.value}}}


def criteria_query(
    criteria: Sequence[Criterion],
    *,
    address_scope: str,
    phone_region: str,
    older_mapping: bool = False,
    candidates: bool = False,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Criteria combine with AND; those on one nested path go into one nested query, so they must hold
    for the same address, account, subscription or token, not across two."""
    root: list[dict[str, Any]] = []
    nested: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for criterion in criteria:
        field = criterion.field
        clause = criterion_clause(
            criterion, phone_region=phone_region, older_mapping=older_mapping, candidates=candidates, today=today
        )
        if field.nested and field.fixed:
            fixed = [{"term": {path: value}} for path, value in field.fixed]
            nested[(field.nested, field.key)] = [clause, *fixed]
        elif field.nested:
            nested.setdefault((field.nested, field.nested), []).append(clause)
        else:
            root.append(clause)
    if address_scope != "any":
        nested.setdefault((ADDRESSES, ADDRESSES), []).append({"term": {f"{ADDRESSES}.{ADDRESS_TYPE}": address_scope}})
    for (path, name), clauses in nested.items():
        root.append(
            {
                "nested": {
                    "path": path,
                    "query": {"bool": {"filter": clauses}},
                    "inner_hits": {"size": 3, "_source": False, "name": name},
                }
            }
        )
    return root


def advanced_search_body(
    *,
    criteria: Sequence[Criterion],
    address_scope: str,
    size: int,
    after: Sequence[Any] | None,
    phone_region: str,
    business_unit: str | None,
    older_mapping: bool = False,
    candidates: bool = False,
    today: date | None = None,
) -> dict[str, Any]:
    """`today` answers the criteria that depend on the day (`daily_clause`)."""
    paths = sorted({c.field.shown_path or c.field.path for c in criteria if c.field.daily is None})
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "filter": [
                    *criteria_query(
                        criteria,
                        address_scope=address_scope,
                        phone_region=phone_region,
                        older_mapping=older_mapping,
                        candidates=candidates,
                        today=today,
                    ),
                    *scope_filter(business_unit),
                ]
            }
        },
        "size": size,
        "sort": list(NAME_SORT),
        "track_total_hits": True,
        "_source": {"includes": [*SUMMARY_PATHS, *paths]},
    }
    if after:
        body["search_after"] = list(after)
    return body


COMMUNICATION_SORT = ({CREATED_AT: "desc"}, {COMMUNICATION_ID: "desc"})
WORKLIST_SORT = ({FOLLOW_UP_ON: "asc"}, {COMMUNICATION_ID: "asc"})


def _paged(body: dict[str, Any], after: Sequence[Any] | None) -> dict[str, Any]:
    if after:
        body["search_after"] = list(after)
    return body


def recent_communications_body(
    *, user: str, size: int, after: Sequence[Any] | None, business_unit: str | None
) -> dict[str, Any]:
    """The caller's own communications, newest first (the Communication Centre's COMMUNICATIONS button)."""
    return _paged(
        {
            "query": {"bool": {"filter": [{"term": {CREATED_BY: user}}, *scope_filter(business_unit)]}},
            "size": size,
            "sort": list(COMMUNICATION_SORT),
            "track_total_hits": True,
        },
        after,
    )


def worklist_body(
    *, user: str, today: str, size: int, after: Sequence[Any] | None, business_unit: str | None
) -> dict[str, Any]:
    """The caller's follow-ups that are due and not closed, oldest due date first."""
    return _paged(
        {
            "query": {
                "bool": {
                    "filter": [
                        {"term": {CREATED_BY: user}},
                        {"range": {FOLLOW_UP_ON: {"lte": today}}},
                        *scope_filter(business_unit),
                    ],
                    "must_not": [{"term": {COMMUNICATION_STATUS: "closed"}}],
                }
            },
            "size": size,
            "sort": list(WORKLIST_SORT),
            "track_total_hits": True,
        },
        after,
    )


def communications_search_body(
    *,
    criteria: Sequence[Criterion],
    contact_id: int | None,
    size: int,
    after: Sequence[Any] | None,
    phone_region: str,
    business_unit: str | None,
    candidates: bool = False,
) -> dict[str, Any]:
    """Communications by keyword, reference (qualifier and id on the same reference), status, action, topic
    and dates, newest first; `candidates` as in `like_clause`."""
    filters = criteria_query(criteria, address_scope="any", phone_region=phone_region, candidates=candidates)
    if contact_id is not None:
        filters.append({"term": {CONTACT_ID: contact_id}})
    return _paged(
        {
            "query": {"bool": {"filter": [*filters, *scope_filter(business_unit)]}},
            "size": size,
            "sort": list(COMMUNICATION_SORT),
            "track_total_hits": True,
        },
        after,
    )


def candidates_probe(body: dict[str, Any], counted: dict[str, Any], *, limit: int) -> dict[str, Any] | None:
    """A count of the documents whose values the engine would check one by one for a several-part `like`.

    `counted` is the same search built with `candidates`; None when it is the same query (no such pattern in it).
    The wildcard field checks each document that holds every part of the pattern (about 5 microseconds each), and
    parts of common values (`INV-2025-`, a phone's `6280`, `SUB-0`) are held by a fair share of a million
    contacts: `%xyzw%uv%` on reference numbers took 1.8 s there. Counting stops at `limit` per shard
    (`terminated_early`), so the count itself stays cheap (0 to 6 ms at 1,000,000 contacts)."""
    if counted["query"] == body["query"]:
        return None
    return {"query": counted["query"], "size": 0, "track_total_hits": True, "terminate_after": limit}


def too_common(patterns: Sequence[str], *, limit: int) -> str:
    """What the agent reads when `candidates_probe` reached its limit."""
    shown = ", ".join(f"'{p}'" for p in patterns)
    return (
        f"{shown} is too common to search in parts: more than {limit:,} customers hold all of its parts, and "
        "their order would be checked one customer at a time; type a longer or rarer part, or search the rarest "
        "part alone"
    )
