"""An agent bound to a business unit never sees another unit's contact or communication, by any endpoint."""

from tests.conftest import bearer


async def test_another_units_contact_is_invisible_through_every_endpoint(app_client, scenario):
    stranger = bearer(scenario.tokens["agent-bu02"])
    marie = scenario.ids["marie"]

    async def post(path, body):
        response = await app_client.post(path, json=body, headers=stranger)
        assert response.status_code == 200, response.text
        return response.json()

    quick = await post("/api/search/quick", {"field": "phone", "operator": "=", "value": "06 12 34 56 78"})
    advanced = await post("/api/search/advanced", {"address": {"city": "Lyon"}})
    by_reference = await post("/api/communications/search", {"criteria": {"reference_id": "INV-2025-004211"}})
    of_marie = await post("/api/communications/search", {"criteria": {"keyword": "dispute"}, "contact_id": marie})
    assert quick["total"] == advanced["total"] == by_reference["total"] == of_marie["total"] == 0

    for path in (f"/api/contacts/{marie}", f"/api/contacts/{marie}/context"):
        response = await app_client.get(path, headers=stranger)
        assert (response.status_code, response.json()) == (404, {"detail": f"no contact {marie}"})
    listings = [
        (await app_client.get(path, headers=stranger)).json()["items"]
        for path in ("/api/communications/recent", "/api/communications/worklist")
    ]
    assert all(item["contact_id"] != marie for items in listings for item in items)

    same_unit = bearer(scenario.tokens["agent"])
    owned = (await app_client.get("/api/communications/recent", headers=same_unit)).json()["items"]
    communication = next(item["communication_id"] for item in owned if item["contact_id"] == marie)
    response = await app_client.get(f"/api/communications/{communication}", headers=stranger)
    assert response.status_code == 404
    assert (await app_client.get(f"/api/communications/{communication}", headers=same_unit)).status_code == 200
