"""The audit trail stays within bounds: retention and prune remove old entries (whole months on PostgreSQL),
and an export keeps what is pruned as JSON lines that load back as they were."""

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import column, func, insert, select, table

from service.audit import retention
from service.db.migrate import upgrade
from service.db.session import build_engine
from service.models.audit import AuditEntry

TABLE = AuditEntry.__table__
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def entry(at: datetime, n: int = 0) -> dict:
    return {
        "at": at,
        "user_id": 1,
        "user_name": "amelie.roux",
        "role": "agent",
        "business_unit": "BU01",
        "endpoint": "search.quick",
        "method": "POST",
        "path": "/api/search/quick",
        "criteria": {"field": "name", "operator": "=", "value": f"Lefèvre {n}"},
        "contact_ids": [n, n + 1],
        "total": 2,
        "status_code": 200,
        "outcome": "ok",
        "duration_ms": 12,
    }


@pytest.fixture
def engine(make_database, database, settings):
    db = make_database(database.backend, "retention")
    engine = build_engine(settings.model_copy(update={"database_url": db.url}))
    yield engine
    engine.dispose()


def add(engine, *moments):
    with engine.begin() as connection:
        connection.execute(TABLE.insert(), [entry(at, n) for n, at in enumerate(moments)])


def stored(engine) -> list[datetime]:
    with engine.connect() as connection:
        return sorted(connection.scalars(select(TABLE.c.at)))


def test_prune_removes_entries_older_than_the_cut_off_in_batches_and_keeps_the_rest(engine):
    old = [NOW - timedelta(days=500 + n) for n in range(7)]
    kept = [NOW - timedelta(days=10), NOW - timedelta(days=399)]
    retention.ensure_partitions(engine, now=NOW)
    add(engine, *old, *kept)
    report = retention.prune(engine, before=NOW - timedelta(days=400), batch=2)
    assert report.deleted == 7
    assert stored(engine) == sorted(kept)
    assert retention.prune(engine, before=NOW - timedelta(days=400), batch=2).deleted == 0


def test_the_retention_pass_keeps_the_configured_days(engine, settings):
    add(engine, NOW - timedelta(days=31), NOW - timedelta(days=29), NOW)
    task = retention.Retention(settings=settings.model_copy(update={"audit_retention_days": 30}), engine=engine)
    assert task.run_once(now=NOW).deleted == 1
    assert stored(engine) == [NOW - timedelta(days=29), NOW]


def test_the_retention_defaults_to_400_days(monkeypatch):
    from service.settings import Settings

    monkeypatch.delenv("CONTACT_LOOKUP_AUDIT_RETENTION_DAYS", raising=False)
    assert Settings().audit_retention_days == 400
    monkeypatch.setenv("CONTACT_LOOKUP_AUDIT_RETENTION_DAYS", "90")
    assert Settings().audit_retention_days == 90


def test_on_postgresql_the_audit_is_partitioned_by_month_and_prune_drops_whole_months(engine):
    with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("monthly partitions are PostgreSQL's")
        assert retention.is_partitioned(connection)
    created = retention.ensure_partitions(engine, now=datetime(2025, 1, 15, tzinfo=UTC), ahead=0)
    assert created == ["audit_log_y2025m01"]
    retention.ensure_partitions(engine, now=datetime(2025, 2, 15, tzinfo=UTC), ahead=1)
    january, february, march = (datetime(2025, m, 10, tzinfo=UTC) for m in (1, 2, 3))
    add(engine, january, january, february, datetime(2025, 2, 20, tzinfo=UTC), march)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM audit_log_y2025m01").scalar_one() == 2
        assert connection.exec_driver_sql("SELECT count(*) FROM audit_log_default").scalar_one() == 0

    report = retention.prune(engine, before=datetime(2025, 2, 15, tzinfo=UTC), batch=1)
    assert (report.deleted, report.dropped_months) == (3, ["2025-01"])
    with engine.connect() as connection:
        months = retention.month_partitions(connection)
    assert datetime(2025, 1, 1).date() not in months and datetime(2025, 2, 1).date() in months
    assert stored(engine) == [datetime(2025, 2, 20, tzinfo=UTC), march]
    add(engine, NOW)
    assert stored(engine)[-1] == NOW, "an insert still lands, in its month or the default partition"


def test_the_partition_migration_keeps_existing_entries_and_goes_down_again(make_database, database, settings):
    if database.backend != "postgresql":
        pytest.skip("monthly partitions are PostgreSQL's")
    db = make_database(database.backend, "partitions")
    engine = build_engine(settings.model_copy(update={"database_url": db.url}))
    try:
        from alembic import command

        from service.db.migrate import alembic_config

        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        old = table("audit_log", *(column(name, TABLE.c[name].type) for name in entry(NOW)))
        with engine.begin() as connection:
            connection.execute(insert(old), [entry(NOW - timedelta(days=90)), entry(NOW)])
        upgrade(engine)
        with engine.connect() as connection:
            assert retention.is_partitioned(connection)
        assert stored(engine) == [NOW - timedelta(days=90), NOW]
        add(engine, NOW)
        with engine.connect() as connection:
            ids = list(connection.scalars(select(TABLE.c.id).order_by(TABLE.c.id)))
        assert ids == [1, 2, 3], "ids still come from the same sequence"
    finally:
        engine.dispose()


def test_export_writes_json_lines_that_load_back_as_the_same_entries(engine):
    add(engine, NOW - timedelta(days=3), NOW - timedelta(days=2), NOW - timedelta(days=1))
    with engine.connect() as connection:
        before = [dict(row) for row in connection.execute(select(TABLE).order_by(TABLE.c.id)).mappings()]
    archive = io.BytesIO()
    assert retention.export(engine, archive, start=NOW - timedelta(days=2, hours=1), end=NOW) == 2
    lines = [json.loads(line) for line in archive.getvalue().splitlines()]
    assert [line["id"] for line in lines] == [before[1]["id"], before[2]["id"]]
    assert lines[0]["criteria"] == {"field": "name", "operator": "=", "value": "Lefèvre 1"}

    full = io.BytesIO()
    retention.export(engine, full, start=None, end=None)
    assert retention.prune(engine, before=NOW).deleted == 3
    full.seek(0)
    assert retention.load(engine, full) == 3
    with engine.connect() as connection:
        after = [dict(row) for row in connection.execute(select(TABLE).order_by(TABLE.c.id)).mappings()]
    assert after == before


def test_the_cli_exports_then_prunes(engine, tmp_path):
    add(engine, datetime(2024, 1, 5, tzinfo=UTC), datetime(2024, 2, 5, tzinfo=UTC), NOW)
    env = {**os.environ, "CONTACT_LOOKUP_DATABASE_URL": engine.url.render_as_string(hide_password=False)}

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "service.cli", "audit", *args], env=env, capture_output=True, text=True, timeout=60
        )

    archive = tmp_path / "audit-2024.jsonl"
    result = cli("export", "--from", "2024-01-01", "--to", "2025-01-01", "--output", str(archive))
    assert result.returncode == 0, result.stderr
    assert len(archive.read_text().splitlines()) == 2
    result = cli("prune", "--before", "2025-01-01")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["deleted"] == 2
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(TABLE)) == 1
    assert cli("prune", "--before", "last tuesday").returncode == 2


def test_the_background_task_prunes_past_the_retention_until_stopped(engine, settings):
    import time

    add(engine, datetime.now(UTC) - timedelta(days=401), datetime.now(UTC))
    own = settings.model_copy(update={"audit_retention_interval_s": 0.1})
    thread, stop = retention.start_background(settings=own, engine=engine)
    try:
        deadline = time.monotonic() + 10
        while len(stored(engine)) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(stored(engine)) == 1
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
