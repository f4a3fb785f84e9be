"""Activities, jobs, service requests, notifications and leads shown in the contact context."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamps

if TYPE_CHECKING:
    from service.models.contact import Contact


class WorkItem(Timestamps, Base):
    __tablename__ = "work_items"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    life_cycle_state: Mapped[str] = mapped_column(String(24))
    due_on: Mapped[date | None] = mapped_column(Date)

    contact: Mapped[Contact] = relationship(back_populates="work_items", lazy="raise")
