"""Keeps the audit trail within bounds: entries older than the retention are removed, a month at a time where
the database can, in small batches otherwise; and the trail can be exported as JSON lines before it goes.

On PostgreSQL `audit_log` is partitioned by month (migration 0014): a month wholly older than the cut-off is one
`DROP TABLE`, whatever it holds, and only the month the cut-off falls in is deleted row by row, in batches. On
SQLite every removal is a batched delete. Each batch is its own short transaction, so the API's audit inserts
never wait long behind retention. The background task also creates the months ahead, so inserts land in their
month rather than in the default partition.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

import orjson
from sqlalchemy import Connection, Engine, delete, select

from service.models.audit import AuditEntry
from service.settings import Settings

log = logging.getLogger(__name__)

MONTHS_AHEAD = 2
_PARTITION = re.compile(r"^audit_log_y(\d{4})m(\d{2})$")
_TABLE = AuditEntry.__table__


@dataclass(slots=True)
class PruneReport:
    before: str
    deleted: int = 0
    dropped_months: list[str] | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def _partition_name(month: date) -> str:
    return f"audit_log_y{month.year:04d}m{month.month:02d}"


def is_partitioned(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return bool(
        connection.exec_driver_sql(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = 'audit_log' AND c.relnamespace = current_schema()::regnamespace"
        ).first()
    )


def month_partitions(connection: Connection) -> list[date]:
    """The months audit_log has a partition for, oldest first (the default partition aside)."""
    rows = connection.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'audit_log' "
        "AND p.relnamespace = current_schema()::regnamespace"
    )
    months = [date(int(m[1]), int(m[2]), 1) for (name,) in rows if (m := _PARTITION.match(name))]
    return sorted(months)


def ensure_partitions(engine: Engine, *, now: datetime | None = None, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Creates the partitions of this month and the next `ahead` ones where missing; the names created."""
    created: list[str] = []
    with engine.begin() as connection:
        if not is_partitioned(connection):
            return created
        have = set(month_partitions(connection))
        month = _month_of(now or utcnow())
        for _ in range(ahead + 1):
            if month not in have:
                following = next_month(month)
                connection.exec_driver_sql(
                    f"CREATE TABLE {_partition_name(month)} PARTITION OF audit_log FOR VALUES "
                    f"FROM ('{month.isoformat()}T00:00:00+00:00') TO ('{following.isoformat()}T00:00:00+00:00')"
                )
                created.append(_partition_name(month))
            month = next_month(month)
    return created


def prune(engine: Engine, *, before: datetime, batch: int = 5000, stop: threading.Event | None = None) -> PruneReport:
    """Removes the entries older than `before`: whole months dropped where partitioned, the rest in batches."""
    if before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    report = PruneReport(before=before.isoformat(), dropped_months=[])
    with engine.begin() as connection:
        if is_partitioned(connection):
            for month in month_partitions(connection):
                if datetime(*next_month(month).timetuple()[:3], tzinfo=UTC) <= before:
                    # Counted first, for the report; a DETACH/DROP of an old month is instant however full.
                    rows = connection.exec_driver_sql(f"SELECT count(*) FROM {_partition_name(month)}").scalar_one()
                    connection.exec_driver_sql(f"DROP TABLE {_partition_name(month)}")
                    report.deleted += rows
                    report.dropped_months.append(month.strftime("%Y-%m"))
    while stop is None or not stop.is_set():
        with engine.begin() as connection:
            ids = select(_TABLE.c.id).where(_TABLE.c.at < before).order_by(_TABLE.c.id).limit(batch)
            deleted = connection.execute(delete(_TABLE).where(_TABLE.c.id.in_(ids.scalar_subquery()))).rowcount
        report.deleted += deleted
        if deleted < batch:
            break
    return report


def export(engine: Engine, stream: IO[bytes], *, start: datetime | None, end: datetime | None) -> int:
    """Writes the entries with `start <= at < end` as JSON lines, oldest first, streamed; the count written."""
    written = 0
    for row in _rows(engine, start=start, end=end):
        stream.write(orjson.dumps(row) + b"\n")
        written += 1
    return written


def _rows(engine: Engine, *, start: datetime | None, end: datetime | None) -> Iterator[dict[str, Any]]:
    statement = select(_TABLE).order_by(_TABLE.c.id)
    if start is not None:
        statement = statement.where(_TABLE.c.at >= start)
    if end is not None:
        statement = statement.where(_TABLE.c.at < end)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=1000).execute(statement)
        for row in result.mappings():
            yield dict(row)


def load(engine: Engine, lines: IO[bytes]) -> int:
    """Puts exported lines back (an archive restored for an investigation); the count inserted."""
    columns = {column.name: column for column in _TABLE.columns}
    rows = []
    for line in lines:
        if line.strip():
            values = orjson.loads(line)
            values["at"] = datetime.fromisoformat(values["at"])
            rows.append({name: value for name, value in values.items() if name in columns})
    if rows:
        with engine.begin() as connection:
            connection.execute(_TABLE.insert(), rows)
    return len(rows)


class Retention:
    """One pass every `audit_retention_interval_s`: months ahead created, entries past the retention removed."""

    def __init__(self, *, settings: Settings, engine: Engine) -> None:
        self._settings = settings
        self._engine = engine

    def run_once(self, *, now: datetime | None = None, stop: threading.Event | None = None) -> PruneReport:
        now = now or utcnow()
        ensure_partitions(self._engine, now=now)
        cut_off = now - timedelta(days=self._settings.audit_retention_days)
        return prune(self._engine, before=cut_off, batch=self._settings.audit_retention_batch, stop=stop)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                report = self.run_once(stop=stop)
                if report.deleted:
                    log.info("audit retention: %d entries before %s removed", report.deleted, report.before)
            except Exception:  # a database down is retried at the next pass; the API keeps serving meanwhile
                log.exception("audit retention pass failed")
            stop.wait(self._settings.audit_retention_interval_s)


def start_background(*, settings: Settings, engine: Engine) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(
        target=Retention(settings=settings, engine=engine).run, args=(stop,), name="audit-retention", daemon=True
    )
    thread.start()
    return thread, stop
