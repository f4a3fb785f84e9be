"""Secrets cannot be turned into a CPU lever: unchanged ones are not rehashed, hashing is bounded per request,
runs off the event loop, and one token cannot hold more than its share of concurrent writes."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from service.models import AccessToken
from tests.service.contacts.conftest import create_contact, person_payload


def tokens(count: int, secret: str = "4321") -> list[dict[str, str]]:
    return [{"type": "smart_card", "identifier": f"SC-{i:04}", "secret": secret} for i in range(count)]


def stored_hashes(api) -> dict[str, str | None]:
    with api.sessions() as session:
        return {i: h for i, h in session.execute(select(AccessToken.identifier, AccessToken.secret_hash))}


async def test_a_patch_that_does_not_change_a_secret_keeps_its_stored_hash(api):
    contact = await create_contact(api, access_tokens=tokens(2))
    before = stored_hashes(api)
    resent = [{"type": "smart_card", "identifier": "SC-0000", "secret": "4321"}]
    omitted = [{"type": "smart_card", "identifier": "SC-0001"}]
    response = await api.client.patch(
        f"/api/contacts/{contact['id']}",
        json={"first_name": "Marion", "access_tokens": [*resent, *omitted]},
        headers=api.as_("admin"),
    )
    assert response.status_code == 200, response.text
    assert stored_hashes(api) == before, "a secret left out or sent unchanged keeps its hash byte for byte"

    changed = await api.client.patch(
        f"/api/contacts/{contact['id']}",
        json={"access_tokens": [{"type": "smart_card", "identifier": "SC-0000", "secret": "9999"}, *omitted]},
        headers=api.as_("admin"),
    )
    assert changed.status_code == 200, changed.text
    after = stored_hashes(api)
    assert after["SC-0000"] != before["SC-0000"] and after["SC-0001"] == before["SC-0001"]


@pytest.mark.parametrize("api_overrides", [{"max_secrets_per_write": 3}])
async def test_more_secrets_than_the_bound_in_one_write_is_a_422_naming_the_limit(api):
    response = await api.client.post(
        "/api/contacts", json=person_payload(access_tokens=tokens(4)), headers=api.as_("admin")
    )
    assert response.status_code == 422, response.text
    assert "at most 3 secrets" in response.text and "4321" not in response.text
    assert stored_hashes(api) == {}
    within = await api.client.post(
        "/api/contacts", json=person_payload(access_tokens=tokens(3)), headers=api.as_("admin")
    )
    assert within.status_code == 201, within.text


@pytest.mark.parametrize("api_overrides", [{"max_secrets_per_write": 50, "contact_writes_per_token": 1}])
async def test_concurrent_writes_of_one_token_past_its_limit_are_429_while_another_token_writes(api):
    def body(n: int) -> dict:
        return person_payload(
            external_id=f"CRM-{n}",
            access_tokens=[{"type": "smart_card", "identifier": f"SC-{n}-{i}", "secret": "4321"} for i in range(20)],
            ar_accounts=[],
            subscriptions=[],
        )

    responses = await asyncio.gather(
        *(api.client.post("/api/contacts", json=body(n), headers=api.as_("admin")) for n in range(3)),
        api.client.post("/api/contacts", json=body(9), headers=api.as_("agent-bu01")),
    )
    mine, other = responses[:3], responses[3]
    assert other.status_code == 201, other.text
    codes = sorted(r.status_code for r in mine)
    assert codes.count(201) >= 1 and codes.count(429) >= 1, codes
    refused = next(r for r in mine if r.status_code == 429)
    assert refused.headers["Retry-After"].isdigit()
    assert "1 contact writes in progress (the limit)" in refused.json()["detail"]


@pytest.mark.parametrize("api_overrides", [{"max_secrets_per_write": 50}])
async def test_a_read_is_answered_while_a_write_hashes_secrets(api):
    contact = await create_contact(api, access_tokens=[])
    write = asyncio.create_task(
        api.client.post(
            "/api/contacts",
            json=person_payload(external_id="CRM-9", access_tokens=tokens(40), ar_accounts=[], subscriptions=[]),
            headers=api.as_("admin"),
        )
    )
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    read = await api.client.get(f"/api/contacts/{contact['id']}", headers=api.as_("agent"))
    waited = time.perf_counter() - started
    assert read.status_code == 200
    assert not write.done(), "the write must still be hashing when the read is answered"
    assert (await write).status_code == 201
    assert waited < 1.0, f"a read waited {waited:.2f} s behind the hashing"
