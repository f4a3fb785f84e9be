"""Lone surrogates: what JSON's `\\udfff` escape decodes to in Python, and no text at all.

Python's JSON reader turns an unpaired `\\ud800`-`\\udfff` escape into a code point no UTF-8 encoder accepts, so
such a string fails wherever it is written out: to the engine (orjson), to PostgreSQL, in a JSON answer. A pair
of escapes decodes to one character, so any surrogate left in a `str` is a lone one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def scrub(value: Any) -> Any:
    """`value` with every lone surrogate (in strings, map keys, nested lists) replaced by U+FFFD."""
    if isinstance(value, str):
        return SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, Mapping):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def surrogate_at(value: Any, where: str = "") -> str | None:
    """Where the first lone surrogate of `value` is (`contact.last_name`, `value`), scrubbed so it can be shown;
    None when there is none."""
    if isinstance(value, str):
        return (where or "value") if SURROGATE.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{where}.{scrub(key)}" if where else str(scrub(key))
            if isinstance(key, str) and SURROGATE.search(key):
                return here
            found = surrogate_at(item, here)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = surrogate_at(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None
