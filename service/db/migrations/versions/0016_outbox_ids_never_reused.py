"""outbox ids never reused

On SQLite two sync workers (the service's and a rebuild's drain, or two `index sync`) claim the same entries
without a lock, and each deletes by id the entries it wrote. SQLite hands the newest deleted row's id (once the
outbox is empty, id 1) to the next insert: a worker acknowledging after the other one had drained the outbox
deleted, unwritten, the entry of a newer change that had taken one of its ids, and the index kept the older
version. AUTOINCREMENT hands no id out twice. PostgreSQL's sequence never did; there is nothing to do.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 06:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from service.db.base import NAMING_CONVENTION

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # Past the highest id still there and what a sequence already handed out (run again after a downgrade).
    handed_out = 0
    if bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").scalar():
        handed_out = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").scalar() or 0
    with op.batch_alter_table(
        "outbox", recreate="always", table_kwargs={"sqlite_autoincrement": True}, naming_convention=NAMING_CONVENTION
    ):
        pass
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'outbox'")
    op.execute(
        "INSERT INTO sqlite_sequence (name, seq) "
        f"VALUES ('outbox', MAX((SELECT COALESCE(MAX(id), 0) FROM outbox), {int(handed_out)}))"
    )


def downgrade() -> None:
    """The table stays AUTOINCREMENT: ids that are never reused break nothing."""
