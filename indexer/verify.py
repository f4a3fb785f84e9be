"""Compare the database with the index: every row present at its version, nothing extra."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from opensearchpy import OpenSearch
from sqlalchemy import Engine, select

from service.db.session import build_sessionmaker
from service.models.communication import Communication
from service.models.contact import Contact
from service.settings import Settings

PAGE = 5000
MAX_LISTED = 50


@dataclass(slots=True)
class Differences:
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    stale: list[tuple[int, int, int]] = field(default_factory=list)
    checked: int = 0

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def lines(self, name: str) -> list[str]:
        out = [f"{name}: {self.checked} rows checked"]
        if self.missing:
            out.append(f"  missing from the index ({len(self.missing)}): {self.missing[:MAX_LISTED]}")
        if self.extra:
            out.append(f"  in the index but not in the database ({len(self.extra)}): {self.extra[:MAX_LISTED]}")
        if self.stale:
            shown = [f"{i} (index v{iv}, db v{dv})" for i, iv, dv in self.stale[:MAX_LISTED]]
            out.append(f"  at an old version ({len(self.stale)}): {', '.join(shown)}")
        return out


def _index_versions(client: OpenSearch, alias: str, id_field: str) -> Iterator[tuple[int, int]]:
    after: list[int] | None = None
    while True:
        body: dict = {"size": PAGE, "sort": [{id_field: "asc"}], "_source": False, "version": True}
        if after is not None:
            body["search_after"] = after
        hits = client.search(index=alias, body=body)["hits"]["hits"]
        for hit in hits:
            yield int(hit["_id"]), int(hit["_version"])
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def _compare(db_rows: Iterator[tuple[int, int]], index_rows: Iterator[tuple[int, int]]) -> Differences:
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
            result.checked += 1
            db_next = next(db_rows, None)
            index_next = next(index_rows, None)
    return result


def verify(*, settings: Settings, engine: Engine, client: OpenSearch) -> dict[str, Differences]:
    checked = (
        (settings.contacts_alias, Contact, "contact_id"),
        (settings.quick_alias, Contact, "contact_id"),
        (settings.communications_alias, Communication, "communication_id"),
    )
    client.indices.refresh(index=",".join(alias for alias, _, _ in checked))
    results = {}
    with build_sessionmaker(engine)() as session:
        for alias, model, id_field in checked:
            rows = session.execute(select(model.id, model.version).order_by(model.id).execution_options(yield_per=PAGE))
            db_rows = ((int(i), int(v)) for i, v in rows)
            results[alias] = _compare(db_rows, _index_versions(client, alias, id_field))
    return results
