"""Single sign-on against a real Keycloak: tokens obtained as a client would (the password grant of a direct-grant
client), checked by the API with the provider's published keys; roles and the business unit decided there."""

import asyncio
import base64
import json
import time

import httpx
import pytest

from tests.conftest import bearer
from tests.support.keycloak import AUDIENCE, OTHER_AUDIENCE_CLIENT, REALM, SHORT_LIVED_CLIENT

MARIE_PHONE = "06 12 34 56 78"  # Marie Dupont, BU01
GLORIA_PHONE = "0033 6 98 76 54 32"  # Gloria Ortega, BU02


@pytest.fixture(scope="module")
async def sso(settings, scenario, keycloak):
    """The real app pointed at the Keycloak realm of the tests (no leeway, so a 2-second token expires on time)."""
    from service.app import create_app

    app = create_app(
        settings.model_copy(
            update={
                "oidc_issuer": keycloak.issuer,
                "oidc_audience": AUDIENCE,
                "oidc_role_claim": "realm_access.roles",
                "oidc_leeway_s": 0,
            }
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            client.app_state = app.state.contact_lookup
            yield client


def access(keycloak, username, **options):
    return bearer(keycloak.token(username, **options)["access_token"])


async def quick_phone(sso, headers, phone):
    response = await sso.post(
        "/api/search/quick", json={"field": "phone", "operator": "=", "value": phone}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["total"]


async def test_an_agent_of_bu01_signed_in_at_the_provider_sees_only_bu01(sso, keycloak):
    agent = await asyncio.to_thread(access, keycloak, "agent-bu01")
    me = await sso.get("/api/me", headers=agent)
    assert me.json() == {"name": "agent-bu01", "role": "agent", "business_unit": "BU01"}
    assert await quick_phone(sso, agent, MARIE_PHONE) == 1
    assert await quick_phone(sso, agent, GLORIA_PHONE) == 0
    other = await asyncio.to_thread(access, keycloak, "agent-bu02")
    assert (await quick_phone(sso, other, MARIE_PHONE), await quick_phone(sso, other, GLORIA_PHONE)) == (0, 1)
    assert (await sso.get("/api/audit", headers=agent)).status_code == 403


async def test_an_admin_of_the_provider_reaches_the_admin_api_and_the_audit_names_the_user(sso, keycloak):
    agent = await asyncio.to_thread(access, keycloak, "agent-bu01")
    await quick_phone(sso, agent, MARIE_PHONE)
    admin = await asyncio.to_thread(access, keycloak, "admin")
    response = await sso.get("/api/audit", params={"user": "agent-bu01"}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["items"] and {item["business_unit"] for item in response.json()["items"]} == {"BU01"}
    assert (await sso.get("/api/definitions", headers=admin)).status_code == 200


async def test_a_user_without_either_role_is_a_403_naming_the_claim(sso, keycloak):
    nobody = await asyncio.to_thread(access, keycloak, "nobody")
    response = await sso.get("/api/me", headers=nobody)
    assert response.status_code == 403
    assert "realm_access.roles" in response.json()["detail"]


async def test_an_expired_token_is_a_401(sso, keycloak):
    token = await asyncio.to_thread(access, keycloak, "agent-bu01", client_id=SHORT_LIVED_CLIENT)
    assert (await sso.get("/api/me", headers=token)).status_code == 200
    await asyncio.sleep(3)
    response = await sso.get("/api/me", headers=token)
    assert response.status_code == 401 and "expired" in response.json()["detail"]


async def test_a_token_for_another_audience_is_a_401(sso, keycloak):
    token = await asyncio.to_thread(access, keycloak, "admin", client_id=OTHER_AUDIENCE_CLIENT)
    response = await sso.get("/api/me", headers=token)
    assert response.status_code == 401 and "another audience" in response.json()["detail"]


async def test_a_token_of_another_issuer_is_a_401(sso, keycloak):
    """The provider's master realm is another issuer on the same server (with keys of its own)."""
    response = await asyncio.to_thread(
        httpx.post,
        f"{keycloak.url}/realms/master/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "admin-cli", "username": "kcadmin", "password": "kcadmin-pw"},
    )
    before = sso.app_state.oidc.fetches
    refused = await sso.get("/api/me", headers=bearer(response.json()["access_token"]))
    assert refused.status_code == 401 and "another issuer" in refused.json()["detail"]
    assert sso.app_state.oidc.fetches == before
    assert refused.headers["WWW-Authenticate"] == "Bearer"


async def test_a_tampered_token_is_a_401(sso, keycloak):
    header, payload, signature = (await asyncio.to_thread(keycloak.token, "agent-bu01"))["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["realm_access"] = {"roles": ["admin"]}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = await sso.get("/api/me", headers=bearer(f"{header}.{forged}.{signature}"))
    assert response.status_code == 401


async def test_a_user_disabled_at_the_provider_gets_no_new_token_and_loses_access_when_the_current_one_expires(
    sso, keycloak
):
    token = await asyncio.to_thread(access, keycloak, "leaver", client_id=SHORT_LIVED_CLIENT)
    started = time.monotonic()
    assert (await sso.get("/api/me", headers=token)).json()["name"] == "leaver"
    await asyncio.to_thread(keycloak.set_enabled, "leaver", False)
    try:
        refused = await asyncio.to_thread(keycloak.try_token, "leaver")
        assert refused.status_code in (400, 401) and refused.json()["error"] in ("invalid_grant", "user_disabled")
        await asyncio.sleep(max(0.0, 3 - (time.monotonic() - started)))
        assert (await sso.get("/api/me", headers=token)).status_code == 401
    finally:
        await asyncio.to_thread(keycloak.set_enabled, "leaver", True)


async def test_a_key_rotated_at_the_provider_is_fetched_once_and_the_keys_are_not_fetched_per_request(sso, keycloak):
    verifier = sso.app_state.oidc
    agent = await asyncio.to_thread(access, keycloak, "agent-bu01")
    assert (await sso.get("/api/me", headers=agent)).status_code == 200
    before = verifier.fetches
    for _ in range(5):
        assert (await sso.get("/api/me", headers=agent)).status_code == 200
    assert verifier.fetches == before

    realm = (await asyncio.to_thread(keycloak.admin, "GET", f"/realms/{REALM}")).json()
    components = (await asyncio.to_thread(keycloak.admin, "GET", f"/realms/{REALM}/components?name=rotated-rsa")).json()
    priority = 500 + 100 * len(components)  # above every key before it: the new key signs from now on
    await asyncio.to_thread(
        keycloak.admin,
        "POST",
        f"/realms/{REALM}/components",
        {
            "name": "rotated-rsa",
            "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm["id"],
            "config": {"priority": [str(priority)], "algorithm": ["RS256"], "keySize": ["2048"]},
        },
    )
    rotated = await asyncio.to_thread(keycloak.token, "agent-bu01")
    old_kid = json.loads(base64.urlsafe_b64decode(agent["Authorization"].split(".")[0][7:] + "=="))["kid"]
    new_kid = json.loads(base64.urlsafe_b64decode(rotated["access_token"].split(".")[0] + "=="))["kid"]
    assert new_kid != old_kid
    for _ in range(5):
        response = await sso.get("/api/me", headers=bearer(rotated["access_token"]))
        assert response.status_code == 200, response.text
    assert verifier.fetches == before + 1
    assert (await sso.get("/api/me", headers=agent)).status_code == 200  # the old key is still published
