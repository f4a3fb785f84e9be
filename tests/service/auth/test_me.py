"""GET /api/me: a token tells its owner's name, role and business unit, and nothing without a valid token."""

from tests.conftest import bearer


async def test_me_names_the_callers_role_and_business_unit(app_client, scenario):
    agent = await app_client.get("/api/me", headers=bearer(scenario.tokens["agent-bu02"]))
    admin = await app_client.get("/api/me", headers=bearer(scenario.tokens["admin"]))
    assert agent.status_code == 200
    assert agent.json() == {"name": "agent-bu02", "role": "agent", "business_unit": "BU02"}
    assert admin.json() == {"name": "admin", "role": "admin", "business_unit": None}


async def test_me_without_a_valid_token_is_a_401(app_client, scenario):
    assert (await app_client.get("/api/me")).status_code == 401
    refused = await app_client.get("/api/me", headers=bearer("not-a-token"))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
