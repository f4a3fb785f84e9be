"""Loading demo data in batches, on SQLite and PostgreSQL, appending on a second call."""

from sqlalchemy import func, select

from service.db.session import build_engine
from service.demo.loader import load_demo_data
from service.models import Communication, Contact, Phone, Subscription
from service.settings import Settings


def test_loader_inserts_every_table_and_appends_on_a_second_call(make_database, database):
    engine = build_engine(Settings(database_url=make_database(database.backend, "demo").url))
    first = load_demo_data(engine, contacts=120, seed=3, users=["a", "b"], batch_size=50)
    second = load_demo_data(engine, contacts=30, seed=3, users=["a", "b"], batch_size=50)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Contact)) == 150
        assert (
            connection.scalar(select(func.count()).select_from(Phone)) == first.rows["phones"] + second.rows["phones"]
        )
        linked = connection.scalar(
            select(func.count()).select_from(Subscription).where(Subscription.ar_account_id.is_not(None))
        )
        assert linked == first.rows["subscriptions"] + second.rows["subscriptions"]
        assert connection.scalar(select(func.max(Contact.external_id))) == "DEMO-00000150"
        assert connection.scalar(select(func.count()).select_from(Communication)) > 300
    engine.dispose()
