"""What each outbox pass did, kept briefly so any process can report the sync's throughput."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Integer
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, UTCDateTime, utcnow

KEEP_PASSES = 100


class SyncPass(Base):
    """One pass that claimed entries, written by the sync worker in the transaction that acknowledges them.

    In the database rather than in the worker's memory: `serve` may fork several API processes and the worker
    may run as `index sync` elsewhere, yet `/ready` and `/metrics` of every process report the same figures.
    Only the latest `KEEP_PASSES` passes are kept.
    """

    __tablename__ = "sync_passes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed: Mapped[int] = mapped_column(Integer)
    documents: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
