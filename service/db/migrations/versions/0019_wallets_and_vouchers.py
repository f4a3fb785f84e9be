"""wallets and vouchers of AR accounts

The Communication Centre's Financials section lists per account its wallets (a balance in a currency) and its
used vouchers. A voucher's secret code is stored encrypted (Fernet, `service.contacts.secrets.VoucherCipher`),
never in plain text: agents read it back through one audited endpoint. Numbers are unique within the account.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ar_account_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("balance", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["ar_account_id"], ["ar_accounts.id"], name=op.f("fk_wallets_ar_account_id_ar_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallets")),
        sa.UniqueConstraint("ar_account_id", "number", name="uq_wallets_ar_account_id_number"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ar_account_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.Column("subscription_number", sa.String(length=32), nullable=True),
        sa.Column("secret_encrypted", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ar_account_id"],
            ["ar_accounts.id"],
            name=op.f("fk_vouchers_ar_account_id_ar_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("ar_account_id", "number", name="uq_vouchers_ar_account_id_number"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("vouchers")
    op.drop_table("wallets")
