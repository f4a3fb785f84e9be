"""Compare the database with the index by content: every row present at its version and with the content the
database gives, nothing extra.

Each document carries the digest of its content (`documents.digest`, written by every indexer path). For each
row the document the database would produce now is built (`indexer.documents`, from the loader's batches, in
id order, beside the index's documents read in id order: memory stays flat) and compared with the index's:
its version, the digest stored with it, and the digest recomputed over what the engine stored. In the contacts
and communications indices `_source` is the whole document, so any divergence shows, a document edited in the
engine by hand included (whether or not the editor rewrote the digest). The quick index keeps only what a
quick result shows in `_source` (`catalogue.QUICK_SOURCE`, plus the digest of the whole contact it was cut
from): there a document written from other content (any field of the contact), or a hand edit of a shown
field or of the digest, shows; one that changes only fields it indexes but does not keep (`names`' sub-fields,
phone forms…) while keeping the shown fields and the digest cannot be seen from outside the engine's terms, and
the next write or rebuild of the contact replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from indexer import actions
from indexer.documents import digest, quick_document
from indexer.mappings import DIGEST_FIELD
from search_definitions.catalogue import QUICK_SOURCE
from service.db.session import build_sessionmaker
from service.settings import Settings

PAGE = 1000
MAX_LISTED = 50

Document = dict[str, Any]
# (id, version, document the database gives)
Row = tuple[int, int, Document]
# (id, version, the index's _source)
Hit = tuple[int, int, Document]


@dataclass(slots=True)
class Differences:
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    stale: list[tuple[int, int, int]] = field(default_factory=list)
    # (id, what differs) for documents at the database's version whose content is not the database's
    differs: list[tuple[int, str]] = field(default_factory=list)
    checked: int = 0

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.differs)

    def lines(self, name: str) -> list[str]:
        out = [f"{name}: {self.checked} rows checked"]
        if self.missing:
            out.append(f"  missing from the index ({len(self.missing)}): {self.missing[:MAX_LISTED]}")
        if self.extra:
            out.append(f"  in the index but not in the database ({len(self.extra)}): {self.extra[:MAX_LISTED]}")
        if self.stale:
            shown = [f"{i} (index v{iv}, db v{dv})" for i, iv, dv in self.stale[:MAX_LISTED]]
            out.append(f"  at an old version ({len(self.stale)}): {', '.join(shown)}")
        if self.differs:
            shown = [f"{i} ({why})" for i, why in self.differs[:MAX_LISTED]]
            out.append(f"  content differs from the database ({len(self.differs)}): {', '.join(shown)}")
        return out


def _whole(document: Document) -> Document:
    return document


def _shown(document: Document) -> Document:
    """What the quick index keeps of a document in `_source`: the digest recomputed over it on both sides."""
    return {name: document.get(name) for name in QUICK_SOURCE}


def _content_difference(row: Document, hit: Document, kept: Callable[[Document], Document]) -> str | None:
    stored = hit.get(DIGEST_FIELD)
    if stored != row[DIGEST_FIELD]:
        return "written from other content" if stored else "no content digest"
    if digest(kept(hit)) != digest(kept(row)):
        return "edited in the index"
    return None


def _index_documents(client: OpenSearch, alias: str, id_field: str) -> Iterator[Hit]:
    after: list[int] | None = None
    while True:
        body: dict[str, Any] = {"size": PAGE, "sort": [{id_field: "asc"}], "version": True}
        if after is not None:
            body["search_after"] = after
        hits = client.search(index=alias, body=body)["hits"]["hits"]
        for hit in hits:
            yield int(hit["_id"]), int(hit["_version"]), hit.get("_source") or {}
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def _compare(db_rows: Iterator[Row], index_rows: Iterator[Hit], kept: Callable[[Document], Document]) -> Differences:
    """Merge two id-sorted streams, so memory stays flat for millions of rows."""
    result = Differences()
    db_next = next(db_rows, None)
    index_next = next(index_rows, None)
    while db_next is not None or index_next is not None:
        if index_next is None or (db_next is not None and db_next[0] < index_next[0]):
            assert db_next is not None
            result.missing.append(db_next[0])
            result.checked += 1
            db_next = next(db_rows, None)
        elif db_next is None or index_next[0] < db_next[0]:
            result.extra.append(index_next[0])
            index_next = next(index_rows, None)
        else:
            if db_next[1] != index_next[1]:
                result.stale.append((db_next[0], index_next[1], db_next[1]))
            elif (why := _content_difference(db_next[2], index_next[2], kept)) is not None:
                result.differs.append((db_next[0], why))
            result.checked += 1
            db_next = next(db_rows, None)
            index_next = next(index_rows, None)
    return result


def _contact_rows(session: Session, settings: Settings, *, quick: bool) -> Iterator[Row]:
    for contact, document in actions.contacts_with_documents(session, settings):
        yield contact.id, int(contact.version), quick_document(document) if quick else document


def _communication_rows(session: Session, settings: Settings) -> Iterator[Row]:
    for record, document in actions.communications_with_documents(session, settings):
        yield record.id, int(record.version), document


def verify(*, settings: Settings, engine: Engine, client: OpenSearch) -> dict[str, Differences]:
    checked: tuple[tuple[str, str, Callable[[Session], Iterator[Row]], Callable[[Document], Document]], ...] = (
        (settings.contacts_alias, "contact_id", lambda s: _contact_rows(s, settings, quick=False), _whole),
        (settings.quick_alias, "contact_id", lambda s: _contact_rows(s, settings, quick=True), _shown),
        (settings.communications_alias, "communication_id", lambda s: _communication_rows(s, settings), _whole),
    )
    client.indices.refresh(index=",".join(alias for alias, *_ in checked))
    results = {}
    with build_sessionmaker(engine)() as session:
        for alias, id_field, rows, kept in checked:
            results[alias] = _compare(rows(session), _index_documents(client, alias, id_field), kept)
    return results
