"""promises to pay

A `promise_to_pay` call action records what the customer promised to pay on an account (amount, in the account's
currency) and by when, beside the communication it was made on; both deletes cascade to it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ar_account_id", sa.Integer(), nullable=False),
        sa.Column("communication_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ar_account_id"],
            ["ar_accounts.id"],
            name=op.f("fk_promises_ar_account_id_ar_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communications.id"],
            name=op.f("fk_promises_communication_id_communications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_promises_ar_account_id"), "promises", ["ar_account_id"])
    op.create_index(op.f("ix_promises_communication_id"), "promises", ["communication_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_promises_communication_id"), table_name="promises")
    op.drop_index(op.f("ix_promises_ar_account_id"), table_name="promises")
    op.drop_table("promises")
