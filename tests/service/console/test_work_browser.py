"""The console's Follow-ups and Find communications tabs in headless Chromium, against the running service on the
real engine (its sync worker indexes what the tests log within about two seconds)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import expect

from tests.service.console.conftest import sign_in
from tests.support.browser import SCREENSHOTS, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


@asynccontextmanager
async def as_user(site, name: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {site.scenario.tokens[name]}"}
    async with httpx.AsyncClient(base_url=site.url, headers=headers) as client:
        yield client


async def logged(api: httpx.AsyncClient, contact_id: int, **fields) -> dict:
    body = {"contact_id": contact_id, "direction": "outgoing", "channel": "phone", **fields}
    response = await api.post("/api/communications", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def until(probe, *, timeout_s: float = 15) -> None:
    """The sync worker indexes a write within about two seconds; wait for the engine to show it."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await probe():
        assert asyncio.get_running_loop().time() < deadline, "the engine did not catch up"
        await asyncio.sleep(0.2)


async def worklist_ids(api: httpx.AsyncClient) -> list[int]:
    response = await api.get("/api/communications/worklist", params={"size": 100})
    assert response.status_code == 200, response.text
    return [item["communication_id"] for item in response.json()["items"]]


async def remove(api: httpx.AsyncClient, *communications: dict) -> None:
    for communication in communications:
        await api.delete(f"/api/communications/{communication['id']}")


def follow_up(page, topic):
    return page.locator("#pane-followups li.follow-up").filter(has_text=topic)


async def test_follow_ups_tab_counts_what_is_due_done_needs_a_note_and_do_it_later_moves_the_date(site, new_page):
    elodie = site.scenario.ids["elodie"]
    async with as_user(site, "agent") as api:
        bare = await logged(api, elodie, topic="Call back about the refund", follow_up_on="2026-02-01")
        noted = await logged(
            api, elodie, topic="Promise to pay by Friday", follow_up_on="2026-02-02", notes="Promised 120 EUR."
        )
        try:
            await until(lambda: _holds(api, bare["id"], noted["id"]))
            due = len(await worklist_ids(api))

            page = await new_page()
            await sign_in(page, site.scenario.tokens["agent"])
            badge = page.locator("#followups-count")
            await expect(badge).to_have_text(str(due))
            await page.get_by_role("tab", name="Follow-ups").click()
            rows = page.locator("#pane-followups li.follow-up")
            await expect(rows).to_have_count(due)
            topics = await rows.locator(".result-topic").all_inner_texts()
            assert topics.index("Collection call") < topics.index("Call back about the refund")
            assert topics.index("Call back about the refund") < topics.index("Promise to pay by Friday")
            await page.screenshot(path=SCREENSHOTS / "console-follow-ups.png", full_page=True)

            await follow_up(page, "Call back about the refund").get_by_role("button", name="Done").click()
            await expect(follow_up(page, "Call back about the refund").get_by_role("alert")).to_contain_text(
                "closed (Done) only once an action or a note was logged"
            )
            await expect(badge).to_have_text(str(due))

            await follow_up(page, "Promise to pay by Friday").get_by_role("button", name="Done").click()
            await expect(follow_up(page, "Promise to pay by Friday")).to_have_count(0)
            await expect(badge).to_have_text(str(due - 1))
            closed = (await api.get(f"/api/communications/{noted['id']}")).json()
            assert closed["status"] == "closed"

            row = follow_up(page, "Call back about the refund")
            await row.get_by_role("button", name="Do it later").click()
            for shortcut in ("One week", "Two weeks", "One month", "Two months"):
                await expect(row.get_by_role("button", name=shortcut)).to_be_visible()
            await row.get_by_role("button", name="Two weeks").click()
            in_two_weeks = (datetime.now(UTC).date() + timedelta(days=14)).isoformat()
            await expect(row.get_by_label("New follow-up date")).to_have_value(in_two_weeks)
            await row.get_by_role("button", name="Move follow-up").click()
            await expect(row).to_have_count(0)
            await expect(badge).to_have_text(str(due - 2))
            moved = (await api.get(f"/api/communications/{bare['id']}")).json()
            assert (moved["follow_up_on"], moved["status"]) == (in_two_weeks, "open")

            # once the engine has caught up, a fresh console counts the same
            await until(lambda: _gone(api, bare["id"], noted["id"]))
            await page.reload()
            await expect(page.locator("#followups-count")).to_have_text(str(due - 2))
            await page.get_by_role("tab", name="Follow-ups").click()
            await follow_up(page, "Collection call").get_by_role("button", name="Mona Schäfer").click()
            await expect(page.locator("#context").get_by_role("heading", level=2)).to_have_text("Mona Schäfer")
        finally:
            await remove(api, bare, noted)


async def _holds(api, *ids: int) -> bool:
    return set(ids) <= set(await worklist_ids(api))


async def _gone(api, *ids: int) -> bool:
    return not set(ids) & set(await worklist_ids(api))


async def test_a_communication_found_by_transaction_number_is_edited_a_stale_save_refused_and_deleted(site, new_page):
    elodie = site.scenario.ids["elodie"]
    async with as_user(site, "agent") as api, as_user(site, "admin") as admin:
        created = await logged(
            api,
            elodie,
            topic="Refund of a double payment",
            keywords=["refund", "double-payment"],
            references=[{"qualifier": "transaction", "reference_id": "TRX-5501"}],
            notes="Paid twice in October.",
            customer_response="Wants a refund",
            contact_person="Élodie Dvořák",
        )
        try:

            async def found() -> bool:
                body = {"criteria": {"transaction_reference": "TRX-5501"}}
                return (await api.post("/api/communications/search", json=body)).json()["total"] == 1

            await until(found)
            page = await new_page()
            await sign_in(page, site.scenario.tokens["agent"])
            await page.get_by_role("tab", name="Find communications").click()
            await page.get_by_label("Transaction number").fill("TRX-5501")
            await page.get_by_role("button", name="Find communications").click()
            hits = page.locator("#pane-communications .communication-hits li")
            await expect(hits).to_have_count(1)
            await hits.first.get_by_role("button").click()

            dialog = page.get_by_role("dialog")
            await expect(dialog.get_by_role("heading", level=2)).to_have_text("Refund of a double payment")
            for shown in ("Paid twice in October.", "TRX-5501", "refund, double-payment", "Wants a refund", "Élodie"):
                await expect(dialog).to_contain_text(shown)

            await dialog.get_by_role("button", name="Edit").click()
            await dialog.get_by_label("Notes").fill("Paid twice in October. Refund sent on 3 December.")
            await dialog.get_by_role("button", name="Save changes").click()
            await expect(dialog.get_by_role("status")).to_have_text("Changes saved.")
            await expect(dialog).to_contain_text("Refund sent on 3 December.")

            await dialog.get_by_role("button", name="Edit").click()
            await dialog.get_by_label("Customer response").fill("Satisfied")
            meanwhile = await admin.patch(
                f"/api/communications/{created['id']}", json={"topic": "Refund (checked by admin)"}
            )
            assert meanwhile.status_code == 200 and meanwhile.json()["version"] == 3
            await page.screenshot(path=SCREENSHOTS / "console-communication-edit.png", full_page=True)
            await dialog.get_by_role("button", name="Save changes").click()
            await expect(dialog.get_by_role("alert").first).to_have_text(
                "Not saved: someone else changed this communication after you opened it (it is now at version 3; "
                "you opened version 2). Reload it to see their changes, then make yours again."
            )
            kept = (await api.get(f"/api/communications/{created['id']}")).json()
            assert (kept["customer_response"], kept["version"]) == ("Wants a refund", 3)
            await dialog.get_by_role("button", name="Reload the communication").click()
            await expect(dialog.get_by_role("heading", level=2)).to_have_text("Refund (checked by admin)")

            await dialog.get_by_role("button", name="Delete", exact=True).click()
            await dialog.get_by_role("button", name="Delete for good").click()
            await expect(dialog).to_be_hidden()
            await expect(hits).to_have_count(0)
            assert (await api.get(f"/api/communications/{created['id']}")).status_code == 404
        finally:
            await remove(api, created)
