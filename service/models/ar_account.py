"""Accounts receivable: the collector's view of a contact's money, and the items (transactions) it is made of."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamps

if TYPE_CHECKING:
    from service.models.contact import Contact
    from service.models.promise import Promise


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
    items: Mapped[list[ARItem]] = relationship(
        back_populates="account", lazy="raise", cascade="all, delete-orphan", order_by="ARItem.id"
    )
    wallets: Mapped[list[Wallet]] = relationship(
        back_populates="account", lazy="raise", cascade="all, delete-orphan", order_by="Wallet.id"
    )
    vouchers: Mapped[list[Voucher]] = relationship(
        back_populates="account", lazy="raise", cascade="all, delete-orphan", order_by="Voucher.id"
    )
    # Read only: promises are written by their call action (`service.communications.promises`) and go with the
    # account by the database's cascade.
    promises: Mapped[list[Promise]] = relationship(viewonly=True, lazy="raise", order_by="Promise.id")


class ARItem(Base):
    """One transaction of an account (invoice, debit or credit memo, chargeback, payment), as Receivables keeps it.

    `number` is unique within the business unit (Oracle: "enter the Transaction Number ... Receivables enters the
    customer information"), so `business_unit` is the account's, kept so by `service.models.unit_keys`.
    """

    __tablename__ = "ar_items"
    __table_args__ = (
        UniqueConstraint("business_unit", "number", name="uq_ar_items_business_unit_number"),
        {"sqlite_autoincrement": True},  # SQLite: a deleted row's id is never handed out again
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ar_account_id: Mapped[int] = mapped_column(ForeignKey("ar_accounts.id", ondelete="CASCADE"), index=True)
    business_unit: Mapped[str] = mapped_column(String(20))
    item_type: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(32))
    issued_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    open_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    disputed_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))

    account: Mapped[ARAccount] = relationship(back_populates="items", lazy="raise")


class Wallet(Base):
    """A balance the account holds in a currency (CRM.COM's Financials: "Wallets"); number unique in the account."""

    __tablename__ = "wallets"
    __table_args__ = (
        UniqueConstraint("ar_account_id", "number", name="uq_wallets_ar_account_id_number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ar_account_id: Mapped[int] = mapped_column(ForeignKey("ar_accounts.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    balance: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))

    account: Mapped[ARAccount] = relationship(back_populates="wallets", lazy="raise")


class Voucher(Base):
    """A voucher of the account, used on it (and on one of its subscriptions) or not yet.

    `secret_encrypted` is the secret code under Fernet (`service.contacts.secrets.VoucherCipher`): never in plain
    text, never in an answer other than the audited secret endpoint's, never in the index.
    """

    __tablename__ = "vouchers"
    __table_args__ = (
        UniqueConstraint("ar_account_id", "number", name="uq_vouchers_ar_account_id_number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ar_account_id: Mapped[int] = mapped_column(ForeignKey("ar_accounts.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    used_on: Mapped[date | None] = mapped_column(Date)
    subscription_number: Mapped[str | None] = mapped_column(String(32))
    secret_encrypted: Mapped[str | None] = mapped_column(Text)

    account: Mapped[ARAccount] = relationship(back_populates="vouchers", lazy="raise")
