"""credit memo requests

A call's `credit_memo` action records the request against one item of the contact's accounts (who asked, when,
for how much, from which communication); the context's Financials section shows each item's requests. Deleting
the communication keeps the request (its `communication_id` becomes NULL); deleting the item deletes them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_memo_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ar_item_id", sa.Integer(), nullable=False),
        sa.Column("communication_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ar_item_id"],
            ["ar_items.id"],
            name=op.f("fk_credit_memo_requests_ar_item_id_ar_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communications.id"],
            name=op.f("fk_credit_memo_requests_communication_id_communications"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_memo_requests")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_credit_memo_requests_ar_item_id"), "credit_memo_requests", ["ar_item_id"], unique=False)
    op.create_index(
        op.f("ix_credit_memo_requests_communication_id"), "credit_memo_requests", ["communication_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_credit_memo_requests_communication_id"), table_name="credit_memo_requests")
    op.drop_index(op.f("ix_credit_memo_requests_ar_item_id"), table_name="credit_memo_requests")
    op.drop_table("credit_memo_requests")
