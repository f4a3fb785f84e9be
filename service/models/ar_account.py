"""Accounts receivable: the collector's view of a contact's money."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamps

if TYPE_CHECKING:
    from service.models.contact import Contact


class ARAccount(Timestamps, Base):
    __tablename__ = "ar_accounts"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    balance: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    credit_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    dunning_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    collector: Mapped[str | None] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    contact: Mapped[Contact] = relationship(back_populates="ar_accounts", lazy="raise")
