"""How far an import of a file got, so `contact-lookup import --resume` skips what a previous run stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, UTCDateTime, utcnow


class ImportCheckpoint(Base):
    """Written in the transaction of each batch, so it never claims a line that was not committed.

    `source` is the file's absolute path, `fingerprint` a hash of its start and kind (a different file at the
    same path is not resumed), `line` the line the batch's last record starts on. Removed once the file is done.
    """

    __tablename__ = "import_checkpoints"

    source: Mapped[str] = mapped_column(String(1000), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    line: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
