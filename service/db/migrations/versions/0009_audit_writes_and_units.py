"""audit of writes, communications and business units

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:00:00.000000

Existing entries are lookups: their action is `read`, they name no communication and changed nothing; their
contact unit is unknown (null), so a unit-bound admin sees an old entry only when its caller was bound to that
unit.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("action", sa.String(length=16), nullable=False, server_default="read"))
    op.add_column(
        "audit_log",
        sa.Column(
            "communication_ids",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
    )
    op.add_column("audit_log", sa.Column("changed", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.add_column("audit_log", sa.Column("contact_unit", sa.String(length=20), nullable=True))
    op.create_index("ix_audit_log_business_unit_id", "audit_log", ["business_unit", "id"])
    op.create_index("ix_audit_log_contact_unit_id", "audit_log", ["contact_unit", "id"])
    op.create_index("ix_audit_log_action_id", "audit_log", ["action", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_audit_log_communication_ids", "audit_log", ["communication_ids"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_audit_log_communication_ids", table_name="audit_log")
    op.drop_index("ix_audit_log_action_id", table_name="audit_log")
    op.drop_index("ix_audit_log_contact_unit_id", table_name="audit_log")
    op.drop_index("ix_audit_log_business_unit_id", table_name="audit_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("contact_unit")
        batch_op.drop_column("changed")
        batch_op.drop_column("communication_ids")
        batch_op.drop_column("action")
