"""The choices of an import, kept light so the CLI can offer them without loading the import itself."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CONTACTS = "contacts"
    COMMUNICATIONS = "communications"


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


BATCH_SIZE = 500
