"""A phone that is no valid number loses nothing in an import: stored as typed, found by its digits, warned about."""

import json

import httpx

from indexer.rebuild import rebuild
from indexer.sync import OutboxSync
from service.app import create_app
from service.auth.service import add_user
from service.db.session import build_sessionmaker
from service.models.enums import UserRole
from tests.conftest import bearer
from tests.service.imports.conftest import person
from tests.service.imports.test_cli import run_import

LEGACY = "+49(0)0698 471761"
GERMAN = [{"type": "billing", "street": "Hauptstraße 1", "city": "Köln", "country": "DE"}]


def legacy(external_id, number=LEGACY):
    phones = [{"type": "landline", "number": number, "is_primary": True}, {"type": "mobile", "number": "0171 1234567"}]
    return person(external_id, addresses=GERMAN, phones=phones)


def test_a_phone_that_is_no_valid_number_is_stored_as_typed_without_e164_and_warned_about(target):
    warnings = []
    path = target.file("contacts.jsonl", person("CRM-1"), legacy("CRM-2"))
    report = target.run(path, on_warning=warnings.append)
    assert (report.created, report.rejected, report.warnings) == (2, 0, 1)
    assert [(w.line, w.reason) for w in warnings] == [
        (2, f"phones[0].number: '{LEGACY}' is no valid phone number (region DE); stored as typed, without E.164")
    ]
    stored = target.contacts()["CRM-2"]
    assert [(p.number, p.e164) for p in stored.phones] == [(LEGACY, None), ("0171 1234567", "+491711234567")]
    assert stored.last_name == "Lefèvre" and stored.ar_accounts[0].number == "AR-CRM-2"
    assert target.outbox() == 2

    again = target.run(path)
    assert (again.unchanged, again.warnings) == (2, 1), "the same file again changes nothing and warns again"


def test_strict_phones_rejects_the_line_with_the_bad_number_and_stores_nothing_of_it(target):
    report = target.run(target.file("contacts.jsonl", legacy("CRM-2")), strict_phones=True)
    assert (report.created, report.rejected, report.warnings) == (0, 1, 0)
    assert target.rejected == {1: f"phones[0].number: '{LEGACY}' is no valid phone number (region DE)"}
    assert target.contacts() == {}


def test_a_re_import_with_a_bad_number_updates_the_contact_and_keeps_it_as_typed(target):
    target.run(target.file("contacts.jsonl", legacy("CRM-2", number="0221 1234567")))
    report = target.run(target.file("contacts-v2.jsonl", legacy("CRM-2")))
    assert (report.updated, report.warnings) == (1, 1)
    assert [(p.number, p.e164) for p in target.contacts()["CRM-2"].phones] == [
        (LEGACY, None),
        ("0171 1234567", "+491711234567"),
    ]


def test_a_csv_phone_warning_names_its_column(target):
    path = target.file(
        "contacts.csv",
        "kind,external_id,last_name,business_unit,country,street,city,address_type,phone_type,phone_number",
        f"person,CRM-1,Müller,BU01,DE,Hauptstraße 1,Köln,billing,landline,{LEGACY}",
    )
    warnings = []
    report = target.run(path, on_warning=warnings.append)
    assert (report.created, report.warnings) == (1, 1)
    assert warnings[0].line == 2 and warnings[0].reason.startswith(f"phone_number: '{LEGACY}' is no valid phone number")


def test_the_cli_prints_the_warning_counts_it_and_exits_0_and_strict_phones_exits_1(target):
    path = target.file("contacts.jsonl", person("CRM-1"), legacy("CRM-2"))
    result = run_import(target, path, "--no-progress")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{path}:2: warning: phones[0].number: '{LEGACY}' is no valid phone number (region DE); "
        "stored as typed, without E.164"
    ]
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"], summary["warnings"]) == (
        2,
        0,
        0,
        0,
        1,
    )
    strict = target.file("strict.jsonl", legacy("CRM-3"))
    result = run_import(target, strict, "--no-progress", "--strict-phones")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{strict}:1: phones[0].number: '{LEGACY}' is no valid phone number (region DE)"
    ]


async def test_an_imported_bad_number_is_found_by_its_digits_and_marked_in_the_context(target, os_client):
    settings = target.settings
    rebuild(settings=settings, engine=target.engine, client=os_client)
    target.run(target.file("contacts.jsonl", person("CRM-1"), legacy("CRM-2")))
    OutboxSync(settings=settings, engine=target.engine, client=os_client).drain()
    with build_sessionmaker(target.engine).begin() as session:
        _, token = add_user(session, "agent-bad-phone", UserRole.AGENT, "BU01")
    agent = bearer(token)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as api:

            async def by_phone(operator, value):
                body = {"field": "phone", "operator": operator, "value": value}
                response = await api.post("/api/search/quick", json=body, headers=agent)
                assert response.status_code == 200, response.text
                return [item["contact_id"] for item in response.json()["items"]]

            crm2 = target.contacts()["CRM-2"].id
            assert await by_phone("=", LEGACY) == [crm2], "typed as stored"
            assert await by_phone("=", "4900698471761") == [crm2], "its digits"
            assert await by_phone("like", "49006984%") == [crm2]
            assert await by_phone("like", "%698 471761") == [crm2]

            context = (await api.get(f"/api/contacts/{crm2}/context", headers=agent)).json()
            assert [(p["number"], p["e164"], p["normalised"]) for p in context["phones"]] == [
                (LEGACY, None, False),
                ("0171 1234567", "+491711234567", True),
            ]

            typed = legacy("CRM-9")
            del typed["external_id"]
            response = await api.post("/api/contacts", json=typed, headers=agent)
            assert response.status_code == 422, "an agent typing a bad number is still refused"
            assert f"'{LEGACY}' is no valid phone number (region DE)" in response.text
