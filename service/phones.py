"""Phone numbers as agents type them, reduced to forms the index can match (E.164 and digit strings)."""

from __future__ import annotations

import re

import phonenumbers

_NON_DIGITS = re.compile(r"\D+")


def to_e164(raw: str, region: str) -> str | None:
    """E.164 form of a number typed in any national or international format; None when it is no valid number."""
    candidate = raw.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        parsed = phonenumbers.parse(candidate, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def digits(raw: str) -> str:
    return _NON_DIGITS.sub("", raw)


def searchable_forms(raw: str, e164: str | None) -> list[str]:
    """Digit strings a partial search may hit: international (no +), national with trunk prefix, as typed."""
    forms = [digits(raw)]
    if e164:
        parsed = phonenumbers.parse(e164, None)
        forms.append(e164.lstrip("+"))
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        forms.append(digits(national))
        forms.append(str(parsed.national_number))
    return list(dict.fromkeys(f for f in forms if f))
