"""Phone numbers as agents type them, reduced to forms the index can match (E.164 and digit strings)."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

_NON_DIGITS = re.compile(r"\D+")


def _parsed(raw: str, region: str) -> PhoneNumber | None:
    """The number as the international plan knows it (no extension); None when it is no valid number."""
    candidate = raw.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        parsed = phonenumbers.parse(candidate, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return PhoneNumber(
        country_code=parsed.country_code,
        national_number=parsed.national_number,
        italian_leading_zero=parsed.italian_leading_zero,
        number_of_leading_zeros=parsed.number_of_leading_zeros,
    )


@lru_cache(maxsize=4096)
def to_e164(raw: str, region: str) -> str | None:
    """E.164 form of a number typed in any national or international format; None when it is no valid number.

    Cached: a phone lookup reads the agent's number twice (query and highlight), and agents look the same
    customers up again and again; parsing is most of what a phone lookup costs the service.
    """
    parsed = _parsed(raw, region)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164) if parsed is not None else None


def digits(raw: str) -> str:
    return _NON_DIGITS.sub("", raw)


def searchable_forms(raw: str, e164: str | None) -> list[str]:
    """Digit strings a partial search may hit: international (no +), national with trunk prefix, as typed."""
    return _forms(raw, phonenumbers.parse(e164, None) if e164 else None)


def forms_of(raw: str, region: str) -> list[str]:
    """`searchable_forms(raw, to_e164(raw, region))` with one parse instead of two: a page of results works out
    the forms of every phone it highlights."""
    return _forms(raw, _parsed(raw, region))


def _forms(raw: str, number: PhoneNumber | None) -> list[str]:
    forms = [digits(raw)]
    if number is not None:
        forms.append(phonenumbers.format_number(number, PhoneNumberFormat.E164).lstrip("+"))
        forms.append(digits(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)))
        forms.append(str(number.national_number))
    return list(dict.fromkeys(f for f in forms if f))
