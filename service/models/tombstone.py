"""The last external version written for a deleted document id, so a row that takes the id again starts above it.

Why a tombstone and not a database-wide counter as external version: the row's `version` stays what the API
shows and checks (`If-Match`, 1 for a new row, +1 per change) and what the index holds for every id that is
never reused, which is every id since ids are AUTOINCREMENT on SQLite (migration 0008) and sequences on
PostgreSQL; only a row whose id does come back (an explicit id, a restored dump, a file from before 0008)
pays for it, with one indexed lookup per flush that inserts contacts or communications. A counter would
have renumbered every version and the engine's versions with them, and ordered versions by draw, not by
commit. The engine's own tombstone of a delete lasts `index.gc_deletes` (60 s); this one lasts as long as
the database, so a re-created row is newer than anything ever written for its id, whichever order the sync
sees the delete and the re-creation in (change_capture writes and reads it; migration 0008 seeds it from
deletes still waiting in the outbox).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base


class IndexTombstone(Base):
    __tablename__ = "index_tombstones"

    entity: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
