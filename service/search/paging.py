"""Paging shared by every search of the package: the page size a request may ask for, and its `after` cursor."""

from __future__ import annotations

from typing import Any

from service.errors import InvalidCriteria
from service.search import results
from service.settings import Settings


def page_size(requested: int | None, settings: Settings) -> int:
    if requested is None:
        return settings.default_page_size
    if requested > settings.max_page_size:
        raise InvalidCriteria(f"size must be at most {settings.max_page_size}")
    return requested


def decode_after(after: str | None) -> list[Any] | None:
    try:
        return results.decode_cursor(after) if after else None
    except results.CursorError as exc:
        raise InvalidCriteria(str(exc)) from exc
