"""Case and accent folding in Python, matching the index's `folded` normalizer closely enough for highlights."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose but asciifolding maps, for the seeds' languages.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
    }
)


def expansions() -> list[tuple[str, str]]:
    """The letters above that fold into two: the index must fold them before it cuts a name into grams."""
    return [(chr(code), folded) for code, folded in _SPECIAL.items() if len(folded) > 1]


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


_SEPARATORS = re.compile(r"[\s\-./_]+")


def fold_identifier(value: str) -> str:
    """Identifiers match whatever separators were typed: `AR-000100` = `ar 000100` (index normalizer `ident`)."""
    return _SEPARATORS.sub("", fold(value))
