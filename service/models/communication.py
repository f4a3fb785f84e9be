"""Communications (calls, conversations, interactions, notes) and their references."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamps, UTCDateTime

if TYPE_CHECKING:
    from service.models.contact import Contact


class Communication(Timestamps, Base):
    __tablename__ = "communications"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    interaction_at: Mapped[datetime] = mapped_column(UTCDateTime())
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    topic: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    action: Mapped[str | None] = mapped_column(String(32))
    action_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # The call actions as sent (`action`, `amount`, `reference`, `promised_on`; JSON values); `action` and
    # `action_amount` mirror the first. NULL on rows logged before several actions were kept: see `actions`.
    stored_actions: Mapped[list[dict[str, Any]] | None] = mapped_column("actions", JSON)
    customer_response: Mapped[str | None] = mapped_column(String(64))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    contact_person: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)

    contact: Mapped[Contact] = relationship(back_populates="communications", lazy="raise")
    references: Mapped[list[CommunicationReference]] = relationship(
        back_populates="communication", lazy="raise", cascade="all, delete-orphan", order_by="CommunicationReference.id"
    )

    @property
    def actions(self) -> list[dict[str, Any]]:
        """The call actions; a row from before the list carries at most its one `action`."""
        return legacy_actions(self.stored_actions, self.action, self.action_amount)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_communications_created_by_created_at", "created_by", "created_at"),
        Index("ix_communications_follow_up_on", "follow_up_on"),
        {"sqlite_autoincrement": True},  # SQLite: a deleted row's id is never handed out again
    )


class CommunicationReference(Base):
    """A link to a business document: qualifier (invoice, item, transaction, order) and its id."""

    __tablename__ = "communication_references"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    communication_id: Mapped[int] = mapped_column(ForeignKey("communications.id", ondelete="CASCADE"), index=True)
    qualifier: Mapped[str] = mapped_column(String(32))
    reference_id: Mapped[str] = mapped_column(String(64), index=True)

    communication: Mapped[Communication] = relationship(back_populates="references", lazy="raise")


def legacy_actions(
    stored: list[dict[str, Any]] | None, action: str | None, amount: Decimal | None
) -> list[dict[str, Any]]:
    """Shared with the indexer's records, so the index and the answers read old rows alike."""
    if stored is not None:
        return stored
    if action is None:
        return []
    return [
        {"action": action, "amount": None if amount is None else str(amount), "reference": None, "promised_on": None}
    ]
