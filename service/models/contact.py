"""The contact aggregate: the person or company and what hangs directly off it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamps

if TYPE_CHECKING:
    from service.models.ar_account import ARAccount
    from service.models.communication import Communication
    from service.models.subscription import Subscription
    from service.models.work_item import WorkItem


def display_name_of(
    kind: str, first_name: str | None, middle_name: str | None, last_name: str | None, company_name: str | None
) -> str:
    """A company by its name, a person by their names; the indexer computes it from rows without the ORM."""
    if kind == "company" and company_name:
        return company_name
    return " ".join(p for p in (first_name, middle_name, last_name) if p) or (company_name or "")


def collectors_of(accounts: Iterable[Any]) -> list[str]:
    """The collectors of a contact's accounts, each once, sorted: what its communications' documents carry."""
    return sorted({account.collector for account in accounts if account.collector})


class Contact(Timestamps, Base):
    """`external_id` is unique within the business unit, as the children's numbers and identifiers are."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("business_unit", "external_id", name="uq_contacts_business_unit_external_id"),
        {"sqlite_autoincrement": True},  # SQLite: a deleted row's id is never handed out again
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(32))
    first_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company_name: Mapped[str | None] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(64), index=True)
    business_unit: Mapped[str] = mapped_column(String(20), index=True)
    life_cycle_state: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer, default=1)

    addresses: Mapped[list[Address]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", order_by="Address.id"
    )
    phones: Mapped[list[Phone]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", order_by="Phone.id"
    )
    emails: Mapped[list[Email]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", order_by="Email.id"
    )
    access_tokens: Mapped[list[AccessToken]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", order_by="AccessToken.id"
    )
    ar_accounts: Mapped[list[ARAccount]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", order_by="ARAccount.id"
    )
    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", order_by="Subscription.id"
    )
    communications: Mapped[list[Communication]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    work_items: Mapped[list[WorkItem]] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan", order_by="WorkItem.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        return display_name_of(self.kind, self.first_name, self.middle_name, self.last_name, self.company_name)

    @property
    def collectors(self) -> list[str]:
        """Needs `ar_accounts` loaded."""
        return collectors_of(self.ar_accounts)


class Address(Base):
    __tablename__ = "addresses"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    address_type: Mapped[str] = mapped_column(String(16))
    street: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    contact: Mapped[Contact] = relationship(back_populates="addresses", lazy="raise")


class Phone(Base):
    """A number kept as typed, plus its E.164 form (null when it cannot be parsed) for search."""

    __tablename__ = "phones"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    phone_type: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(40))
    e164: Mapped[str | None] = mapped_column(String(20), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    contact: Mapped[Contact] = relationship(back_populates="phones", lazy="raise")


class Email(Base):
    __tablename__ = "emails"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    email_type: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(254), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    contact: Mapped[Contact] = relationship(back_populates="emails", lazy="raise")


class AccessToken(Base):
    """Cards, smart cards, PINs and secret codes: searchable by identifier; only a hash of the secret is kept.

    `business_unit` is the contact's (`service.models.unit_keys` keeps it so): identifiers are unique per unit.
    """

    __tablename__ = "access_tokens"
    __table_args__ = (
        UniqueConstraint("business_unit", "identifier", name="uq_access_tokens_business_unit_identifier"),
        {"sqlite_autoincrement": True},  # SQLite: a deleted row's id is never handed out again
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    token_type: Mapped[str] = mapped_column(String(16))
    business_unit: Mapped[str] = mapped_column(String(20))
    identifier: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="active")
    valid_until: Mapped[date | None] = mapped_column(Date)

    contact: Mapped[Contact] = relationship(back_populates="access_tokens", lazy="raise")
