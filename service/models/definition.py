"""Communication Centre definitions: every save is a version; activations say which one each scope uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, Timestamps, UTCDateTime, utcnow

GLOBAL_SCOPE = ""


class DefinitionRecord(Timestamps, Base):
    __tablename__ = "definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)


class DefinitionVersion(Base):
    __tablename__ = "definition_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("definition_id", "version"),)


class DefinitionActivation(Base):
    """One row per scope (a business unit, or "" for everyone): exactly one active definition each."""

    __tablename__ = "definition_activations"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="RESTRICT"), index=True)
    activated_by: Mapped[str] = mapped_column(String(64))
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
