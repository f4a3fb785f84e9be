"""How fast the audit trail grows: bytes on disk per 1,000 lookups, table and indexes, SQLite and PostgreSQL.

Each lookup writes one entry; the entries here are shaped as the middleware writes them for a quick search
(the criteria, a page of 20 contact ids, the caller's unit, the duration), inserted in the audit thread's
multi-row batches. The growth is measured after the inserts (SQLite: pages in use after the file is vacuumed;
PostgreSQL: pg_total_relation_size over every partition, after VACUUM), so it is what retention has to remove.

    python -m bench.audit_growth --entries 100000 [--postgres-url postgresql+psycopg://postgres@127.0.0.1:15432/x]
"""

from __future__ import annotations

import argparse
import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, text

from bench.common import workspace
from service.db.migrate import upgrade
from service.db.session import build_engine
from service.models.audit import AuditEntry
from service.settings import Settings

BATCH = 500
NAMES = ("Lefèvre", "Novák", "Müller", "García", "Dubois", "Schmidt", "Dvořák", "Martínez")


def entries(count: int, *, seed: int = 26) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = []
    for n in range(count):
        operator = rng.choice(("=", "like"))
        value = rng.choice(NAMES) + ("%" if operator == "like" else "")
        field = rng.choice(("name", "name", "phone"))
        if field == "phone":
            value = (
                f"06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
            )
        rows.append(
            {
                "at": start + timedelta(seconds=n * 2),
                "user_id": rng.randrange(1, 500),
                "user_name": f"agent.{rng.randrange(1, 500):03d}",
                "role": "agent",
                "business_unit": rng.choice(("BU01", "BU02")),
                "endpoint": "search.quick",
                "method": "POST",
                "path": "/api/search/quick",
                "criteria": {"field": field, "operator": operator, "value": value},
                "contact_ids": sorted(rng.sample(range(1, 1_000_000), 20)),
                "total": rng.randrange(1, 500),
                "status_code": 200,
                "outcome": "ok",
                "duration_ms": rng.randrange(3, 40),
            }
        )
    return rows


def _insert(engine: Engine, rows: list[dict]) -> None:
    for first in range(0, len(rows), BATCH):
        with engine.begin() as connection:
            connection.execute(AuditEntry.__table__.insert(), rows[first : first + BATCH])


def sqlite_bytes(engine: Engine) -> int:
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM")
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
        size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
    return int(pages * size)


def postgres_bytes(engine: Engine) -> int:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE audit_log")
        return int(
            connection.exec_driver_sql(
                "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('audit_log')"
            ).scalar_one()
        )


def measure(url: str, count: int) -> float:
    """Bytes per entry: the growth from `count` entries over an empty trail."""
    engine = build_engine(Settings(database_url=url))
    upgrade(engine)
    empty = sqlite_bytes(engine) if engine.dialect.name == "sqlite" else postgres_bytes(engine)
    _insert(engine, entries(count))
    full = sqlite_bytes(engine) if engine.dialect.name == "sqlite" else postgres_bytes(engine)
    engine.dispose()
    return (full - empty) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--postgres-url", default="", help="An admin URL; a scratch database is created and dropped.")
    args = parser.parse_args()
    path = workspace() / f"audit-growth-{uuid.uuid4().hex[:6]}.db"
    results = {"sqlite": measure(f"sqlite:///{path}", args.entries)}
    path.unlink()
    if args.postgres_url:
        name = f"audit_growth_{uuid.uuid4().hex[:6]}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            results["postgresql"] = measure(
                admin.url.set(database=name).render_as_string(hide_password=False), args.entries
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
            admin.dispose()
    print(f"{args.entries} audit entries (quick lookups, 20 contact ids each)")
    print(f"{'backend':<12}{'bytes/entry':>12}{'MB/1,000 lookups':>18}{'GB/day at 4M lookups':>22}")
    for backend, per_entry in results.items():
        print(f"{backend:<12}{per_entry:>12.0f}{per_entry * 1000 / 1e6:>18.3f}{per_entry * 4e6 / 1e9:>22.2f}")


if __name__ == "__main__":
    main()
