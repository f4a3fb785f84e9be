"""Credit memo requests: a collector's call asking for a credit memo against one item (Oracle's Credit Memo call
action), kept for the Financials section until Receivables issues the memo."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, UTCDateTime, utcnow


class CreditMemoRequest(Base):
    """`communication_id` is the call that asked; deleting that call leaves the request (it becomes NULL), as
    deleting a communication leaves every effect of its actions."""

    __tablename__ = "credit_memo_requests"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite: a deleted row's id is never handed out again

    id: Mapped[int] = mapped_column(primary_key=True)
    ar_item_id: Mapped[int] = mapped_column(ForeignKey("ar_items.id", ondelete="CASCADE"), index=True)
    communication_id: Mapped[int | None] = mapped_column(
        ForeignKey("communications.id", ondelete="SET NULL"), index=True
    )
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
