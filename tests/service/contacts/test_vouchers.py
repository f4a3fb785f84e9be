"""Wallets and vouchers of AR accounts through the write API, and the voucher's secret code: stored as a Fernet
token (the database file never holds the code), read back only by the audited secret endpoint, to callers whose
active definition enables the action; never in a read, the context, the logs or the trail."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from service.app import create_app
from service.models import AccessToken, Voucher, Wallet
from service.settings import Settings
from tests.service.audit.test_audit_writes import trail
from tests.service.contacts.conftest import UNREACHABLE_OPENSEARCH, create_contact, person_payload
from tests.service.contacts.test_definition_enforced import activate

KEY = Fernet.generate_key().decode()
CODE = "vq-zx7731-kw"  # letters no id, digest, token or timestamp holds: finding it anywhere means it leaked
WITH_KEY = {"voucher_secret_keys": KEY}


def account(**overrides) -> dict:
    values = {
        "number": "AR-0042",
        "name": "Marie Lefèvre",
        "currency": "EUR",
        "wallets": [{"number": "W-1", "balance": "12.50", "currency": "EUR"}],
        "vouchers": [
            {
                "number": "V-1",
                "value": "20.00",
                "currency": "EUR",
                "status": "used",
                "used_on": "2026-11-02",
                "subscription_number": "SUB-0042",
                "secret": CODE,
            },
            {"number": "V-2", "value": "5.00", "currency": "EUR"},
        ],
    }
    return values | overrides


def secret_path(contact: dict, number: str = "V-1") -> str:
    return f"/api/contacts/{contact['id']}/vouchers/{number}/secret"


def stored_vouchers(api) -> dict[str, str | None]:
    with api.sessions() as session:
        return dict(session.execute(select(Voucher.number, Voucher.secret_encrypted)).all())


def database_bytes(api) -> bytes:
    """The SQLite file and its write-ahead log, where a committed row lives until a checkpoint."""
    path = Path(api.sessions.kw["bind"].url.database)
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_a_voucher_secret_is_stored_as_a_fernet_token_and_the_database_file_never_holds_the_code(api, database):
    await create_contact(api, ar_accounts=[account()])
    stored = stored_vouchers(api)
    assert stored["V-2"] is None
    assert CODE not in stored["V-1"]
    assert Fernet(KEY.encode()).decrypt(stored["V-1"].encode()).decode() == CODE, "a Fernet token of the code"
    if database.backend == "sqlite":
        raw = database_bytes(api)
        assert stored["V-1"].encode() in raw, "the file read is the one holding the row"
        assert CODE.encode() not in raw


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_wallets_and_vouchers_read_back_as_written_without_the_code_and_show_in_the_financials(api):
    contact = await create_contact(api, ar_accounts=[account()])
    read = await api.client.get(f"/api/contacts/{contact['id']}", headers=api.as_("agent"))
    assert read.status_code == 200
    [ar] = read.json()["ar_accounts"]
    assert [(w["number"], w["balance"], w["currency"]) for w in ar["wallets"]] == [("W-1", "12.50", "EUR")]
    assert [
        (v["number"], v["value"], v["status"], v["used_on"], v["subscription_number"], v["has_secret"])
        for v in ar["vouchers"]
    ] == [("V-1", "20.00", "used", "2026-11-02", "SUB-0042", True), ("V-2", "5.00", "issued", None, None, False)]

    context = await api.client.get(f"/api/contacts/{contact['id']}/context", headers=api.as_("agent"))
    assert context.status_code == 200
    [money] = context.json()["financials"]["accounts"]
    assert [w["number"] for w in money["wallets"]] == ["W-1"] and money["wallets_total"] == 1
    assert [v["number"] for v in money["used_vouchers"]] == ["V-1"] and money["used_vouchers_total"] == 1
    for answer in (contact, read.json(), context.json()):
        assert CODE not in json.dumps(answer)
        assert "secret_encrypted" not in json.dumps(answer)


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_a_patch_leaving_the_code_out_keeps_it_and_null_removes_it(api):
    contact = await create_contact(api, ar_accounts=[account()])
    before = stored_vouchers(api)["V-1"]
    kept = account(vouchers=[{"number": "V-1", "value": "20.00", "currency": "EUR", "status": "used"}], wallets=[])
    patched = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"ar_accounts": [kept]}, headers=api.as_("admin")
    )
    assert patched.status_code == 200, patched.text
    assert stored_vouchers(api) == {"V-1": before}, "V-2 left the list, V-1 kept its token byte for byte"
    assert patched.json()["ar_accounts"][0]["wallets"] == []
    removed = account(vouchers=[{"number": "V-1", "value": "20.00", "currency": "EUR", "secret": None}])
    response = await api.client.patch(
        f"/api/contacts/{contact['id']}", json={"ar_accounts": [removed]}, headers=api.as_("admin")
    )
    assert response.status_code == 200, response.text
    assert stored_vouchers(api) == {"V-1": None}
    gone = await api.client.post(secret_path(contact), headers=api.as_("agent"))
    assert gone.status_code == 404 and "no secret code" in gone.json()["detail"]


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_the_secret_endpoint_returns_the_code_uncached_and_audits_the_disclosure_without_it(api, caplog):
    caplog.set_level(logging.DEBUG)
    contact = await create_contact(api, ar_accounts=[account()])
    response = await api.client.post(secret_path(contact), headers=api.as_("agent-bu01"))
    assert response.status_code == 200, response.text
    assert response.json() == {"account_number": "AR-0042", "voucher_number": "V-1", "secret": CODE}
    assert response.headers["Cache-Control"] == "no-store"

    [entry] = await trail(api, user="agent-bu01")
    assert (entry["endpoint"], entry["outcome"], entry["contact_ids"]) == ("voucher_secret", "ok", [contact["id"]])
    assert entry["criteria"] == {"contact_id": contact["id"], "voucher": "V-1", "account": "AR-0042"}
    assert entry["contact_unit"] == "BU01"
    everything = await trail(api)
    assert CODE not in json.dumps(everything)
    assert any("ar_accounts.vouchers.secret" in e["changed"] for e in everything), "the write names it by name"
    assert CODE not in caplog.text


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_reading_a_code_without_the_action_in_the_definition_is_403_for_admins_too(api):
    contact = await create_contact(api, ar_accounts=[account()])
    await activate(api, actions=["log_communication", "manage_account"])
    for user in ("agent", "admin"):
        refused = await api.client.post(secret_path(contact), headers=api.as_(user))
        assert refused.status_code == 403, refused.text
        assert "retrieve_voucher_secret_code" in refused.json()["detail"] and CODE not in refused.text
    [entry, *_] = await trail(api, user="admin", contact_id=None)
    assert entry["endpoint"] == "voucher_secret" and entry["status_code"] == 403


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_another_units_contact_and_an_unknown_voucher_or_account_are_404(api):
    contact = await create_contact(api, ar_accounts=[account()])
    for user, path in (
        ("agent-bu02", secret_path(contact)),
        ("agent-bu01", secret_path(contact, "V-404")),
        ("agent-bu01", secret_path(contact) + "?account=AR-9"),
        ("agent-bu01", f"/api/contacts/{contact['id'] + 1000}/vouchers/V-1/secret"),
    ):
        response = await api.client.post(path, headers=api.as_(user))
        assert response.status_code == 404, (user, path, response.text)
        assert CODE not in response.text


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_a_voucher_number_on_two_accounts_is_named_by_its_account(api):
    second = account(number="AR-0043", wallets=[], vouchers=[{"number": "V-1", "value": "1.00", "currency": "EUR"}])
    contact = await create_contact(api, ar_accounts=[account(), second])
    ambiguous = await api.client.post(secret_path(contact), headers=api.as_("agent"))
    assert ambiguous.status_code == 422 and "AR-0042, AR-0043" in ambiguous.json()["detail"]
    named = await api.client.post(secret_path(contact) + "?account=AR-0042", headers=api.as_("agent"))
    assert named.status_code == 200 and named.json()["secret"] == CODE


async def test_without_a_key_storing_or_reading_a_code_is_503_naming_the_setting_and_nothing_is_stored(api):
    refused = await api.client.post(
        "/api/contacts", json=person_payload(ar_accounts=[account()]), headers=api.as_("admin")
    )
    assert refused.status_code == 503, refused.text
    assert "CONTACT_LOOKUP_VOUCHER_SECRET_KEYS" in refused.json()["detail"] and CODE not in refused.text
    assert stored_vouchers(api) == {}
    no_code = account(vouchers=[{"number": "V-1", "value": "20.00", "currency": "EUR"}])
    contact = await create_contact(api, ar_accounts=[no_code])
    assert contact["ar_accounts"][0]["vouchers"][0]["has_secret"] is False, "a write without a code needs no key"


async def test_without_a_key_a_stored_code_is_a_503_naming_the_setting_until_a_restart_with_the_key(api, test_root):
    contact = await create_contact(api, ar_accounts=[account(vouchers=[])])
    with api.sessions.begin() as session:
        [row] = session.scalars(select(Wallet)).all()
        session.add(
            Voucher(
                ar_account_id=row.ar_account_id,
                number="V-9",
                value=1,
                currency="EUR",
                status="issued",
                secret_encrypted=Fernet(KEY.encode()).encrypt(CODE.encode()).decode(),
            )
        )
    response = await api.client.post(secret_path(contact, "V-9"), headers=api.as_("agent"))
    assert response.status_code == 503, response.text
    assert "CONTACT_LOOKUP_VOUCHER_SECRET_KEYS is not set" in response.json()["detail"]
    [entry] = await trail(api, user="agent")
    assert (entry["endpoint"], entry["outcome"], entry["status_code"]) == ("voucher_secret", "unavailable", 503)

    # Settings are read once per process: the key reaches the service when it starts again with it.
    restarted = Settings(
        home=test_root / "home",
        database_url=str(api.sessions.kw["bind"].url.render_as_string(hide_password=False)),
        opensearch_url=UNREACHABLE_OPENSEARCH,
        rate_limit_per_s=0,
        voucher_secret_keys=KEY,
    )
    app = create_app(restarted)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            read = await client.post(secret_path(contact, "V-9"), headers=api.as_("agent"))
    assert read.status_code == 200 and read.json()["secret"] == CODE


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_access_token_pins_stay_hashed_beside_voucher_codes(api, database):
    await create_contact(
        api, ar_accounts=[account()], access_tokens=[{"type": "pin", "identifier": "P-1", "secret": "4321"}]
    )
    with api.sessions() as session:
        [stored] = session.scalars(select(AccessToken.secret_hash)).all()
    assert stored.startswith("scrypt$") and "4321" not in stored


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ({"wallets": [{"number": "W-1", "balance": "-1.00", "currency": "EUR"}]}, ("wallets", 0, "balance")),
        ({"vouchers": [{"number": "V-1", "value": "-1.00", "currency": "EUR"}]}, ("vouchers", 0, "value")),
        (
            {"vouchers": [{"number": "V-1", "value": "1.00", "currency": "EUR", "status": "lost"}]},
            ("vouchers", 0, "status"),
        ),
        (
            {
                "vouchers": [
                    {"number": "V-1", "value": "1.00", "currency": "EUR"},
                    {"number": "V-1", "value": "2.00", "currency": "EUR"},
                ]
            },
            ("vouchers", 1, "number"),
        ),
        (
            {
                "wallets": [
                    {"number": "W-1", "balance": "1.00", "currency": "EUR"},
                    {"number": "W-1", "balance": "2.00", "currency": "EUR"},
                ]
            },
            ("wallets", 1, "number"),
        ),
        (
            {"vouchers": [{"number": "V-1", "value": "1.00", "currency": "EUR", "secret": "x" * 129}]},
            ("vouchers", 0, "secret"),
        ),
    ],
)
@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_bad_wallets_and_vouchers_are_422_naming_the_field_and_the_stored_ones_stay(api, entry, where):
    contact = await create_contact(api, ar_accounts=[account()])
    before = stored_vouchers(api)
    response = await api.client.patch(
        f"/api/contacts/{contact['id']}",
        json={"ar_accounts": [account(wallets=[], vouchers=[]) | entry]},
        headers=api.as_("admin"),
    )
    assert response.status_code == 422, response.text
    assert ["body", "ar_accounts", 0, *where] in [e["loc"] for e in response.json()["detail"]], response.text
    assert "x" * 129 not in response.text and CODE not in response.text
    assert stored_vouchers(api) == before
    read = await api.client.get(f"/api/contacts/{contact['id']}", headers=api.as_("admin"))
    assert [w["number"] for w in read.json()["ar_accounts"][0]["wallets"]] == ["W-1"]


@pytest.mark.parametrize("api_overrides", [WITH_KEY])
async def test_a_refused_voucher_never_echoes_its_code(api):
    missing = {"number": "V-1", "value": "1.00", "secret": CODE}
    unknown = {"number": "V-1", "value": "1.00", "currency": "EUR", "secret": CODE, "colour": "red"}
    for voucher in (missing, unknown):
        response = await api.client.post(
            "/api/contacts",
            json=person_payload(ar_accounts=[account(vouchers=[voucher])]),
            headers=api.as_("admin"),
        )
        assert response.status_code == 422, response.text
        assert CODE not in response.text
    everything = await trail(api)
    assert everything and CODE not in json.dumps(everything)
