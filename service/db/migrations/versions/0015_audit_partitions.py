"""audit log partitioned by month on PostgreSQL

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 20:10:00.000000

A lookup writes one audit entry, millions a month for a large centre; retention then drops a whole month in one
statement (`DROP TABLE audit_log_y2025m01`) instead of deleting millions of rows. PostgreSQL only: SQLite has no
partitions, and there retention deletes in batches. The table is rebuilt as a range-partitioned one on `at`, with
a partition per month from the oldest entry to two months ahead and a default partition so that no insert ever
fails for want of a month (service.audit.retention creates the months ahead as time passes). The primary key
becomes (id, at), since a partitioned table's unique keys must hold its partition key; ids still come from the
same sequence. Every other index is recreated as it was (whatever migrations added them).
"""

from collections.abc import Sequence
from datetime import date

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    indexes = _indexes()
    sequence = connection.exec_driver_sql("SELECT pg_get_serial_sequence('audit_log', 'id')").scalar_one()
    op.execute(
        "CREATE TABLE audit_log_partitioned (LIKE audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY RANGE (at)"
    )
    op.execute("ALTER TABLE audit_log_partitioned ADD CONSTRAINT pk_audit_log_partitioned PRIMARY KEY (id, at)")
    op.execute("CREATE TABLE audit_log_default PARTITION OF audit_log_partitioned DEFAULT")
    oldest, newest = connection.exec_driver_sql(
        "SELECT min(at) AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM audit_log"
    ).one()
    month = date((oldest or newest).year, (oldest or newest).month, 1)
    last = _next_month(_next_month(date(newest.year, newest.month, 1)))
    while month <= last:
        following = _next_month(month)
        op.execute(
            f"CREATE TABLE audit_log_y{month.year:04d}m{month.month:02d} PARTITION OF audit_log_partitioned "
            f"FOR VALUES FROM ('{month.isoformat()}T00:00:00+00:00') TO ('{following.isoformat()}T00:00:00+00:00')"
        )
        month = following
    op.execute("INSERT INTO audit_log_partitioned SELECT * FROM audit_log")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute("DROP TABLE audit_log")
    op.execute("ALTER TABLE audit_log_partitioned RENAME TO audit_log")
    op.execute("ALTER TABLE audit_log RENAME CONSTRAINT pk_audit_log_partitioned TO pk_audit_log")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY audit_log.id")
    for definition in indexes:
        op.execute(definition)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    indexes = _indexes()
    sequence = connection.exec_driver_sql("SELECT pg_get_serial_sequence('audit_log', 'id')").scalar_one()
    op.execute("CREATE TABLE audit_log_plain (LIKE audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    op.execute("INSERT INTO audit_log_plain SELECT * FROM audit_log")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute("DROP TABLE audit_log CASCADE")
    op.execute("ALTER TABLE audit_log_plain RENAME TO audit_log")
    op.execute("ALTER TABLE audit_log ADD CONSTRAINT pk_audit_log PRIMARY KEY (id)")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY audit_log.id")
    for definition in indexes:
        op.execute(definition)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _indexes() -> list[str]:
    """The CREATE INDEX statements of audit_log's indexes other than its primary key."""
    rows = op.get_bind().exec_driver_sql(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'audit_log' "
        "AND indexname <> 'pk_audit_log'"
    )
    return [definition.replace(" ONLY ", " ") for (definition,) in rows]
