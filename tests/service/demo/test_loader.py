"""Loading demo data in batches, on SQLite and PostgreSQL: counts, appending, ids the ORM can continue."""

import os
from datetime import UTC

import pytest
from sqlalchemy import func, select

from service.db.migrate import upgrade
from service.db.session import build_engine, build_sessionmaker
from service.demo.generator import contact_bundle
from service.demo.loader import TABLES, load_demo_data
from service.models import ARAccount, Communication, Contact, Phone, Subscription
from service.settings import Settings

USERS = ("demo-agent", "jan.novak")
POSTGRES_ENV = "CONTACT_LOOKUP_TEST_POSTGRES_URL"


def sqlite_engine(path):
    engine = build_engine(Settings(database_url=f"sqlite:///{path}"))
    upgrade(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, make_database):
    if request.param == "sqlite":
        engine = sqlite_engine(tmp_path / "demo.db")
    elif os.environ.get(POSTGRES_ENV):
        engine = build_engine(Settings(database_url=make_database("postgresql", "demo").url))
    else:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    yield engine
    engine.dispose()


def count(connection, table):
    return connection.scalar(select(func.count()).select_from(table))


def dump(engine):
    with engine.connect() as connection:
        return {t.name: connection.execute(select(t).order_by(t.c.id)).all() for t in TABLES}


def test_loader_fills_every_table_and_reports_the_counts(engine):
    report = load_demo_data(engine, contacts=120, seed=3, users=USERS, batch_size=50)
    assert (report.contacts, report.first_contact_id, report.last_contact_id) == (120, 1, 120)
    assert report.seconds > 0 and report.contacts_per_second > 0
    with engine.connect() as connection:
        for table in TABLES:
            assert count(connection, table) == report.rows[table.name] > 0, table.name
        assert connection.scalar(select(func.count()).select_from(Phone).where(Phone.e164.is_(None))) == 0
        foreign = connection.scalar(
            select(func.count())
            .select_from(Subscription)
            .join(ARAccount, ARAccount.id == Subscription.ar_account_id)
            .where(ARAccount.contact_id != Subscription.contact_id)
        )
        assert foreign == 0
        stored = connection.execute(select(Contact.first_name, Contact.company_name).where(Contact.id == 77)).one()
    expected = contact_bundle(77, seed=3, users=USERS, business_units=("BU01", "BU02")).contact
    assert tuple(stored) == (expected["first_name"], expected["company_name"])


def naive_utc(value):
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def test_rows_read_back_through_the_orm_as_they_were_generated(engine):
    load_demo_data(engine, contacts=40, seed=9, users=USERS, batch_size=15)
    expected = [contact_bundle(k, seed=9, users=USERS, business_units=("BU01", "BU02")) for k in range(1, 41)]
    with build_sessionmaker(engine)() as session:
        communications = session.scalars(select(Communication).order_by(Communication.id)).all()
        accounts = session.scalars(select(ARAccount).order_by(ARAccount.id)).all()
    assert [
        (c.contact_id, c.keywords, c.action_amount, c.internal, c.follow_up_on, naive_utc(c.created_at))
        for c in communications
    ] == [
        (b.id, r["keywords"], r["action_amount"], r["internal"], r["follow_up_on"], naive_utc(r["created_at"]))
        for b in expected
        for r in (c.row for c in b.communications)
    ]
    assert [(a.number, a.balance, a.credit_hold) for a in accounts] == [
        (a["number"], a["balance"], a["credit_hold"]) for b in expected for a in b.ar_accounts
    ]


def test_a_second_call_appends_after_the_existing_contacts_and_the_orm_continues_after_it(engine):
    first = load_demo_data(engine, contacts=60, seed=3, users=USERS, batch_size=25)
    second = load_demo_data(engine, contacts=30, seed=3, users=USERS, batch_size=25)
    assert (second.first_contact_id, second.last_contact_id) == (61, 90)
    with engine.connect() as connection:
        assert count(connection, Contact) == 90
        assert connection.scalar(select(func.max(Contact.external_id))) == "DEMO-00000090"
        assert count(connection, Phone) == first.rows["phones"] + second.rows["phones"]
        highest_account = connection.scalar(select(func.max(ARAccount.id)))
    with build_sessionmaker(engine).begin() as session:
        contact = Contact(kind="person", last_name="Après", business_unit="BU01", life_cycle_state="active")
        account = ARAccount(number="ORM-1", name="Après", currency="EUR", status="active")
        contact.ar_accounts.append(account)
        session.add(contact)
        session.flush()
        assert (contact.id, account.id) == (91, highest_account + 1)


def test_the_same_seed_loads_the_same_rows_whatever_the_batch_size(tmp_path):
    small, large = sqlite_engine(tmp_path / "small.db"), sqlite_engine(tmp_path / "large.db")
    load_demo_data(small, contacts=90, seed=11, users=USERS, batch_size=7)
    load_demo_data(large, contacts=90, seed=11, users=USERS, batch_size=1000)
    assert dump(small) == dump(large)
    small.dispose()
    large.dispose()


def test_the_load_leaves_the_sqlite_page_cache_as_it_found_it(tmp_path):
    engine = sqlite_engine(tmp_path / "cache.db")
    with engine.connect() as connection:
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    load_demo_data(engine, contacts=10, seed=1, users=USERS)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == before
    engine.dispose()


def test_zero_contacts_is_a_no_op_and_bad_arguments_are_refused(tmp_path):
    engine = sqlite_engine(tmp_path / "empty.db")
    report = load_demo_data(engine, contacts=0, seed=1, users=USERS)
    assert report.contacts == 0 and report.first_contact_id is None
    with pytest.raises(ValueError):
        load_demo_data(engine, contacts=1, seed=1, users=())
    with pytest.raises(ValueError):
        load_demo_data(engine, contacts=1, seed=1, users=USERS, batch_size=0)
    engine.dispose()
