"""The contacts write API over HTTP: shapes, rules, business-unit scope, optimistic versions and the outbox."""

import sqlite3

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.contacts import repository
from service.contacts.secrets import verify_secret
from service.models import AccessToken, Address, ARAccount, Contact, OutboxEntry, Subscription
from tests.service.contacts.conftest import create_contact, person_payload


def errors_at(response):
    assert response.status_code == 422, response.text
    return {tuple(error["loc"][1:]): error["msg"] for error in response.json()["detail"]}


async def test_create_then_read_back_with_every_child_and_no_secret(api):
    response = await api.client.post("/api/contacts", json=person_payload(), headers=api.as_("admin"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"/api/contacts/{created['id']}"
    assert response.headers["ETag"] == '"1"'

    read = await api.client.get(f"/api/contacts/{created['id']}", headers=api.as_("agent-bu01"))
    assert read.status_code == 200
    assert read.json() == created
    assert created["version"] == 1
    assert created["display_name"] == "Marie Lefèvre"
    assert created["business_unit"] == "BU01"
    assert created["credit_hold"] is True
    assert created["phones"][0] | {"id": 0} == {
        "id": 0,
        "type": "mobile",
        "number": "06 12 34 56 78",
        "e164": "+33612345678",
        "is_primary": True,
    }
    assert created["addresses"][0]["country"] == "FR"
    assert created["ar_accounts"][0]["currency"] == "EUR"
    assert created["ar_accounts"][0]["balance"] == "125.50"
    assert created["subscriptions"][0]["services"][0]["code"] == "TV-BASIC"
    assert created["subscriptions"][0]["installed_items"][0]["serial_number"] == "STB-889900"
    assert created["work_items"][0]["life_cycle_state"] == "pending"
    assert created["access_tokens"][0] | {"id": 0} == {
        "id": 0,
        "type": "smart_card",
        "identifier": "SC-0042",
        "status": "active",
        "valid_until": None,
        "has_secret": True,
    }
    for body in (response.text, read.text):
        assert "4321" not in body
        assert '"secret"' not in body and "secret_hash" not in body and "scrypt" not in body

    with api.sessions() as session:
        stored = session.scalar(select(AccessToken.secret_hash).where(AccessToken.identifier == "SC-0042"))
    assert stored is not None and "4321" not in stored
    assert verify_secret("4321", stored) and not verify_secret("1234", stored)


async def test_phone_region_is_the_first_address_country_else_the_default(api):
    german = await create_contact(
        api,
        external_id=None,
        addresses=[{"type": "billing", "street": "Hauptstr. 1", "city": "Berlin", "country": "DE"}],
        phones=[{"type": "landline", "number": "030 12345678"}],
        access_tokens=[],
        ar_accounts=[],
        subscriptions=[],
    )
    assert german["phones"][0]["e164"] == "+493012345678"
    homeless = await create_contact(
        api,
        external_id=None,
        addresses=[],
        phones=[{"type": "mobile", "number": "0033 6 98 76 54 32"}, {"type": "mobile", "number": "01 42 68 53 00"}],
        access_tokens=[],
        ar_accounts=[],
        subscriptions=[],
    )
    assert [p["e164"] for p in homeless["phones"]] == ["+33698765432", "+33142685300"]


async def test_invalid_phone_is_a_422_naming_the_nested_field(api):
    phones = [{"type": "mobile", "number": "06 12 34 56 78"}, {"type": "work", "number": "12345"}]
    response = await api.client.post("/api/contacts", json=person_payload(phones=phones), headers=api.as_("admin"))
    errors = errors_at(response)
    assert list(errors) == [("phones", 1, "number")]
    assert errors["phones", 1, "number"].startswith("phones[1].number: '12345'")
    assert api.count(Contact) == 0


@pytest.mark.parametrize(
    ("override", "loc"),
    [
        (
            {"addresses": [{"type": "billing", "street": "x", "city": "y", "country": "XX"}]},
            ("addresses", 0, "country"),
        ),
        ({"addresses": [{"type": "home", "street": "x", "city": "y", "country": "FR"}]}, ("addresses", 0, "type")),
        ({"emails": [{"type": "work", "address": "not-an-email"}]}, ("emails", 0, "address")),
        ({"ar_accounts": [{"number": "A1", "name": "n", "currency": "EURO"}]}, ("ar_accounts", 0, "currency")),
        (
            {"work_items": [{"kind": "job", "number": "J1", "subject": "s", "life_cycle_state": "won"}]},
            ("work_items", 0, "life_cycle_state"),
        ),
        ({"access_tokens": [{"type": "pin", "identifier": "P1", "secret": "12"}]}, ("access_tokens", 0, "secret")),
        (
            {"phones": [{"type": "mobile", "number": "0612345678", "is_primary": True}] * 2},
            ("phones", 1, "is_primary"),
        ),
        ({"kind": "robot"}, ("kind",)),
        ({"date_of_birth": "2999-01-01"}, ("date_of_birth",)),
    ],
)
async def test_bad_nested_values_are_422_naming_the_field(api, override, loc):
    response = await api.client.post("/api/contacts", json=person_payload(**override), headers=api.as_("admin"))
    assert loc in errors_at(response)


async def test_a_short_secret_is_refused_without_echoing_it(api):
    tokens = [{"type": "pin", "identifier": "P1", "secret": 12}]
    response = await api.client.post(
        "/api/contacts", json=person_payload(access_tokens=tokens), headers=api.as_("admin")
    )
    assert ("access_tokens", 0, "secret") in errors_at(response)
    assert "12" not in response.text.replace("4 to 128", "")


async def test_names_follow_the_kind(api):
    nameless = person_payload(first_name=None, last_name=None)
    assert ("last_name",) in errors_at(await api.client.post("/api/contacts", json=nameless, headers=api.as_("admin")))
    company = person_payload(kind="company", first_name=None, last_name=None)
    response = await api.client.post("/api/contacts", json=company, headers=api.as_("admin"))
    assert errors_at(response)["company_name",] == "company_name: a company needs a company_name"
    company["company_name"] = "Müller & Söhne GmbH"
    created = await api.client.post("/api/contacts", json=company, headers=api.as_("admin"))
    assert created.status_code == 201 and created.json()["display_name"] == "Müller & Söhne GmbH"


@pytest.mark.parametrize(
    "override",
    [
        {"id": 99},
        {"version": 7},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"updated_at": "2020-01-01T00:00:00Z"},
        {"created_by": "mallory"},
        {"access_tokens": [{"type": "pin", "identifier": "P1", "secret_hash": "scrypt$1$1$1$x$y"}]},
        {"ar_accounts": [{"id": 5, "number": "A1", "name": "n", "currency": "EUR"}]},
    ],
)
async def test_server_owned_fields_cannot_be_sent(api, override):
    response = await api.client.post("/api/contacts", json=person_payload(**override), headers=api.as_("admin"))
    assert response.status_code == 422
    assert {error["type"] for error in response.json()["detail"]} == {"extra_forbidden"}
    assert api.count(Contact) == 0


@pytest.mark.parametrize(
    "override",
    [
        {"id": 99},
        {"version": 7},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"display_name": "Someone else"},
        {"phones": [{"type": "mobile", "number": "06 12 34 56 78", "e164": "+33999999999"}]},
        {"access_tokens": [{"type": "pin", "identifier": "P1", "has_secret": False}]},
    ],
)
async def test_server_owned_fields_cannot_be_patched(api, override):
    created = await create_contact(api)
    path = f"/api/contacts/{created['id']}"
    response = await api.client.patch(path, json=override, headers=api.as_("admin"))
    assert response.status_code == 422
    assert {error["type"] for error in response.json()["detail"]} == {"extra_forbidden"}
    assert (await api.client.get(path, headers=api.as_("admin"))).json() == created


async def test_a_nul_character_is_a_422_naming_the_field_on_every_database(api):
    """PostgreSQL stores no NUL in any text column (SQLite would): refused before the database sees it."""
    response = await api.client.post(
        "/api/contacts", json=person_payload(first_name="Ma\x00rie"), headers=api.as_("admin")
    )
    assert errors_at(response) == {("first_name",): "Value error, must not contain NUL (\\u0000) characters"}
    nested = person_payload(addresses=[{"type": "billing", "street": "1\x00", "city": "Paris", "country": "FR"}])
    response = await api.client.post("/api/contacts", json=nested, headers=api.as_("admin"))
    assert ("addresses", 0, "street") in errors_at(response)
    created = await create_contact(api)
    response = await api.client.patch(
        f"/api/contacts/{created['id']}", json={"category": "\x00"}, headers=api.as_("admin")
    )
    assert ("category",) in errors_at(response)


async def test_unknown_contact_is_404(api):
    for method in ("GET", "PATCH", "DELETE"):
        response = await api.client.request(method, "/api/contacts/424242", json={}, headers=api.as_("admin"))
        assert response.status_code == 404, (method, response.text)
        assert response.json() == {"detail": "no contact 424242"}


async def test_missing_token_is_401(api):
    assert (await api.client.get("/api/contacts/1")).status_code == 401
    assert (await api.client.post("/api/contacts", json=person_payload())).status_code == 401


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"ar_accounts": [{"number": "AR-0042", "name": "n", "currency": "EUR"}]}, "ar_accounts[0].number"),
        (
            {
                "subscriptions": [
                    {
                        "number": "SUB-0042",
                        "status": "draft",
                        "billing_term_scheme": "x",
                        "billing_frequency": "monthly",
                    }
                ]
            },
            "subscriptions[0].number",
        ),
        ({"access_tokens": [{"type": "card", "identifier": "SC-0042"}]}, "access_tokens[0].identifier"),
        ({"external_id": "CRM-0042"}, "external_id"),
    ],
)
async def test_a_key_used_by_another_contact_is_409_naming_the_field(api, override, field):
    await create_contact(api)
    unique = {"external_id": "CRM-2", "access_tokens": [], "ar_accounts": [], "subscriptions": []}
    response = await api.client.post(
        "/api/contacts", json=person_payload(**(unique | override)), headers=api.as_("admin")
    )
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith(f"{field}: ")
    assert api.count(Contact) == 1


async def test_a_key_twice_in_one_request_is_422(api):
    accounts = [{"number": "A1", "name": "n", "currency": "EUR"}, {"number": "A1", "name": "m", "currency": "EUR"}]
    response = await api.client.post(
        "/api/contacts", json=person_payload(ar_accounts=accounts), headers=api.as_("admin")
    )
    assert ("ar_accounts", 1, "number") in errors_at(response)


async def test_a_write_queues_its_document_in_the_outbox(api):
    created = await create_contact(api)
    assert api.outbox() == [("contact", created["id"])]
    patched = await api.client.patch(
        f"/api/contacts/{created['id']}", json={"category": "vip"}, headers=api.as_("admin")
    )
    assert patched.status_code == 200
    assert api.outbox() == [("contact", created["id"])] * 2


async def test_a_failed_write_leaves_no_outbox_row_and_no_partial_data(api, monkeypatch):
    await create_contact(api)
    before = (api.count(Contact), api.count(Address), api.count(ARAccount), api.count(OutboxEntry))
    duplicate = person_payload(external_id="CRM-2", access_tokens=[], subscriptions=[])
    response = await api.client.post("/api/contacts", json=duplicate, headers=api.as_("admin"))
    assert response.status_code == 409

    # A concurrent writer that wins the race after the pre-check: the flush fails on the unique constraint.
    monkeypatch.setattr(repository, "values_in_use", lambda *_args, **_kwargs: set())
    response = await api.client.post("/api/contacts", json=duplicate, headers=api.as_("admin"))
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith("ar_accounts[].number: ")
    assert (api.count(Contact), api.count(Address), api.count(ARAccount), api.count(OutboxEntry)) == before


async def test_a_write_whose_commit_fails_is_a_503_and_never_a_201(api, monkeypatch):
    """The commit happens before the answer is sent: a client told 201 can rely on the row being there."""

    def connection_lost(_session):
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("server closed the connection unexpectedly"))

    with monkeypatch.context() as faulty:
        faulty.setattr(Session, "commit", connection_lost)
        response = await api.client.post("/api/contacts", json=person_payload(), headers=api.as_("admin"))
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"]
    assert api.count(Contact) == 0 and api.count(OutboxEntry) == 0


async def test_patch_with_a_stale_if_match_is_409_naming_the_current_version(api):
    created = await create_contact(api)
    path = f"/api/contacts/{created['id']}"
    first = await api.client.patch(path, json={"first_name": "Maria"}, headers=api.as_("admin") | {"If-Match": '"1"'})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2 and first.headers["ETag"] == '"2"'
    stale = await api.client.patch(path, json={"first_name": "Marion"}, headers=api.as_("admin") | {"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json() == {"detail": f"contact {created['id']} is at version 2, not 1; reload it"}
    assert stale.headers["ETag"] == '"2"'
    assert (await api.client.get(path, headers=api.as_("admin"))).json()["first_name"] == "Maria"
    stale_delete = await api.client.delete(path, headers=api.as_("admin") | {"If-Match": '"1"'})
    assert stale_delete.status_code == 409
    bad = await api.client.patch(path, json={}, headers=api.as_("admin") | {"If-Match": "yesterday"})
    assert bad.status_code == 422


async def test_a_concurrent_update_between_read_and_flush_is_409(api, monkeypatch):
    created = await create_contact(api)
    original_get = repository.get

    def get_then_someone_else_writes(*args, **kwargs):
        contact = original_get(*args, **kwargs)
        with api.sessions.begin() as other:
            other.execute(text("UPDATE contacts SET version = version + 1 WHERE id = :id"), {"id": created["id"]})
        return contact

    monkeypatch.setattr(repository, "get", get_then_someone_else_writes)
    response = await api.client.patch(
        f"/api/contacts/{created['id']}", json={"first_name": "Maria"}, headers=api.as_("admin")
    )
    assert response.status_code == 409, response.text
    assert "changed or deleted meanwhile" in response.json()["detail"]
    with api.sessions() as session:
        assert session.scalar(select(Contact.first_name).where(Contact.id == created["id"])) == "Marie"


async def test_patch_replaces_given_lists_and_keeps_keyed_rows_and_their_secret(api):
    created = await create_contact(api)
    path = f"/api/contacts/{created['id']}"
    token_id = created["access_tokens"][0]["id"]
    account_id = created["ar_accounts"][0]["id"]
    patch = {
        "addresses": [{"type": "billing", "street": "Hauptstr. 1", "city": "Berlin", "country": "DE"}],
        "phones": [{"type": "landline", "number": "030 12345678"}],
        "emails": [],
        "access_tokens": [{"type": "smart_card", "identifier": "SC-0042", "status": "blocked"}],
        "ar_accounts": [
            {"number": "AR-0042", "name": "Marie L.", "balance": "0", "currency": "EUR"},
            {"number": "AR-0043", "name": "Second", "currency": "CHF"},
        ],
    }
    response = await api.client.patch(path, json=patch, headers=api.as_("admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["city"] for a in body["addresses"]] == ["Berlin"]
    assert body["phones"][0]["e164"] == "+493012345678"
    assert body["emails"] == []
    assert body["access_tokens"][0]["id"] == token_id
    assert body["access_tokens"][0]["status"] == "blocked" and body["access_tokens"][0]["has_secret"] is True
    assert [(a["id"] == account_id, a["number"]) for a in body["ar_accounts"]] == [
        (True, "AR-0042"),
        (False, "AR-0043"),
    ]
    assert body["credit_hold"] is False
    assert body["subscriptions"] == created["subscriptions"]
    assert body["first_name"] == "Marie" and body["version"] == 2
    assert api.count(Address) == 1 and api.count(ARAccount) == 2 and api.count(Subscription) == 1

    cleared = await api.client.patch(
        path,
        json={"access_tokens": [{"type": "smart_card", "identifier": "SC-0042", "secret": None}]},
        headers=api.as_("admin"),
    )
    assert cleared.json()["access_tokens"][0]["has_secret"] is False


async def test_patch_refuses_null_for_required_fields_and_rechecks_names(api):
    created = await create_contact(api)
    path = f"/api/contacts/{created['id']}"
    for field in ("kind", "business_unit", "life_cycle_state", "phones"):
        response = await api.client.patch(path, json={field: None}, headers=api.as_("admin"))
        assert (field,) in errors_at(response), field
    response = await api.client.patch(path, json={"kind": "company"}, headers=api.as_("admin"))
    assert ("company_name",) in errors_at(response)
    response = await api.client.patch(
        path, json={"kind": "company", "company_name": "Lefèvre SARL"}, headers=api.as_("admin")
    )
    assert response.status_code == 200 and response.json()["display_name"] == "Lefèvre SARL"


async def test_agents_only_see_their_own_business_unit(api):
    created = await create_contact(api)
    path = f"/api/contacts/{created['id']}"
    stranger = api.as_("agent-bu02")
    assert (await api.client.get(path, headers=stranger)).status_code == 404
    assert (await api.client.patch(path, json={"category": "x"}, headers=stranger)).status_code == 404
    assert (await api.client.delete(path, headers=stranger)).status_code == 404
    logged = await api.client.post(
        "/api/communications",
        json={"contact_id": created["id"], "direction": "incoming", "channel": "phone", "topic": "Hello"},
        headers=stranger,
    )
    assert logged.status_code == 404
    assert logged.json() == {"detail": f"no contact {created['id']}"}
    for user in ("agent-bu01", "agent", "admin"):
        assert (await api.client.get(path, headers=api.as_(user))).status_code == 200, user
    assert api.count(Contact, Contact.category.is_not(None)) == 0


async def test_business_unit_defaults_to_the_callers_and_cannot_be_another(api):
    own = await create_contact(api, "agent-bu02", business_unit=None)
    assert own["business_unit"] == "BU02"
    foreign = await api.client.post("/api/contacts", json=person_payload(), headers=api.as_("agent-bu02"))
    assert errors_at(foreign)["business_unit",] == "business_unit: you can only create contacts in business unit BU02"
    unbound = await api.client.post("/api/contacts", json=person_payload(business_unit=None), headers=api.as_("agent"))
    assert ("business_unit",) in errors_at(unbound)
    moved = await api.client.patch(
        f"/api/contacts/{own['id']}", json={"business_unit": "BU01"}, headers=api.as_("agent-bu02")
    )
    assert ("business_unit",) in errors_at(moved)
    by_admin = await api.client.patch(
        f"/api/contacts/{own['id']}", json={"business_unit": "BU01"}, headers=api.as_("admin")
    )
    assert by_admin.status_code == 200 and by_admin.json()["business_unit"] == "BU01"


async def test_only_admins_delete_and_the_delete_reaches_the_outbox(api):
    created = await create_contact(api)
    path = f"/api/contacts/{created['id']}"
    logged = await api.client.post(
        "/api/communications",
        json={"contact_id": created["id"], "direction": "outgoing", "channel": "email", "topic": "Reminder"},
        headers=api.as_("agent-bu01"),
    )
    assert logged.status_code == 201
    forbidden = await api.client.delete(path, headers=api.as_("agent-bu01"))
    assert forbidden.status_code == 403
    deleted = await api.client.delete(path, headers=api.as_("admin") | {"If-Match": f'"{created["version"] + 1}"'})
    assert deleted.status_code == 204, deleted.text
    assert (await api.client.get(path, headers=api.as_("admin"))).status_code == 404
    assert api.count(Contact) == 0 and api.count(ARAccount) == 0
    assert api.outbox()[-2:] == [("contact", created["id"]), ("communication", logged.json()["id"])]


async def test_a_business_unit_is_a_code_stored_in_upper_case_whatever_case_it_is_typed_in(api):
    """The index folds case and the database compares exactly: one spelling keeps the two agreeing."""
    own = await create_contact(api, "agent-bu02", business_unit=" bu02 ")
    assert own["business_unit"] == "BU02"
    read = await api.client.get(f"/api/contacts/{own['id']}", headers=api.as_("agent-bu02"))
    assert read.status_code == 200 and read.json()["business_unit"] == "BU02"
    moved = await api.client.patch(
        f"/api/contacts/{own['id']}",
        json={"business_unit": "bu01"},
        headers={**api.as_("admin"), "If-Match": f'"{read.json()["version"]}"'},
    )
    assert moved.status_code == 200 and moved.json()["business_unit"] == "BU01"
    assert (await api.client.get(f"/api/contacts/{own['id']}", headers=api.as_("agent-bu02"))).status_code == 404
