"""The choices of an import, kept light so the CLI can offer them without loading the import itself."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CONTACTS = "contacts"
    COMMUNICATIONS = "communications"
    # The daily feed of AR items, keyed by account number and item number (`service.imports.items`).
    AR_ITEMS = "ar-items"


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


BATCH_SIZE = 500
