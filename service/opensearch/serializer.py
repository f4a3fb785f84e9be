"""JSON for the engine through orjson: bulk bodies and search answers are the indexer's and the API's hot path.

opensearch-py's own serializer is the standard library's `json`; every bulk item and every search
answer passes through it. The transport's contract is kept: `dumps` returns `str` (the bulk helpers
measure and join strings) and passes a body that is already text or bytes through untouched; `loads`
accepts `str` or `bytes`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import orjson
from opensearchpy.exceptions import SerializationError
from opensearchpy.serializer import JSONSerializer

# Non-string keys (an int id in a dict) are written as strings, as the standard library does.
OPTIONS = orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """What orjson leaves to the caller; datetimes, dates and UUIDs it writes itself, as ISO 8601 and text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class OrjsonSerializer(JSONSerializer):
    mimetype: str = "application/json"

    def dumps(self, data: Any) -> str | bytes:
        if isinstance(data, str | bytes):
            return data
        try:
            return orjson.dumps(data, default=_default, option=OPTIONS).decode("utf-8")
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise SerializationError(data, exc) from exc

    def loads(self, s: str | bytes) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError as exc:
            raise SerializationError(s, exc) from exc
