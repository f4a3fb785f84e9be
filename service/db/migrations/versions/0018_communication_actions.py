"""communication actions

A communication carries several call actions (Oracle's Customer Calls: "You can enter new actions ... for an
existing call"), each with its amount, the item it is about and a promised date. `action` and `action_amount` stay
as the first action's mirror; rows from before keep NULL here and are read as their one action.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("communications") as batch:
        batch.add_column(sa.Column("actions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("communications") as batch:
        batch.drop_column("actions")
