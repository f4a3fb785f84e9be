"""The contact context in one call, shaped by the active definition, scoped by business unit."""

from tests.conftest import bearer


async def context(app_client, scenario, key, token="agent"):
    return await app_client.get(f"/api/contacts/{scenario.ids[key]}/context", headers=bearer(scenario.tokens[token]))


async def test_context_has_every_section_of_the_definition_and_the_credit_hold_indicator(app_client, scenario):
    response = await context(app_client, scenario, "marie")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["credit_hold"] is True
    assert body["contact"]["display_name"] == "Marie Lefèvre"
    assert [a["city"] for a in body["addresses"]] == ["Paris", "Lyon"]
    assert {a["number"] for a in body["accounts_receivable"]} == {"AR-000100", "AR-000101"}
    assert body["communications"][0]["topic"] == "Disputed invoice"
    assert "log_communication" in body["actions"]
    assert body["sections"][:3] == ["addresses", "phones", "emails"]


async def test_work_items_are_split_into_non_completed_and_completed_by_life_cycle_state(app_client, scenario):
    body = (await context(app_client, scenario, "marie")).json()
    states = {
        section: {group: sorted(i["life_cycle_state"] for i in body[section][group]) for group in body[section]}
        for section in ("jobs", "service_requests", "activities")
    }
    assert states == {
        "jobs": {"non_completed": ["draft", "in_progress"], "completed": ["completed"]},
        "service_requests": {"non_completed": ["temporarily_resolved"], "completed": ["cancelled"]},
        "activities": {"non_completed": ["pending"], "completed": ["cancelled"]},
    }


async def test_access_token_secrets_are_never_returned(app_client, scenario):
    response = await context(app_client, scenario, "elodie")
    assert response.json()["contact"]["access_tokens"][0]["identifier"] == "SC-7788-9900"
    assert "secret_hash" not in response.text and "f" * 64 not in response.text


async def test_another_units_contact_is_a_404_like_one_that_does_not_exist(app_client, scenario):
    assert (await context(app_client, scenario, "marie", token="agent-bu02")).status_code == 404
    missing = await app_client.get("/api/contacts/999999/context", headers=bearer(scenario.tokens["agent"]))
    assert missing.status_code == 404
    assert (await context(app_client, scenario, "gloria", token="agent-bu02")).status_code == 200
