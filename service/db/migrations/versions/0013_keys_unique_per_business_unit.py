"""keys unique within a business unit

Account numbers, subscription numbers, access-token identifiers and contacts' external ids were unique across
the whole database, so a 409 told one unit that another held a key. They are now unique within a business unit
(as PeopleSoft's SetIDs scope their keys): `ar_accounts`, `subscriptions` and `access_tokens` get a
`business_unit` column filled from their contact (kept in step by `service.models.unit_keys`), and each global
unique constraint gives way to a (business_unit, key) one. On SQLite dropping a constraint written into the
table means rebuilding it (batch mode: copy, drop, rename; rows, indexes, foreign keys and AUTOINCREMENT kept;
`service.db.migrate.upgrade` turns foreign keys off meanwhile, or dropping a parent would cascade), and each
sequence keeps what it handed out, so no deleted row's id comes back.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db.base import NAMING_CONVENTION

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, key column, whether the unit is copied from the contact) - contacts hold their unit already.
KEYS = (
    ("contacts", "external_id", False),
    ("ar_accounts", "number", True),
    ("subscriptions", "number", True),
    ("access_tokens", "identifier", True),
)


def _batch(table: str) -> object:
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table(
        table,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
        naming_convention=NAMING_CONVENTION,
    )


def _handed_out(table: str) -> int | None:
    """What the table's AUTOINCREMENT sequence handed out (SQLite): a rebuild would restart it at the highest
    id kept, and a deleted newest row's id must never come back (0008)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    return int(bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).scalar() or 0)


def _restore(table: str, handed_out: int | None) -> None:
    if handed_out is None:
        return
    op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")
    op.execute(
        f"INSERT INTO sqlite_sequence (name, seq) "
        f"VALUES ('{table}', MAX((SELECT COALESCE(MAX(id), 0) FROM {table}), {handed_out}))"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("0013 rebuilds tables: run it through service.db.migrate.upgrade (foreign keys off)")
    for table, key, copied in KEYS:
        if copied:
            op.add_column(table, sa.Column("business_unit", sa.String(length=20), nullable=True))
            op.execute(
                f"UPDATE {table} SET business_unit = "
                f"(SELECT contacts.business_unit FROM contacts WHERE contacts.id = {table}.contact_id)"
            )
        handed_out = _handed_out(table)
        with _batch(table) as batch:  # type: ignore[attr-defined]
            if copied:
                batch.alter_column("business_unit", existing_type=sa.String(length=20), nullable=False)
            batch.drop_constraint(f"uq_{table}_{key}", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_business_unit_{key}", ["business_unit", key])
        _restore(table, handed_out)


def downgrade() -> None:
    """Back to keys unique across units: refused while two units share one (the old constraint cannot hold).

    On SQLite it rebuilds the same tables, so with rows it needs foreign keys off (`service.db.migrate.downgrade`).
    """
    bind = op.get_bind()
    if (
        bind.dialect.name == "sqlite"
        and bind.exec_driver_sql("PRAGMA foreign_keys").scalar()
        and bind.exec_driver_sql("SELECT 1 FROM contacts LIMIT 1").scalar()
    ):
        raise RuntimeError("0013 rebuilds tables: downgrade through service.db.migrate.downgrade (foreign keys off)")
    for table, key, _copied in KEYS:
        shared = bind.exec_driver_sql(
            f"SELECT {key} FROM {table} WHERE {key} IS NOT NULL GROUP BY {key} HAVING COUNT(*) > 1"
        ).first()
        if shared is not None:
            raise RuntimeError(f"cannot downgrade: {table}.{key} '{shared[0]}' is used in more than one business unit")
    for table, key, copied in KEYS:
        handed_out = _handed_out(table)
        with _batch(table) as batch:  # type: ignore[attr-defined]
            batch.drop_constraint(f"uq_{table}_business_unit_{key}", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_{key}", [key])
            if copied:
                batch.drop_column("business_unit")
        _restore(table, handed_out)
