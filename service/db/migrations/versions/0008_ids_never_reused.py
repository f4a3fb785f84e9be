"""ids never reused; index tombstones

SQLite hands the id of the newest deleted row to the next insert unless the table is AUTOINCREMENT, and an
index document keyed by that id then belongs to another row. Every table whose id becomes a document id or
sits in one (contacts, communications and their children) is rebuilt as AUTOINCREMENT (batch mode:
copy, drop, rename; rows, indexes and foreign keys kept; `service.db.migrate.upgrade` turns foreign keys off
meanwhile, or dropping a parent would cascade). Each table's sequence starts past its highest id and past any
id still waiting in the outbox (a deleted newest row whose delete has not reached the index yet).
PostgreSQL's serial sequences never hand a value out twice, so only the tombstones are new there:
`index_tombstones` keeps the last external version written for a deleted id (`service.models.tombstone`),
seeded from the deletes still waiting in the outbox.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db.base import NAMING_CONVENTION

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Parents first; each with the outbox entity whose pending ids its sequence must pass.
TABLES = (
    ("contacts", "contact"),
    ("communications", "communication"),
    ("addresses", None),
    ("phones", None),
    ("emails", None),
    ("access_tokens", None),
    ("ar_accounts", None),
    ("subscriptions", None),
    ("subscription_services", None),
    ("installed_items", None),
    ("communication_references", None),
    ("work_items", None),
)


def upgrade() -> None:
    op.create_table(
        "index_tombstones",
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", name=op.f("pk_index_tombstones")),
    )
    op.execute(
        "INSERT INTO index_tombstones (entity, entity_id, version) "
        "SELECT entity, entity_id, MAX(deleted_version) FROM outbox WHERE deleted_version IS NOT NULL "
        "GROUP BY entity, entity_id"
    )
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("0008 rebuilds tables: run it through service.db.migrate.upgrade (foreign keys off)")
    for table, entity in TABLES:
        # Past the highest id, what a sequence already handed out (run again after a downgrade) and ids of
        # changes still waiting in the outbox.
        passed = [f"(SELECT COALESCE(MAX(id), 0) FROM {table})"]
        if entity is not None:
            passed.append(f"(SELECT COALESCE(MAX(entity_id), 0) FROM outbox WHERE entity = '{entity}')")
        handed_out = None
        if bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").scalar():
            handed_out = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).scalar()
        passed.append(str(int(handed_out or 0)))
        with op.batch_alter_table(
            table,
            recreate="always",
            table_kwargs={"sqlite_autoincrement": True},
            naming_convention=NAMING_CONVENTION,
        ):
            pass
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
        op.execute(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('{table}', MAX({', '.join(passed)}))")


def downgrade() -> None:
    """The tombstones go; the tables stay AUTOINCREMENT (ids that are never reused break nothing)."""
    op.drop_table("index_tombstones")
