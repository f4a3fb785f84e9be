"""the request id of each audit entry

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:00:00.000000

The id the caller sent in `X-Request-ID` (or the one the service made), the same one its log lines carry, so an
entry leads to the logs of its request and back. Entries written before have none (null).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("request_id", sa.String(length=128), nullable=True))
    op.create_index("ix_audit_log_request_id", "audit_log", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_request_id", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("request_id")
