"""API users: agents and admins, each with one hashed bearer token that may expire or be disabled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, Timestamps, UTCDateTime


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    business_unit: Mapped[str | None] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Null: the token never expires (tokens issued before expiries existed keep working until rotated).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Written at most once a minute per token, by a thread beside the requests (`service.auth.last_used`).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
