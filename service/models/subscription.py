"""Subscriptions with their billing terms, services and installed items."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamps

if TYPE_CHECKING:
    from service.models.contact import Contact


class Subscription(Timestamps, Base):
    """`business_unit` is the contact's (`service.models.unit_keys` keeps it so): numbers are unique per unit."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("business_unit", "number", name="uq_subscriptions_business_unit_number"),
        {"sqlite_autoincrement": True},  # SQLite: a deleted row's id is never handed out again
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    ar_account_id: Mapped[int | None] = mapped_column(ForeignKey("ar_accounts.id", ondelete="SET NULL"))
    business_unit: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    billing_term_scheme: Mapped[str] = mapped_column(String(64))
    billing_frequency: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)

    contact: Mapped[Contact] = relationship(back_populates="subscriptions", lazy="raise")
    services: Mapped[list[SubscriptionService]] = relationship(
        back_populates="subscription", lazy="raise", cascade="all, delete-orphan", order_by="SubscriptionService.id"
    )
    installed_items: Mapped[list[InstalledItem]] = relationship(
        back_populates="subscription", lazy="raise", cascade="all, delete-orphan", order_by="InstalledItem.id"
    )


class SubscriptionService(Base):
    __tablename__ = "subscription_services"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)

    subscription: Mapped[Subscription] = relationship(back_populates="services", lazy="raise")


class InstalledItem(Base):
    __tablename__ = "installed_items"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(100))
    serial_number: Mapped[str] = mapped_column(String(64), index=True)

    subscription: Mapped[Subscription] = relationship(back_populates="installed_items", lazy="raise")
