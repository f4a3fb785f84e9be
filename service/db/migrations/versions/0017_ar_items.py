"""accounts receivable items

The transactions of an AR account (invoices, debit and credit memos, chargebacks, payments) with their due dates,
open and disputed amounts: what a collector works, and how a customer is found from a transaction number. Item
numbers are unique within a business unit (the account's, copied as `ar_accounts` copy the contact's).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 08:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ar_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ar_account_id", sa.Integer(), nullable=False),
        sa.Column("business_unit", sa.String(length=20), nullable=False),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("open_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("disputed_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["ar_account_id"],
            ["ar_accounts.id"],
            name=op.f("fk_ar_items_ar_account_id_ar_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ar_items")),
        sa.UniqueConstraint("business_unit", "number", name="uq_ar_items_business_unit_number"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_ar_items_ar_account_id"), "ar_items", ["ar_account_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ar_items_ar_account_id"), table_name="ar_items")
    op.drop_table("ar_items")
