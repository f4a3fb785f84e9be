"""Accounts receivable: the collector's view of a contact's money."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamps

if TYPE_CHECKING:
    from service.models.contact import Contact


class ARAccount(Timestamps, Base):
    """`business_unit` is the contact's (`service.models.unit_keys` keeps it so): numbers are unique per unit."""

    __tablename__ = "ar_accounts"
    __table_args__ = (
        UniqueConstraint("business_unit", "number", name="uq_ar_accounts_business_unit_number"),
        {"sqlite_autoincrement": True},  # SQLite: a deleted row's id is never handed out again
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    business_unit: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    balance: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    credit_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    dunning_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    collector: Mapped[str | None] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    contact: Mapped[Contact] = relationship(back_populates="ar_accounts", lazy="raise")
