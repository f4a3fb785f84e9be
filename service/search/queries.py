"""PURE query building: (catalogue field, operator, value, scope) -> OpenSearch body. No client, no session.

`like` follows the Communication Centre manual: `%ria` ends with, `Ma%` and `Mar` start with, `%ari%`
contains. Every `like` runs on a `.wild` (wildcard-type) sub-field, so even a leading `%` is answered from
its n-gram index instead of scanning the whole terms dictionary. User text only ever becomes a term or an
escaped wildcard pattern; it never reaches a query parser or a script.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from search_definitions.catalogue import CatalogueField, FieldType, Operator
from service import phones
from service.text import fold, fold_identifier

WILDCARD_SPECIALS = str.maketrans({"\\": "\\\\", "*": "\\*", "?": "\\?"})
RESULT_SOURCE = (
    "contact_id",
    "display_name",
    "kind",
    "business_unit",
    "primary_phone",
    "primary_email",
    "main_account",
    "credit_hold",
)
SORT = ({"_score": "desc"}, {"display_name_sort": "asc"}, {"contact_id": "asc"})


class CriteriaError(ValueError):
    """A value that cannot become a query; the message is shown to the agent."""


@dataclass(frozen=True, slots=True)
class LikePattern:
    """A `like` value split on `%`; a value without any `%` means starts with."""

    parts: tuple[str, ...]
    leading: bool
    trailing: bool

    @classmethod
    def parse(cls, value: str) -> LikePattern:
        if "%" not in value:
            return cls(parts=(value,), leading=False, trailing=True)
        parts = tuple(p for p in value.split("%") if p)
        if not parts:
            raise CriteriaError("value must contain something besides '%'")
        return cls(parts=parts, leading=value.startswith("%"), trailing=value.endswith("%"))

    def map(self, transform: Callable[[str], str]) -> LikePattern:
        parts = tuple(transform(p) for p in self.parts)
        if not all(parts):
            raise CriteriaError("value has nothing searchable between its '%' signs")
        return LikePattern(parts=parts, leading=self.leading, trailing=self.trailing)

    def wildcard(self) -> str:
        body = "*".join(p.translate(WILDCARD_SPECIALS) for p in self.parts)
        return ("*" if self.leading else "") + body + ("*" if self.trailing else "")

    def matches(self, candidate: str) -> bool:
        """The same semantics in Python, used to tell the agent which value matched."""
        position = 0
        for i, part in enumerate(self.parts):
            if i == 0 and not self.leading:
                if not candidate.startswith(part):
                    return False
                position = len(part)
                continue
            found = candidate.find(part, position)
            if found < 0:
                return False
            position = found + len(part)
        return self.trailing or candidate.endswith(self.parts[-1])


def normaliser(field: CatalogueField) -> Callable[[str], str]:
    """The Python twin of the field's index normalizer (digits, identifier or folded text)."""
    if field.type is FieldType.PHONE:
        return phones.digits
    if field.type is FieldType.IDENTIFIER:
        return fold_identifier
    return fold


def normalise_value(field: CatalogueField, value: str, *, phone_region: str) -> str:
    """The exact-match term for a field: E.164 digits for phones (any written format), normalised text otherwise."""
    if field.type is FieldType.PHONE:
        e164 = phones.to_e164(value, phone_region)
        digits = e164.lstrip("+") if e164 else phones.digits(value)
        if not digits:
            raise CriteriaError("a phone number must contain digits")
        return digits
    normalised = normaliser(field)(value)
    if not normalised:
        raise CriteriaError(f"'{value}' has nothing searchable for {field.label}")
    return normalised


def like_pattern(field: CatalogueField, value: str) -> LikePattern:
    return LikePattern.parse(value).map(normaliser(field))


def quick_clause(field: CatalogueField, operator: Operator, value: str, *, phone_region: str) -> dict[str, Any]:
    """One criterion on the field's root-level path (nested values have flat copies for this)."""
    path = field.quick_path
    if operator is Operator.EQUALS:
        return {"term": {path: {"value": normalise_value(field, value, phone_region=phone_region)}}}
    if operator is Operator.LIKE:
        pattern = like_pattern(field, value)
        return {"wildcard": {f"{path}.wild": {"value": pattern.wildcard(), "case_insensitive": True}}}
    raise CriteriaError(f"operator '{operator.value}' is not supported for '{field.key}'")


def scope_filter(business_unit: str | None) -> list[dict[str, Any]]:
    return [{"term": {"business_unit": business_unit}}] if business_unit else []


def quick_search_body(
    *,
    field: CatalogueField,
    operator: Operator,
    value: str,
    size: int,
    after: Sequence[Any] | None,
    phone_region: str,
    business_unit: str | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "must": [quick_clause(field, operator, value, phone_region=phone_region)],
                "filter": scope_filter(business_unit),
            }
        },
        "size": size,
        "sort": list(SORT),
        "track_total_hits": True,
        "_source": {"includes": [*RESULT_SOURCE, field.quick_path]},
    }
    if after:
        body["search_after"] = list(after)
    return body
