"""The one write path into the engine: streaming bulk with external versions, every item inspected.

A bulk request answers 200 even when single items failed, so each item's status is read
(https://docs.opensearch.org/2.19/api-reference/document-apis/bulk/): 409 on an externally versioned
write means the index already holds that version or a newer one. That is a success only when what it holds
is the database's current content (a newer write got there first), not when a version was reused or the
document diverged: such items are kept apart as `conflicts` until the caller, who can read the database,
settles them (`unsettled`, `BulkReport.resolve`) by comparing the content digest stored with the document.
A delete that finds nothing (404) has nothing left to do. 429 items are retried with exponential backoff by the helper
(opensearch-py does not retry them unless `max_retries` is set). Anything else is counted and reported
per document, so the caller can fail a rebuild or park exactly those outbox rows. Transport errors
(engine unreachable) propagate.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import streaming_bulk

from indexer.mappings import DIGEST_FIELD
from search_definitions.catalogue import COMMUNICATION_ID, CONTACT_ID
from service.settings import Settings

MAX_RETRIES = 5
INITIAL_BACKOFF_S = 1
MAX_BACKOFF_S = 30
MAX_ERRORS_SHOWN = 20
MGET_CHUNK = 500
SEARCH_PAGE = 1000


Key = tuple[str, str]


@dataclass(slots=True)
class BulkReport:
    """Counts per outcome; `failed` maps (index, document id) to "status type: reason" for every failed item;
    `conflicts` holds the version conflicts not yet settled (neither success nor failure until then)."""

    written: int = 0
    deleted: int = 0
    stale: int = 0
    failed: dict[Key, str] = field(default_factory=dict)
    stopped_early: bool = False
    conflicts: set[Key] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped_early and not self.conflicts

    def resolve(self, mismatched: dict[Key, str]) -> None:
        """Settle every conflict: those in `mismatched` (`unsettled`) failed, the others were already there."""
        self.stale += len(self.conflicts - mismatched.keys())
        self.failed.update({key: error for key, error in mismatched.items() if key in self.conflicts})
        self.conflicts.clear()

    @property
    def succeeded(self) -> int:
        """Items the index now reflects: written, deleted, or already newer there."""
        return self.written + self.deleted + self.stale

    def first_errors(self, limit: int = MAX_ERRORS_SHOWN) -> list[str]:
        return [f"{index}/{doc_id}: {error}" for (index, doc_id), error in list(self.failed.items())[:limit]]


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
    pipeline: bool = False,
) -> BulkReport:
    """Send actions in chunks bounded by count and bytes and account for every item.

    `require_alias` makes the engine refuse a target that is not an alias instead of creating a stray index
    with dynamic mappings; the rebuild, which writes into the concrete index it just created, turns it off.
    With `max_failures`, the stream stops once that many items failed (a rebuild is doomed by the first).
    With `pipeline`, the caller's thread keeps producing actions (database reads, documents) while
    `settings.bulk_senders` threads send them, so production and indexing overlap instead of taking turns,
    and while one sender serialises its next chunk another one's is already with the engine.
    """
    report = BulkReport()
    # A bulk of several megabytes on a busy node can take far longer than a search may: its own timeout.
    params: dict[str, Any] = {"request_timeout": settings.bulk_request_timeout_s}
    if require_alias:
        params["require_alias"] = "true"
    if refresh:
        params["refresh"] = "true"

    accounting = threading.Lock()

    def send(stream: Iterable[dict[str, Any]]) -> None:
        results = streaming_bulk(
            client,
            stream,
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
            with accounting:
                _account(report, ok, item)
                if max_failures is not None and len(report.failed) >= max_failures:
                    report.stopped_early = True
                    return

    if pipeline:
        senders = settings.bulk_senders
        depth = max(2 * senders * settings.bulk_chunk_docs // HANDOFF_SIZE, 2)
        _pipelined(actions, send, depth=depth, senders=senders)
    else:
        send(actions)
    return report


_END = object()
HANDOFF_SIZE = 100


def _pipelined(actions: Iterable[Any], send: Callable[[Iterable[Any]], None], *, depth: int, senders: int = 1) -> None:
    """Produce in this thread, send from `senders` others; the first error of any side propagates, and a
    sender that stops early (an error, or enough failures) stops the others and the producer.

    Actions cross in lists of `HANDOFF_SIZE`: a queue hand-off per action (two locks, a condition) cost a
    tenth of a rebuild's time in the producer alone.
    """
    pending: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        drained = False

        def consume() -> Iterator[Any]:
            nonlocal drained
            while not stop.is_set():
                try:
                    handoff = pending.get(timeout=0.2)
                except queue.Empty:
                    continue
                if handoff is _END:
                    drained = True
                    return
                yield from handoff

        try:
            send(consume())
        except BaseException as exc:
            errors.append(exc)
        finally:
            if not drained:
                stop.set()

    threads = [threading.Thread(target=run, name=f"bulk-sender-{n}", daemon=True) for n in range(senders)]
    for thread in threads:
        thread.start()
    try:
        iterator = iter(actions)
        while handoff := list(itertools.islice(iterator, HANDOFF_SIZE)):
            if not _offer(pending, handoff, stop):
                break
    finally:
        for _ in threads:
            _offer(pending, _END, stop)
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


def _offer(pending: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put unless a sender has stopped early (the others are stopping; nobody will take it)."""
    while not stop.is_set():
        try:
            pending.put(item, timeout=0.2)
        except queue.Full:
            continue
        return True
    return False


def _account(report: BulkReport, ok: bool, item: dict[str, Any]) -> None:
    ((op, info),) = item.items()
    status = int(info.get("status") or 0)
    if ok:
        if op == "delete":
            report.deleted += 1
        else:
            report.written += 1
    elif status == 409 and "version" in str(info.get("error", "")).lower():
        report.conflicts.add((str(info.get("_index")), str(info.get("_id"))))
    elif op == "delete" and status == 404:
        report.deleted += 1
    else:
        report.failed[(str(info.get("_index")), str(info.get("_id")))] = f"{status} {_reason(info)}"


def _reason(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or info.get("exception") or "unknown error")


def held_digests(client: OpenSearch, keys: Iterable[Key]) -> dict[Key, str | None]:
    """The content digest of each document as the index holds it now (a real-time get, no refresh needed);
    None for a document it does not hold, "" for one without a digest."""
    wanted = sorted(set(keys))
    held: dict[Key, str | None] = {}
    for start in range(0, len(wanted), MGET_CHUNK):
        docs = [
            {"_index": index, "_id": doc_id, "_source": [DIGEST_FIELD]} for index, doc_id in wanted[start:][:MGET_CHUNK]
        ]
        for found in client.mget(body={"docs": docs})["docs"]:
            key = (str(found.get("_index")), str(found.get("_id")))
            held[key] = str((found.get("_source") or {}).get(DIGEST_FIELD) or "") if found.get("found") else None
    return held


def unsettled(client: OpenSearch, conflicts: Iterable[Key], expected: dict[Key, str | None]) -> dict[Key, str]:
    """The conflicting writes for which the index does not hold the database's current content, each with why.

    `expected` is the digest of the document the database gives now for each key (None: it has no row, so the
    index must hold nothing). A conflict whose index document matches it lost only to an equal or newer write
    of the same content: a success.
    """
    keys = set(conflicts)
    held = held_digests(client, keys)
    mismatched: dict[Key, str] = {}
    for key in sorted(keys):
        want, have = expected.get(key), held.get(key)
        if want == have:
            continue
        index_side = "no document" if have is None else f"content {have or 'without a digest'}"
        database_side = "no row" if want is None else f"content {want}"
        mismatched[key] = (
            f"409 version conflict: the index holds {index_side} at a version not older than this write's, "
            f"the database {database_side}; the index diverged (a reused id or a document written elsewhere), "
            "a rebuild repairs it"
        )
    return mismatched


def delete_communications_of(
    client: OpenSearch, contact_id: int, indices: Sequence[str], *, kept: set[int], settings: Settings
) -> str | None:
    """A deleted contact's communications went with it in the database (cascade); those in `kept` are a
    re-created contact's own.

    Found by search and deleted by id: `_delete_by_query` lives in a module a minimal node lacks. Returns what
    failed, so the contact's entry is retried rather than acknowledged with its communications left.
    """
    actions: list[dict[str, Any]] = []
    for index in indices:
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "query": {"term": {CONTACT_ID: contact_id}},
                "sort": [{COMMUNICATION_ID: "asc"}],
                "size": SEARCH_PAGE,
                "_source": False,
            }
            if after is not None:
                body["search_after"] = after
            hits = client.search(index=index, body=body)["hits"]["hits"]
            actions += [
                {"_op_type": "delete", "_index": index, "_id": hit["_id"]}
                for hit in hits
                if int(hit["_id"]) not in kept
            ]
            if len(hits) < SEARCH_PAGE:
                break
            after = hits[-1]["sort"]
    if not actions:
        return None
    written = write(client, actions, settings=settings)
    return None if written.ok else f"its communications were not all deleted: {'; '.join(written.first_errors())}"
