"""Promises to pay (Oracle Receivables' call action "Promise to Pay"): an amount the customer promised to pay on an
account by a date, made on a call. One row per `promise_to_pay` action of a communication; the row follows the
action (`service.communications.promises`) and goes with its communication or its account.

The account reads its promises (a view-only list) and the promise names its communication, so both are inserted
in one flush. A communication's delete removes its promises first (`promises.remove`); an account's leaves them to
the database's cascade.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from service.models.communication import Communication


class Promise(Base):
    """`created_at` starts the span of payments that keep it (`service.receivables.promise_state`); a patch of the
    action's amount or date changes the row, never its creation."""

    __tablename__ = "promises"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    ar_account_id: Mapped[int] = mapped_column(ForeignKey("ar_accounts.id", ondelete="CASCADE"), index=True)
    communication_id: Mapped[int] = mapped_column(ForeignKey("communications.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    promised_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    communication: Mapped[Communication] = relationship(lazy="raise")
