"""The one write path into the engine: streaming bulk with external versions, every item inspected.

A bulk request answers 200 even when single items failed, so each item's status is read
(https://docs.opensearch.org/2.19/api-reference/document-apis/bulk/): 409 on an externally versioned
write means the index already holds that version or a newer one, which counts as success; a delete that
finds nothing (404) has nothing left to do. 429 items are retried with exponential backoff by the helper
(opensearch-py does not retry them unless `max_retries` is set). Anything else is counted and reported
per document, so the caller can fail a rebuild or park exactly those outbox rows. Transport errors
(engine unreachable) propagate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import streaming_bulk

from service.settings import Settings

MAX_RETRIES = 5
INITIAL_BACKOFF_S = 1
MAX_BACKOFF_S = 30
MAX_ERRORS_KEPT = 20


@dataclass(frozen=True, slots=True)
class ItemError:
    index: str
    doc_id: str
    status: int
    reason: str

    def __str__(self) -> str:
        return f"{self.index}/{self.doc_id}: {self.status} {self.reason}"


@dataclass(slots=True)
class BulkReport:
    written: int = 0
    deleted: int = 0
    stale: int = 0
    failed: int = 0
    failed_ids: list[str] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped_early

    @property
    def succeeded(self) -> int:
        """Items the index now reflects: written, deleted, or already newer there."""
        return self.written + self.deleted + self.stale


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
    require_alias: bool = True,
    refresh: bool = False,
    max_failures: int | None = None,
) -> BulkReport:
    """Send actions in chunks bounded by count and bytes and account for every item.

    `require_alias` makes the engine refuse a target that is not an alias instead of creating a stray index
    with dynamic mappings; the rebuild, which writes into the concrete index it just created, turns it off.
    With `max_failures`, the stream stops once that many items failed (a rebuild is doomed by the first).
    """
    report = BulkReport()
    params: dict[str, Any] = {}
    if require_alias:
        params["require_alias"] = "true"
    if refresh:
        params["refresh"] = "true"
    results = streaming_bulk(
        client,
        actions,
        chunk_size=settings.bulk_chunk_docs,
        max_chunk_bytes=settings.bulk_chunk_bytes,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=MAX_RETRIES,
        initial_backoff=INITIAL_BACKOFF_S,
        max_backoff=MAX_BACKOFF_S,
        params=params,
    )
    for ok, item in results:
        _account(report, ok, item)
        if max_failures is not None and report.failed >= max_failures:
            report.stopped_early = True
            break
    return report


def _account(report: BulkReport, ok: bool, item: dict[str, Any]) -> None:
    ((op, info),) = item.items()
    status = int(info.get("status") or 0)
    if ok:
        if op == "delete":
            report.deleted += 1
        else:
            report.written += 1
    elif status == 409 and "version" in str(info.get("error", "")).lower():
        report.stale += 1
    elif op == "delete" and status == 404:
        report.deleted += 1
    else:
        doc_id = str(info.get("_id"))
        report.failed += 1
        report.failed_ids.append(doc_id)
        if len(report.errors) < MAX_ERRORS_KEPT:
            report.errors.append(ItemError(str(info.get("_index")), doc_id, status, _reason(info)))


def _reason(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or info.get("exception") or "unknown error")
