"""The transactional outbox: one row per changed document, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, UTCDateTime, utcnow

CONTACT = "contact"
COMMUNICATION = "communication"


class OutboxEntry(Base):
    """Only says *what* changed; the sync worker rebuilds the document from the database's current state.

    A deleted row can no longer say its version, so its entry carries the one the delete must be written with.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    deleted_version: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    parked: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_outbox_pending", "parked", "available_at", "id"),
        # SQLite: an acknowledged entry's id is never handed out again (migration 0016).
        {"sqlite_autoincrement": True},
    )
