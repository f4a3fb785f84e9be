"""New contacts are stored in bulk, per batch, exactly as the write API's services would store them line by line."""

from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from service.contacts.secrets import verify_secret
from service.db.session import build_engine, build_sessionmaker
from service.imports import bulk
from service.models import Contact, OutboxEntry, Subscription
from tests.service.imports.conftest import person

RICH = {
    "subscriptions": [
        {
            "number": "SUB-{n}",
            "status": "effective",
            "billing_term_scheme": "monthly-in-advance",
            "billing_frequency": "monthly",
            "services": [{"code": "TV-BASIC", "name": "TV basic", "mandatory": True}],
            "installed_items": [{"product": "Set-top box", "serial_number": "STB-{n}"}],
        }
    ],
    "work_items": [{"kind": "job", "number": "JOB-{n}", "subject": "Install", "life_cycle_state": "pending"}],
}


def rich(n):
    line = person(f"CRM-{n}", phones=[{"type": "mobile", "number": "06 12 34 56 78"}, {"type": "fax", "number": "12"}])
    for name, items in RICH.items():
        line[name] = [{k: (v.format(n=n) if isinstance(v, str) else v) for k, v in item.items()} for item in items]
    return line


def snapshot(engine):
    with build_sessionmaker(engine)() as session:
        contacts = session.scalars(
            select(Contact)
            .order_by(Contact.external_id)
            .options(
                selectinload(Contact.phones),
                selectinload(Contact.emails),
                selectinload(Contact.addresses),
                selectinload(Contact.ar_accounts),
                selectinload(Contact.access_tokens),
                selectinload(Contact.work_items),
                selectinload(Contact.subscriptions).selectinload(Subscription.services),
                selectinload(Contact.subscriptions).selectinload(Subscription.installed_items),
            )
        ).all()
        assert all(verify_secret("4321", t.secret_hash) for c in contacts for t in c.access_tokens)

        def plain(row, *skip):
            return {
                k: v
                for k, v in vars(row).items()
                if not k.startswith("_")
                and k not in {"id", "contact_id", "subscription_id", "created_at", "updated_at", "secret_hash", *skip}
                and not isinstance(v, list)
            }

        rows = [
            (
                plain(c),
                [plain(x) for x in c.phones],
                [plain(x) for x in c.emails],
                [plain(x) for x in c.addresses],
                [plain(x) for x in c.ar_accounts],
                [plain(x) for x in c.access_tokens],
                [plain(x) for x in c.work_items],
                [
                    (plain(s), [plain(x) for x in s.services], [plain(x) for x in s.installed_items])
                    for s in c.subscriptions
                ],
            )
            for c in contacts
        ]
        external = {c.id: c.external_id for c in contacts}
        outbox = session.execute(select(OutboxEntry.entity, OutboxEntry.entity_id, OutboxEntry.deleted_version)).all()
    return rows, sorted((e, external[i], d) for e, i, d in outbox)


def test_bulk_stored_contacts_are_the_rows_and_outbox_the_line_by_line_path_stores(
    target, make_database, database, monkeypatch
):
    lines = [rich(n) for n in range(6)] + [person("CRM-X", first_name=None, last_name=None)]
    path = target.file("contacts.jsonl", *lines)
    statements = []
    event.listen(target.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    report = target.run(path, batch_size=100)
    assert (report.created, report.rejected, report.warnings) == (6, 1, 6)
    assert target.rejected == {7: "last_name: a person needs a first_name or a last_name"}
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO CONTACTS")]
    assert len(inserts) == 1, "one INSERT of contacts for the batch"

    other = build_engine(
        target.settings.model_copy(update={"database_url": make_database(database.backend, "orm").url})
    )
    monkeypatch.setattr(bulk.BulkContacts, "write", lambda *_args: None)
    try:
        from service.imports.importer import import_file

        again = import_file(path, settings=target.settings, engine=other, batch_size=100)
        assert (again.created, again.rejected, again.warnings) == (6, 1, 6)
        assert snapshot(target.engine) == snapshot(other)
    finally:
        other.dispose()
