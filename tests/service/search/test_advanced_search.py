"""Advanced search over HTTP on the real engine: sections, address scope, the same-entity rule, refusals."""

import pytest

from tests.conftest import bearer


@pytest.fixture
async def advanced(app_client, scenario):
    async def run(token="agent", **criteria):
        return await app_client.post("/api/search/advanced", json=criteria, headers=bearer(scenario.tokens[token]))

    return run


def names(response):
    assert response.status_code == 200, response.text
    return sorted(item["display_name"] for item in response.json()["items"])


async def test_contact_section_combines_criteria_with_and(advanced):
    assert names(await advanced(contact={"last_name": "lef%"})) == ["Marie Lefèvre"]
    assert names(await advanced(contact={"first_name": "MARIA", "id_number": "es 12345678z"})) == ["María Núñez Peña"]
    assert names(await advanced(contact={"first_name": "Maria", "last_name": "Lefèvre"})) == []
    assert names(await advanced(contact={"contact_kind": "company"})) == ["Müller & Söhne GmbH"]


async def test_address_criteria_must_hold_for_the_same_address(advanced):
    assert names(await advanced(address={"city": "Lyon", "postcode": "69002"})) == ["Marie Lefèvre"]
    assert names(await advanced(address={"city": "Paris", "postcode": "69002"})) == []


async def test_address_scope_limits_the_search_to_billing_or_subscription_addresses(advanced):
    assert names(await advanced(address={"scope": "subscription", "city": "Lyon"})) == ["Marie Lefèvre"]
    assert names(await advanced(address={"scope": "billing", "city": "Lyon"})) == []
    assert "Marie Lefèvre" in names(await advanced(address={"scope": "billing", "city": "paris"}))
    assert names(await advanced(address={"scope": "any", "city": "%yo%"})) == ["Marie Lefèvre"]


async def test_accounts_receivable_criteria_must_hold_for_the_same_account(advanced):
    held = {"credit_hold": True, "account_status": "active"}
    assert names(await advanced(accounts_receivable=held)) == ["Marie Lefèvre"]
    assert names(await advanced(accounts_receivable={"credit_hold": True, "account_status": "terminated"})) == []
    assert names(await advanced(accounts_receivable={"balance": {"min": 100, "max": 200}})) == ["Marie Lefèvre"]
    assert names(await advanced(accounts_receivable={"balance": {"max": -10}})) == ["Marie Lefèvre"]
    assert names(await advanced(accounts_receivable={"collector": "amelie roux"})) == ["Marie Lefèvre"]


async def test_access_token_and_subscription_sections(advanced):
    assert names(await advanced(access_token={"access_token_id": "%7788%"})) == ["Élodie Dvořák"]
    assert names(
        await advanced(subscriptions={"subscription_number": "SUB-2024-0042", "subscription_status": "effective"})
    ) == ["Müller & Söhne GmbH"]
    assert names(await advanced(subscriptions={"subscription_status": "cancelled"})) == []


async def test_sections_combine_with_and(advanced):
    assert names(await advanced(contact={"first_name": "Marie"}, accounts_receivable={"credit_hold": True})) == [
        "Marie Lefèvre"
    ]
    assert names(await advanced(contact={"first_name": "Mona"}, accounts_receivable={"credit_hold": True})) == []


async def test_results_tell_which_value_matched(advanced):
    item = (await advanced(address={"city": "Lyon"})).json()["items"][0]
    assert {"field": "city", "value": "Lyon", "spans": [[0, 4]], "fuzzy": False} in item["highlights"]


async def test_agent_of_a_business_unit_sees_only_its_contacts(advanced):
    assert names(await advanced(contact={"contact_kind": "person"}, token="agent-bu02")) == ["GLORIA Ortega"]
    assert "GLORIA Ortega" in names(await advanced(contact={"contact_kind": "person"}))


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"contact": {"city": "Paris"}}, "contact.city: not an advanced-search field of this section"),
        ({"address": {"shoe_size": "42"}}, "address.shoe_size"),
        ({"contact": {"contact_kind": "robot"}}, "allowed: person, company"),
        ({"accounts_receivable": {"credit_hold": "yes"}}, "true or false"),
        ({"accounts_receivable": {"balance": {"min": 5, "max": 1}}}, "min is above max"),
        ({"accounts_receivable": {"balance": "lots"}}, "needs a number"),
        ({"address": {"scope": "holiday", "city": "x"}}, "allowed: any, billing, subscription"),
        ({}, "at least one criterion"),
        ({"contact": {"last_name": "x" * 101}}, "at most 100"),
        ({"contact": {"last_name": {"operator": "~", "value": "x"}}}, "allowed: =, like"),
    ],
)
async def test_bad_criteria_are_a_422_naming_the_field(app_client, scenario, criteria, message):
    response = await app_client.post("/api/search/advanced", json=criteria, headers=bearer(scenario.tokens["agent"]))
    assert response.status_code == 422, response.text
    assert message in response.text
