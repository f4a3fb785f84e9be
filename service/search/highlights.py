"""PURE: where a stored value matched a criterion, as character spans of the value the agent sees.

The engine answers which documents match; the agent also needs to see why: which field, which of its
values, and which characters. Each locator is the Python twin of one query form (exact term, `like`
pattern, typo-tolerant name match) and works on the folded text while reporting spans of the original,
so `Lefèvre` is highlighted as typed in the record even when the agent typed `LEFEVRE`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from search_definitions.catalogue import CatalogueField, FieldType, Operator
from service import phones
from service.search.terms import LikePattern, like_pattern, national_terms, normalise_value, phone_term
from service.text import fold

Span = tuple[int, int]
Locator = Callable[[str], "Located | None"]

_IDENTIFIER_SEPARATORS = re.compile(r"[\s\-./_]")
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Located:
    spans: tuple[Span, ...]
    fuzzy: bool = False


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded string and, for each of its characters, the index of the original character it came from."""

    text: str
    origin: Sequence[int]

    def span(self, start: int, end: int) -> Span:
        return self.origin[start], self.origin[end - 1] + 1


_ASCII_SPACES = str.maketrans({chr(c): " " for c in range(128) if chr(c).isspace()})


class _FoldTable(dict[int, str]):
    """Code point -> folded text, filled on first sight, so `str.translate` folds a whole value at C speed.

    `irregular` collects the characters that do not fold to exactly one (`ß`, a combining accent, a separator
    dropped from an identifier): only a value holding one of them needs its character origins worked out.
    """

    def __init__(self, *, identifier: bool) -> None:
        super().__init__()
        self.identifier = identifier
        self.irregular: set[str] = set()

    def __missing__(self, code: int) -> str:
        char = chr(code)
        piece = "" if self.identifier and _IDENTIFIER_SEPARATORS.fullmatch(char) else fold_char(char)
        if len(piece) != 1:
            self.irregular.add(char)
        self[code] = piece
        return piece


_TEXT_FOLDS = _FoldTable(identifier=False)
_IDENTIFIER_FOLDS = _FoldTable(identifier=True)


def folded(value: str, *, identifier: bool = False, digits_only: bool = False) -> Folded:
    """Character-by-character twin of the index normalizers (`folded`, `ident`, phone digits)."""
    if digits_only:
        kept = [index for index, char in enumerate(value) if char.isdigit()]
        return Folded("".join(value[index] for index in kept), kept)
    if not identifier and value.isascii():
        return Folded(value.translate(_ASCII_SPACES).lower(), range(len(value)))
    table = _IDENTIFIER_FOLDS if identifier else _TEXT_FOLDS
    text = value.translate(table)
    if table.irregular.isdisjoint(value):
        # Most names and streets: every character folds to one, and stays where it was.
        return Folded(text, range(len(value)))
    return Folded(text, tuple(index for index, char in enumerate(value) for _ in table[ord(char)]))


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """Cached: the fold tables and irregular values fold character by character, from a small alphabet."""
    if char.isspace():
        return " "
    return fold(char) or ("" if unicodedata.combining(char) else char.lower())


def whole(value: str) -> Located:
    return Located(spans=((0, len(value)),))


def like_spans(parts: Sequence[str], *, leading: bool, trailing: bool, text: Folded) -> tuple[Span, ...] | None:
    """Spans of the pattern's parts, left to right, with the same anchoring as the engine's wildcard query."""
    spans: list[Span] = []
    position = 0
    haystack = text.text
    for i, part in enumerate(parts):
        if i == 0 and not leading:
            if not haystack.startswith(part):
                return None
            found = 0
        elif i == len(parts) - 1 and not trailing:
            found = haystack.rfind(part)
            if found < position or found + len(part) != len(haystack):
                return None
        else:
            found = haystack.find(part, position)
            if found < 0:
                return None
        spans.append(text.span(found, found + len(part)))
        position = found + len(part)
    return tuple(spans)


def word_edge_spans(part: str, *, starts: bool, text: Folded) -> tuple[Span, ...] | None:
    """The first word of the value starting (or ending) with `part`, as the engine's words of a name."""
    for match in _TOKEN.finditer(text.text):
        word = match.group()
        if word.startswith(part) if starts else word.endswith(part):
            at = match.start() if starts else match.end() - len(part)
            return (text.span(at, at + len(part)),)
    return None


def allowed_edits(token: str) -> int:
    """Mirrors the engine's `AUTO:4,7` fuzziness: short words must be exact, long ones may have two typos."""
    if len(token) < 4:
        return 0
    return 1 if len(token) < 7 else 2


def typo_words(query: str) -> tuple[tuple[str, int], ...]:
    """The folded query's words, each with its edit budget: worked out once per request, not once per value."""
    return tuple((word, allowed_edits(word)) for word in _TOKEN.findall(fold(query)))


def typo_spans(wanted: Sequence[tuple[str, int]], text: Folded) -> tuple[Span, ...] | None:
    """Each query word must be within its edit budget of some word of the value (transpositions count once)."""
    words = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text.text)]
    spans: list[Span] = []
    for word, budget in wanted:
        best = min(
            (
                (OSA.distance(word, candidate, score_cutoff=budget), start, end)
                for candidate, start, end in words
                if abs(len(candidate) - len(word)) <= budget
            ),
            default=None,
        )
        if best is None or best[0] > budget:
            return None
        spans.append(text.span(best[1], best[2]))
    return tuple(sorted(set(spans))) or None


def locator(field: CatalogueField, operator: Operator, value: str, *, phone_region: str) -> Locator:
    """The Python twin of the query `queries.quick_clause`/`criterion_clause` builds for a string criterion."""
    if field.type is FieldType.PHONE:
        return _phone_locator(operator, value, phone_region)
    identifier = field.type is FieldType.IDENTIFIER
    if operator is Operator.EQUALS:
        wanted = normalise_value(field, value, phone_region=phone_region)
        typo_query = typo_words(value) if field.typo_tolerant else None

        def exact(candidate: str) -> Located | None:
            text = folded(candidate, identifier=identifier)
            if text.text.strip() == wanted:
                return whole(candidate)
            if typo_query and (spans := typo_spans(typo_query, text)):
                return Located(spans=spans, fuzzy=True)
            return None

        return exact
    pattern = like_pattern(field, value)
    words = field.typo_tolerant and pattern.word_edge()

    def like(candidate: str) -> Located | None:
        text = folded(candidate, identifier=identifier)
        spans = like_spans(pattern.parts, leading=pattern.leading, trailing=pattern.trailing, text=text)
        if not spans and words:
            spans = word_edge_spans(pattern.parts[0], starts=pattern.trailing, text=text)
        return Located(spans=spans) if spans else None

    return like


def _phone_locator(operator: Operator, value: str, region: str) -> Locator:
    """Phones are shown as written in the record; the match is on any of their digit forms."""
    if operator is Operator.EQUALS:
        # As `queries.phone_clause`: the default region's E.164 digits, or another country's national number.
        wanted = {phone_term(value, region), *national_terms(value)}
        return lambda candidate: whole(candidate) if wanted.intersection(phones.forms_of(candidate, region)) else None
    pattern = LikePattern.parse(value).map(phones.digits)

    def like(candidate: str) -> Located | None:
        as_written = folded(candidate, digits_only=True)
        spans = like_spans(pattern.parts, leading=pattern.leading, trailing=pattern.trailing, text=as_written)
        if spans:
            return Located(spans=spans)
        return whole(candidate) if any(pattern.matches(form) for form in phones.forms_of(candidate, region)) else None

    return like
