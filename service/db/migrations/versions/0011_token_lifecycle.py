"""API tokens with a lifecycle: when the token was issued, an expiry, a disabled flag (as a time) and when each was last used

Existing users keep their token with no expiry, enabled, never used as far as the trail knows.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("token_issued_at", "expires_at", "disabled_at", "last_used_at")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
