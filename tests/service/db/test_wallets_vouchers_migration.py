"""Migration 0019: the wallets and vouchers tables come with the upgrade and go with the downgrade."""

from alembic import command
from sqlalchemy import inspect

from service.db.migrate import alembic_config, upgrade
from service.db.session import build_engine
from service.settings import Settings


def downgrade(engine, revision):
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_upgrade_creates_wallets_and_vouchers_with_an_encrypted_secret_column_and_downgrade_drops_them(
    make_database, database
):
    engine = build_engine(Settings(database_url=make_database(database.backend, "wallets-vouchers").url))
    columns = {c["name"] for c in inspect(engine).get_columns("vouchers")}
    assert {"number", "value", "currency", "status", "used_on", "subscription_number", "secret_encrypted"} <= columns
    assert "secret" not in columns
    assert {c["name"] for c in inspect(engine).get_columns("wallets")} >= {"number", "balance", "currency"}
    downgrade(engine, "0018")
    assert not {"wallets", "vouchers"} & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert {"wallets", "vouchers"} <= set(inspect(engine).get_table_names())
    engine.dispose()
