"""The one write path into the engine: streaming bulk with external versions, every item inspected.

A bulk request answers 200 even when single items failed, so each item's status is read: 409 (the
index already holds a newer version) counts as success; 429 items are retried with backoff by the
helper; anything else is reported per document, so the caller can retry or park exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import streaming_bulk

from service.settings import Settings

MAX_ITEM_RETRIES = 5
INITIAL_BACKOFF_S = 0.5
MAX_ERRORS_KEPT = 20


@dataclass(slots=True)
class BulkReport:
    written: int = 0
    stale: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def first_errors(self) -> list[str]:
        return [f"{doc_id}: {error}" for doc_id, error in list(self.failed.items())[:MAX_ERRORS_KEPT]]


def index_action(index: str, doc_id: int, version: int, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "_op_type": "index",
        "_index": index,
        "_id": str(doc_id),
        "version": version,
        "version_type": "external",
        "_source": source,
    }


def delete_action(index: str, doc_id: int, version: int) -> dict[str, Any]:
    return {"_op_type": "delete", "_index": index, "_id": str(doc_id), "version": version, "version_type": "external"}


def write(
    client: OpenSearch,
    actions: Iterable[dict[str, Any]],
    *,
    settings: Settings,
    require_alias: bool = False,
    refresh: bool = False,
) -> BulkReport:
    """Send actions in chunks bounded by count and bytes; transport failures propagate to the caller."""
    report = BulkReport()
    params: dict[str, Any] = {"require_alias": "true"} if require_alias else {}
    if refresh:
        params["refresh"] = "true"
    results: Iterator[tuple[bool, dict[str, Any]]] = streaming_bulk(
        client,
        actions,
        chunk_size=settings.bulk_chunk_docs,
        max_chunk_bytes=settings.bulk_chunk_bytes,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=MAX_ITEM_RETRIES,
        initial_backoff=INITIAL_BACKOFF_S,
        max_backoff=10,
        params=params,
    )
    for ok, item in results:
        ((op, info),) = item.items()
        status = info.get("status", 0)
        if ok or (op == "delete" and status == 404):
            report.written += 1
        elif status == 409:
            report.stale += 1
        else:
            report.failed[str(info.get("_id"))] = f"{status} {_reason(info)}"
    return report


def _reason(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or info.get("exception") or "unknown error")
