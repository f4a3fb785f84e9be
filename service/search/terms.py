"""PURE: the term vocabulary of search. What a typed value becomes before any query or highlight uses it.

The query builder (`queries`), the criteria parser (`criteria`) and the highlighter (`highlights`) all speak
it, so it sits below all three: a `like` value split on `%` and bounded (`LikePattern`), the Python twins of
the index normalizers (`normaliser`, `normalise_value`), a phone's search digits (`phone_term`), and the one
error they raise (`CriteriaError`, shown to the agent as typed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from search_definitions.catalogue import LIKE_LONG_PART, LIKE_MAX_PARTS, LIKE_MIN_PART, CatalogueField, FieldType
from service import phones
from service.text import fold, fold_identifier

# Where a name's words split for a word-edge `like` (`LikePattern.word_edge`): spaces, hyphens, apostrophes.
WORD_SEPARATORS = re.compile(r"[\s\-'\u2019]")
WILDCARD_SPECIALS = str.maketrans({"\\": "\\\\", "*": "\\*", "?": "\\?"})


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

    def bounded(self) -> LikePattern:
        """Refuses what no index structure answers cheaply: a one-character part is in most values (`%a%` read
        every name at 100,000 contacts, 151 ms), and each part beyond the first is verified value by value, so
        several parts need one of four characters or more: the slices pass the wildcard only the documents that
        hold every part, and two or three characters are in too many of them (a phone's `33`, `336`). Checked on
        the normalised parts, which are what the index looks up (`A-`, a phone's `+3`)."""
        short = [p for p in self.parts if len(p) < LIKE_MIN_PART]
        if short:
            raise CriteriaError(
                f"'{short[0]}' is too short to search for: type at least {LIKE_MIN_PART} characters between "
                "wildcards ('%'), e.g. '%ar%' rather than '%a%'"
            )
        if len(self.parts) > LIKE_MAX_PARTS:
            raise CriteriaError(
                f"the value has {len(self.parts)} parts between wildcards ('%'); use at most {LIKE_MAX_PARTS}, "
                "e.g. '%mart%in%', or type a longer part"
            )
        if len(self.parts) > 1 and max(len(p) for p in self.parts) < LIKE_LONG_PART:
            raise CriteriaError(
                f"a value of several parts between wildcards ('%') needs one part of at least {LIKE_LONG_PART} "
                "characters: type e.g. '%mart%in%' rather than '%mar%in%', or search one part alone ('%mar%')"
            )
        return self

    def anchored(self, index: int) -> tuple[bool, bool]:
        """Whether part `index` must start the value and whether it must end it."""
        return index == 0 and not self.leading, index == len(self.parts) - 1 and not self.trailing

    def word_edge(self) -> bool:
        """Whether the pattern is one word's start (`Mar%`) or end (`%ez`): on a name, every word of it answers
        (the seed: "Mar will retrieve all words starting with Mar"), not only the start or end of the value."""
        return len(self.parts) == 1 and self.leading != self.trailing and WORD_SEPARATORS.search(self.parts[0]) is None

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
        return phone_term(value, phone_region)
    normalised = normaliser(field)(value)
    if not normalised:
        raise CriteriaError(f"'{value}' has nothing searchable for {field.label}")
    return normalised


def phone_term(value: str, phone_region: str) -> str:
    """International digits of a number typed in any format (national, +, 00), or its bare digits."""
    e164 = phones.to_e164(value, phone_region)
    digits = e164.lstrip("+") if e164 else phones.digits(value)
    if not digits:
        raise CriteriaError("a phone number must contain digits")
    return digits


def national_terms(value: str) -> list[str]:
    """Digits a number typed without country code is stored under in the country whose national form it is: the
    index holds every phone's national form as that country dials it, trunk prefix included (`030 1234567` in
    Germany, `612 34 56 78` in Spain, which has none). So a French `06 12 34 56 78` is not the Spanish
    `612 34 56 78`: stripping the trunk prefix would make it one. None for a number written internationally
    (`+`, `00`): its country is given."""
    typed = value.strip()
    if typed.startswith(("+", "00")):
        return []
    digits = phones.digits(typed)
    return [digits] if digits else []


def like_pattern(field: CatalogueField, value: str) -> LikePattern:
    return LikePattern.parse(value).map(normaliser(field)).bounded()
