"""A collector's call actions in headless Chromium: an invoice disputed from its own row in Financials (the log
dialog prefilled with the item) and the dispute ended at 0, and the admins' alert list."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from playwright.async_api import expect

from tests.service.console.conftest import sign_in
from tests.service.console.test_console_browser import active_with, context_title, quick_search, results
from tests.support.browser import SCREENSHOTS, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]

INVOICE = "INV-2026-000310"


async def open_marie(page):
    await quick_search(page, "Transaction number", INVOICE)
    await expect(results(page)).to_have_count(1)
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text("Marie Lefèvre")


def invoice_row(page):
    account = page.locator("[data-section=financials] [data-account=AR-000100]")
    return account.get_by_role("row", name=re.compile(INVOICE))


async def test_an_invoice_is_placed_in_dispute_from_its_row_and_the_dispute_ended_at_zero(site, new_page):
    async with active_with(site, "place_in_dispute"):
        page = await new_page()
        await sign_in(page, site.scenario.tokens["agent"])
        await open_marie(page)

        await invoice_row(page).get_by_role("button", name=f"Place in dispute: {INVOICE}").click()
        dialog = page.get_by_role("dialog", name="Log a communication")
        await expect(dialog.get_by_label("Action", exact=True)).to_have_value("partial_dispute")
        await expect(dialog.get_by_label("Qualifier")).to_have_value("transaction")
        await expect(dialog.get_by_label("Reference ID")).to_have_value(INVOICE)
        await expect(dialog.get_by_label("Amount in dispute")).to_have_value("125.50")
        await expect(dialog.get_by_label("Topic")).to_have_value(f"Dispute of {INVOICE}")
        await dialog.get_by_label("Amount in dispute").fill("40.00")
        await dialog.get_by_role("button", name="Save communication").click()
        await expect(dialog).to_be_hidden()

        # The context is read again after the save: the item is in dispute for the amount, in its own row.
        await expect(invoice_row(page)).to_contain_text("In dispute")
        await expect(invoice_row(page)).to_contain_text("40.00")
        await page.locator("[data-section=financials]").screenshot(path=SCREENSHOTS / "dispute.png")

        await invoice_row(page).get_by_role("button", name=f"Change dispute: {INVOICE}").click()
        await dialog.get_by_label("Amount in dispute").fill("0")
        await dialog.get_by_role("button", name="Save communication").click()
        await expect(dialog).to_be_hidden()
        await expect(invoice_row(page)).to_contain_text("Open")
        await expect(invoice_row(page)).not_to_contain_text("In dispute")


async def test_an_admin_sees_the_alert_an_agent_logged_and_opens_its_contact(site, new_page):
    marie = site.scenario.ids["marie"]
    agent = {"Authorization": f"Bearer {site.scenario.tokens['agent']}"}
    async with httpx.AsyncClient(base_url=site.url, headers=agent) as api:
        logged = await api.post(
            "/api/communications",
            json={
                "contact_id": marie,
                "topic": "Threatens to leave",
                "direction": "incoming",
                "channel": "phone",
                "status": "closed",
                "action": "alert",
                "notes": "Asked for the manager twice.",
            },
        )
        assert logged.status_code == 201, logged.text
        assert (await api.get("/api/communications/alerts")).status_code == 403

    page = await new_page()
    await sign_in(page, site.scenario.tokens["admin"])
    await page.get_by_role("tab", name="Alerts").click()
    alert = page.locator(f"[data-communication-id='{logged.json()['id']}']")
    await expect(alert).to_contain_text("Threatens to leave")
    await expect(alert).to_contain_text("Asked for the manager twice.")
    await alert.get_by_role("button", name="Marie Lefèvre").click()
    await expect(context_title(page)).to_have_text("Marie Lefèvre")


async def test_an_agent_has_no_alerts_tab(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await expect(page.get_by_role("tab", name="Follow-ups")).to_be_visible()
    await expect(page.get_by_role("tab", name="Alerts")).to_have_count(0)


async def until_found(api: httpx.AsyncClient, communication_id: int, *, timeout_s: float = 15) -> None:
    """The sync worker indexes a write within about two seconds; wait until the search lists it."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    body = {"criteria": {"transaction_reference": INVOICE}, "size": 100}
    while True:
        hits = (await api.post("/api/communications/search", json=body)).json()["items"]
        if any(h["communication_id"] == communication_id for h in hits):
            return
        assert asyncio.get_running_loop().time() < deadline, "the engine did not catch up"
        await asyncio.sleep(0.2)


async def invoice_of(api: httpx.AsyncClient, contact_id: int) -> dict:
    contact = (await api.get(f"/api/contacts/{contact_id}")).json()
    return next(i for a in contact["ar_accounts"] for i in a["items"] if i["number"] == INVOICE)


async def test_editing_a_disputes_amount_changes_that_items_dispute_and_keeps_its_reference(site, new_page):
    """The edit dialog shows the first action's amount, not its item: a changed amount must stay on the item."""
    marie = site.scenario.ids["marie"]
    topic = "Dispute to be lowered"
    agent = {"Authorization": f"Bearer {site.scenario.tokens['agent']}"}
    action = {
        "action": "partial_dispute",
        "amount": "60.00",
        "reference": {"qualifier": "transaction", "reference_id": INVOICE},
    }
    async with active_with(site, "place_in_dispute"), httpx.AsyncClient(base_url=site.url, headers=agent) as api:
        body = {"contact_id": marie, "direction": "incoming", "channel": "phone", "topic": topic, "actions": [action]}
        body["references"] = [action["reference"]]  # as the console logs it: found by the item's number
        logged = await api.post("/api/communications", json=body)
        assert logged.status_code == 201, logged.text
        assert (await invoice_of(api, marie))["disputed_amount"] == "60.00"
        try:
            await until_found(api, logged.json()["id"])
            page = await new_page()
            await sign_in(page, site.scenario.tokens["agent"])
            await page.get_by_role("tab", name="Find communications").click()
            await page.get_by_label("Transaction number").fill(INVOICE)
            await page.get_by_role("button", name="Find communications").click()
            hit = page.locator("#pane-communications .communication-hits li").filter(has_text=topic)
            await hit.get_by_role("button").first.click()
            dialog = page.get_by_role("dialog")
            await expect(dialog.get_by_role("heading", level=2)).to_have_text(topic)
            await dialog.get_by_role("button", name="Edit").click()
            await dialog.get_by_label(re.compile("^Amount")).fill("25.00")
            await dialog.get_by_role("button", name="Save changes").click()
            await expect(dialog.get_by_role("status")).to_have_text("Changes saved.")

            item = await invoice_of(api, marie)
            assert (item["status"], item["disputed_amount"]) == ("in_dispute", "25.00")
            stored = (await api.get(f"/api/communications/{logged.json()['id']}")).json()
            assert stored["actions"][0]["reference"] == {"qualifier": "transaction", "reference_id": INVOICE}
        finally:
            assert (await api.delete(f"/api/communications/{logged.json()['id']}")).status_code == 204
        assert (await invoice_of(api, marie))["status"] == "open"
