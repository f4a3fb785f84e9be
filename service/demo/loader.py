"""Bulk-loads generated demo contacts: one transaction per batch, driver-level executemany, flat memory.

Ids are assigned here, not by the database: contacts continue after the highest contact id the table ever
handed out (so a second call appends, and a deleted row's id is never reused), children likewise. Explicit
ids let every table go in as one executemany without RETURNING round trips, the fast path on SQLite and
PostgreSQL alike; each PostgreSQL batch then moves the sequences past its rows (`setval`)
before it commits, so later ORM inserts never collide. Loading must not run alongside other writers of
the same tables: a batch that finds foreign rows where its ids should go stops the load (the batches
already committed stay; a new call continues after them).

These are Core inserts, so they bypass the ORM flush events that feed the outbox: demo data is indexed by
the rebuild that follows it (`contact-lookup run` does both; after `demo-data` alone, run
`contact-lookup index rebuild`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Engine, Table, func, insert, select, text
from sqlalchemy.engine import Connection

from service.demo.generator import ContactBundle, generate
from service.models import (
    AccessToken,
    Address,
    ARAccount,
    ARItem,
    Communication,
    CommunicationReference,
    Contact,
    Email,
    InstalledItem,
    Phone,
    Subscription,
    SubscriptionService,
    WorkItem,
)
from service.progress import progress_bar

DEFAULT_BUSINESS_UNITS = ("BU01", "BU02")
SQLITE_LOAD_CACHE_KIB = 64 * 1024
Row = dict[str, Any]

# Parents before children, so foreign keys hold at every statement.
TABLES: tuple[Table, ...] = tuple(
    model.__table__
    for model in (
        Contact,
        Address,
        Phone,
        Email,
        AccessToken,
        ARAccount,
        ARItem,
        Subscription,
        SubscriptionService,
        InstalledItem,
        Communication,
        CommunicationReference,
        WorkItem,
    )
)
COLUMNS = {table.name: tuple(table.c.keys()) for table in TABLES}


@dataclass(slots=True)
class LoadReport:
    contacts: int = 0
    first_contact_id: int | None = None
    last_contact_id: int | None = None
    rows: dict[str, int] = field(default_factory=lambda: {table.name: 0 for table in TABLES})
    seconds: float = 0.0

    @property
    def contacts_per_second(self) -> float:
        return self.contacts / self.seconds if self.seconds else 0.0


def load_demo_data(
    engine: Engine,
    *,
    contacts: int,
    seed: int,
    users: Sequence[str],
    business_units: Sequence[str] = DEFAULT_BUSINESS_UNITS,
    batch_size: int = 1000,
    progress: bool = False,
) -> LoadReport:
    """Adds `contacts` more demo contacts after the ones already there, one transaction per batch."""
    if contacts < 0 or batch_size < 1:
        raise ValueError("contacts must be >= 0 and batch_size >= 1")
    if not users or not business_units:
        raise ValueError("demo data needs at least one user and one business unit")
    started = time.perf_counter()
    report = LoadReport()
    statements = {table.name: _BulkInsert.of(table, engine.dialect) for table in TABLES}
    with (
        engine.connect() as connection,
        _large_page_cache(connection),
        progress_bar("demo contacts", contacts, enabled=progress) as advance,
    ):
        with connection.begin():
            next_ids = _next_ids(connection)
        first_contact = next_ids["contacts"]
        for offset in range(0, contacts, batch_size):
            size = min(batch_size, contacts - offset)
            bundles = generate(
                size, seed=seed, users=users, business_units=business_units, start_id=first_contact + offset
            )
            first_ids = dict(next_ids)
            rows = _rows(bundles, next_ids)
            with connection.begin():
                _write(connection, statements, first_ids, rows)
            for name, table_rows in rows.items():
                report.rows[name] += len(table_rows)
            del rows  # before the next batch is built: one batch in memory at a time
            report.contacts += size
            report.first_contact_id = first_contact
            report.last_contact_id = first_contact + offset + size - 1
            advance(size)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _large_page_cache(connection: Connection) -> Iterator[None]:
    """SQLite's default 2 MB page cache makes index maintenance read pages back again and again once the
    file is large (-15 to -20 % at 200,000 contacts); a bigger cache for the load's connection avoids that.
    https://www.sqlite.org/pragma.html#pragma_cache_size
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    with connection.begin():
        previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.begin():
            connection.exec_driver_sql(f"PRAGMA cache_size={int(previous or -2000)}")


def _rows(bundles: Iterable[ContactBundle], next_ids: dict[str, int]) -> dict[str, list[Row]]:
    """Rows per table with ids and links filled in; advances `next_ids`; mutates the (throwaway) bundles."""
    rows: dict[str, list[Row]] = {table.name: [] for table in TABLES}
    ids = next_ids  # advanced in place: the next batch continues from here

    def add(table: str, row: Row) -> int:
        row["id"] = ids[table]
        ids[table] += 1
        rows[table].append(row)
        return row["id"]

    for bundle in bundles:
        ids["contacts"] = bundle.id + 1
        rows["contacts"].append(bundle.contact)
        unit = bundle.contact["business_unit"]  # keys are unique per unit: the keyed rows carry their contact's
        for row in (*bundle.access_tokens, *bundle.ar_accounts, *(s.row for s in bundle.subscriptions)):
            row["business_unit"] = unit
        for table, children in (
            ("addresses", bundle.addresses),
            ("phones", bundle.phones),
            ("emails", bundle.emails),
            ("access_tokens", bundle.access_tokens),
            ("work_items", bundle.work_items),
        ):
            for row in children:
                add(table, row)
        accounts = [add("ar_accounts", row) for row in bundle.ar_accounts]
        for item in bundle.ar_items:
            item.row.update(ar_account_id=accounts[item.account], business_unit=unit)
            add("ar_items", item.row)
        for subscription in bundle.subscriptions:
            subscription.row["ar_account_id"] = accounts[subscription.account]
            subscription_id = add("subscriptions", subscription.row)
            for row in subscription.services:
                row["subscription_id"] = subscription_id
                add("subscription_services", row)
            for row in subscription.installed_items:
                row["subscription_id"] = subscription_id
                add("installed_items", row)
        for communication in bundle.communications:
            communication_id = add("communications", communication.row)
            for row in communication.references:
                row["communication_id"] = communication_id
                add("communication_references", row)
    return rows


def _write(
    connection: Connection, statements: dict[str, _BulkInsert], first_ids: dict[str, int], rows: dict[str, list[Row]]
) -> None:
    found = _next_ids(connection)
    if found != first_ids:
        raise RuntimeError(
            f"rows appeared while demo data was loading (next ids {found}, expected {first_ids}); "
            "the batches written so far are committed, run the load again to continue after them"
        )
    for name, table_rows in rows.items():
        if table_rows:
            statements[name].execute(connection, table_rows)
    if connection.dialect.name == "postgresql":
        for name, table_rows in rows.items():
            if table_rows:
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
                    {"table": name, "value": table_rows[-1]["id"]},
                )


def _next_ids(connection: Connection) -> dict[str, int]:
    """Past the highest id and past what the table's sequence already handed out: a deleted newest row's id
    is never given to a demo row (its document may still be in the index, at a newer version)."""
    row = connection.execute(select(*(select(func.max(t.c.id)).scalar_subquery() for t in TABLES))).one()
    handed_out = _handed_out(connection)
    return {
        table.name: max(highest or 0, handed_out.get(table.name, 0)) + 1
        for table, highest in zip(TABLES, row, strict=True)
    }


def _handed_out(connection: Connection) -> dict[str, int]:
    if connection.dialect.name == "sqlite":
        if not connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").scalar():
            return {}
        return {
            name: int(seq or 0) for name, seq in connection.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")
        }
    if connection.dialect.name == "postgresql":
        found = connection.execute(
            select(
                *(func.pg_sequence_last_value(func.pg_get_serial_sequence(t.name, "id")).label(t.name) for t in TABLES)
            )
        ).one()
        return {name: int(value or 0) for name, value in found._mapping.items()}
    return {}


@dataclass(frozen=True, slots=True)
class _BulkInsert:
    """An INSERT of every column as the dialect compiles it, executed as one driver-level executemany.

    `connection.execute(insert(table), rows)` spends most of its time building parameters row by row;
    here the column types' own bind processors are applied column by column, so values are stored exactly
    as the ORM stores them (SQLite dates as text, JSON serialised, PostgreSQL casts rendered by the compiler).
    A column equal to one already processed with the same type (`updated_at` = `created_at`) is reused.
    With psycopg the rows go through `COPY ... FROM STDIN` instead, several times faster than its
    executemany (https://www.psycopg.org/psycopg3/docs/basic/copy.html); the processors still apply, so
    JSON arrives as its text.
    """

    sql: str
    keys: tuple[str, ...]
    processors: tuple[tuple[int, type, Callable[[Any], Any]], ...]
    positional: bool
    copy_sql: str | None

    @classmethod
    def of(cls, table: Table, dialect: Dialect) -> _BulkInsert:
        keys = COLUMNS[table.name]
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        if compiled.positional and tuple(compiled.positiontup or ()) != keys:
            raise RuntimeError(f"{table.name}: the dialect binds {compiled.positiontup}, expected {keys}")
        processors = tuple(
            (i, type(column.type), processor)
            for i, column in enumerate(table.c[key] for key in keys)
            if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        )
        copy_sql = None
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            quote = dialect.identifier_preparer.quote
            copy_sql = f"COPY {quote(table.name)} ({', '.join(quote(k) for k in keys)}) FROM STDIN"
        return cls(compiled.string, keys, processors, compiled.positional, copy_sql)

    def execute(self, connection: Connection, rows: list[Row]) -> None:
        values: list[tuple[Any, ...]] = list(map(itemgetter(*self.keys), rows))
        if self.processors:
            columns: list[Any] = list(zip(*values, strict=True))
            done: list[tuple[type, tuple[Any, ...], tuple[Any, ...]]] = []
            for i, kind, processor in self.processors:
                raw = columns[i]
                same = next((processed for k, r, processed in done if k is kind and r == raw), None)
                columns[i] = same if same is not None else tuple(map(processor, raw))
                done.append((kind, raw, columns[i]))
            values = list(zip(*columns, strict=True))
        if self.copy_sql is not None:
            cursor = connection.connection.cursor()
            try:
                with cursor.copy(self.copy_sql) as copy:
                    for row in values:
                        copy.write_row(row)
            finally:
                cursor.close()
            return
        parameters = values if self.positional else [dict(zip(self.keys, v, strict=True)) for v in values]
        connection.exec_driver_sql(self.sql, parameters)
