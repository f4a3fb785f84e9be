"""The agent console in headless Chromium, against the running service on the real engine."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import expect

from search_definitions.loader import load_shipped
from tests.service.console.conftest import activated, settle, sign_in
from tests.service.console.test_work_browser import as_user, remove, until
from tests.support.browser import SCREENSHOTS, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


def results(page):
    return page.locator("#results").get_by_role("option")


def context_title(page):
    return page.locator("#context").get_by_role("heading", level=2)


async def quick_search(page, field, value, operator="="):
    await page.get_by_label("Search by").select_option(label=field)
    await page.get_by_label("Operator").select_option(operator)
    await page.get_by_label("Search value").fill(value)
    await page.keyboard.press("Enter")


async def test_quick_search_by_phone_opens_the_right_context(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await quick_search(page, "Phone", "+33 6 12 34 56 78")
    await expect(results(page)).to_have_count(1)
    await expect(results(page).first).to_be_focused()
    await expect(results(page).first.locator("mark")).to_have_text("06 12 34 56 78")
    await page.keyboard.press("Enter")

    await expect(context_title(page)).to_have_text("Marie Lefèvre")
    await expect(context_title(page)).to_be_focused()
    await expect(page.locator("#credit-indicator")).to_contain_text("Credit hold")
    ar = page.locator("[data-section=accounts_receivable]")
    await expect(ar.get_by_role("row", name=re.compile("AR-000100"))).to_contain_text("On hold")
    jobs = page.locator("[data-section=jobs]")
    await expect(jobs.get_by_role("tab", name="Non completed (2)")).to_have_attribute("aria-selected", "true")
    await jobs.get_by_role("tab", name="Completed (1)").click()
    await expect(jobs.get_by_role("tabpanel")).to_contain_text("Completed")
    await expect(page.locator(".action-panel").get_by_role("button")).to_have_text(["Log communication"])
    await jobs.get_by_role("tab", name="Non completed (2)").click()
    await page.screenshot(path=SCREENSHOTS / "console.png", full_page=True)


async def test_arrow_keys_move_through_the_results_and_enter_opens_the_one_chosen(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await quick_search(page, "Name", "mar", operator="like")
    await expect(results(page)).to_have_count(2)
    await expect(results(page).first).to_be_focused()
    await page.keyboard.press("ArrowDown")
    await expect(results(page).nth(1)).to_be_focused()
    chosen = await results(page).nth(1).locator(".result-name").inner_text()
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text(chosen)
    await expect(results(page).nth(1)).to_have_attribute("aria-selected", "true")


async def test_a_search_value_outside_the_rules_is_explained_at_the_field(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await quick_search(page, "Name", "x" * 101)
    value = page.get_by_label("Search value")
    await expect(value).to_have_attribute("aria-invalid", "true")
    await expect(value).to_be_focused()
    await expect(page.locator("#quick-error")).to_contain_text("at most 100")


async def test_advanced_search_address_scope_decides_which_address_must_match(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    toggle = page.get_by_role("button", name="Advanced search")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    advanced = page.get_by_role("form", name="Advanced search")
    await advanced.get_by_label("City").fill("Lyon")
    await advanced.get_by_label("Address scope").select_option(label="Billing address")
    await advanced.get_by_role("button", name="Search").click()
    await expect(page.locator("#results-status")).to_have_text("Nothing found")

    await advanced.get_by_label("Address scope").select_option(label="Subscription address")
    await advanced.get_by_role("button", name="Search").click()
    await expect(results(page)).to_have_count(1)
    await expect(results(page).first).to_contain_text("Marie Lefèvre")
    await expect(results(page).first.locator("mark")).to_have_text("Lyon")
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text("Marie Lefèvre")


async def test_recent_communications_open_their_contact(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await page.get_by_role("button", name="Communications").click()
    await expect(page.locator("#results-title")).to_have_text("Your latest communications")
    mona = results(page).filter(has_text="Mona Schäfer")
    await expect(mona).to_contain_text("Collection call")
    names = await results(page).locator(".result-name").all_inner_texts()
    assert names.index("Marie Lefèvre") < names.index("María Núñez Peña") < names.index("Mona Schäfer")
    assert "GLORIA Ortega" not in names
    await mona.click()
    await expect(context_title(page)).to_have_text("Mona Schäfer")
    await expect(page.locator("#credit-indicator")).to_have_text("✓ No credit hold")


@asynccontextmanager
async def active_with(site, *actions: str, **overrides: object) -> AsyncIterator[None]:
    """The shipped definition with more actions enabled (and `overrides`), active for the test only (a Partial
    dispute needs `place_in_dispute`, which the shipped definition does not enable)."""
    shipped = load_shipped("default").model_dump(mode="json")
    data = shipped | {"name": "Customer care with disputes", "actions": [*shipped["actions"], *actions]} | overrides
    async with activated(site, data):
        yield


async def test_logging_a_communication_adds_it_to_the_context(site, new_page):
    async with active_with(site, "place_in_dispute"):
        await log_a_partial_dispute(site, new_page)


async def log_a_partial_dispute(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await quick_search(page, "Access token", "SC-7788-9900")
    await expect(results(page)).to_have_count(1)
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text("Élodie Dvořák")

    await page.get_by_role("button", name="Log communication").click()
    dialog = page.get_by_role("dialog", name="Log a communication")
    await expect(dialog.get_by_label("Topic")).to_be_focused()
    await expect(dialog.get_by_label("Contact person")).to_have_value("Élodie Dvořák")
    await dialog.get_by_label("Topic").fill("Card blocked abroad")
    await dialog.get_by_label("Action", exact=True).select_option(label="Partial dispute")
    await dialog.get_by_role("button", name="Save communication").click()
    amount = dialog.get_by_label("Amount in dispute")
    await expect(amount).to_have_attribute("aria-invalid", "true")
    await expect(dialog.locator("[data-error-for='actions.0.amount']")).not_to_be_empty()

    await amount.fill("12.50")
    await dialog.get_by_label("Keywords").fill("card, abroad")
    await dialog.get_by_role("button", name="Save communication").click()
    await expect(dialog).to_be_hidden()
    row = page.locator("[data-section=communications]").get_by_role("row", name=re.compile("Card blocked abroad"))
    await expect(row).to_contain_text("Partial dispute")
    await expect(row).to_contain_text("agent")


def hold_the_first():
    """A route handler that holds the first request it sees (in the returned list) and lets every later one through."""
    held = []

    async def handle(route):
        if held:
            await route.continue_()
        else:
            held.append(route)

    return handle, held


async def test_a_late_answer_replaces_neither_a_newer_search_nor_the_contact_opened_after(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    handler, held_search = hold_the_first()
    await page.route("**/api/search/quick", handler)
    await quick_search(page, "Name", "mar", operator="like")
    await quick_search(page, "Phone", "+33 6 12 34 56 78")
    await expect(results(page)).to_have_count(1)
    async with page.expect_response("**/api/search/quick"):
        await held_search[0].continue_()
    await settle(page)
    await expect(results(page)).to_have_count(1)
    await expect(page.locator("#results-title")).to_contain_text("+33 6 12 34 56 78")

    handler, held_context = hold_the_first()
    await page.route("**/api/contacts/*/context", handler)
    await quick_search(page, "Name", "mar", operator="like")
    await expect(results(page)).to_have_count(2)
    await results(page).first.click()
    await results(page).nth(1).click()
    second = await results(page).nth(1).locator(".result-name").inner_text()
    await expect(context_title(page)).to_have_text(second)
    async with page.expect_response("**/api/contacts/*/context"):
        await held_context[0].continue_()
    await settle(page)
    await expect(context_title(page)).to_have_text(second)


async def test_the_field_picker_opens_on_any_field_and_its_highlight_names_the_field_that_matched(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await expect(page.get_by_label("Search by").locator("option").first).to_have_text("Any field")
    await quick_search(page, "Any field", "AR-000100")
    await expect(results(page)).to_have_count(1)
    await expect(results(page).first.locator(".highlight-field")).to_have_text("Account number:")
    await expect(results(page).first.locator("mark")).to_have_text("AR-000100")


LISTS = {
    "topics": [
        {"code": "billing", "label": "Billing question"},
        {"code": "card_blocked", "label": "Card blocked abroad"},
    ],
    "customer_responses": [{"code": "refused", "label": "Refused to pay"}, {"code": "promised_payment"}],
    "additional_actions": [{"code": "left_message", "label": "Left a message"}],
}


async def test_the_log_and_edit_dialogs_offer_the_definitions_lists(site, new_page):
    async with active_with(site, name="Customer care with lists", **LISTS), as_user(site, "agent") as api:
        page = await new_page()
        await sign_in(page, site.scenario.tokens["agent"])
        await quick_search(page, "Access token", "SC-7788-9900")
        await expect(results(page)).to_have_count(1)
        await page.keyboard.press("Enter")
        await expect(context_title(page)).to_have_text("Élodie Dvořák")

        await page.get_by_role("button", name="Log communication").click()
        dialog = page.get_by_role("dialog", name="Log a communication")
        topic = dialog.get_by_label("Topic")
        await expect(topic).to_be_focused()
        assert await topic.locator("option").all_inner_texts() == [
            "Choose a topic",
            "Billing question",
            "Card blocked abroad",
        ]
        response = dialog.get_by_label("Customer response")
        assert await response.locator("option").all_inner_texts() == ["None", "Refused to pay", "promised_payment"]
        action = dialog.get_by_label("Action", exact=True)
        assert (await action.locator("option").all_inner_texts())[-2:] == ["Promise to pay", "Left a message"]
        await topic.select_option(label="Card blocked abroad")
        await response.select_option(label="Refused to pay")
        await action.select_option(label="Left a message")
        await dialog.get_by_role("button", name="Save communication").click()
        await expect(dialog).to_be_hidden()
        row = page.locator("[data-section=communications]").get_by_role("row", name=re.compile("card_blocked"))
        await expect(row).to_contain_text("Left message")

        logged = []

        async def found() -> bool:
            body = {"criteria": {"customer_response": "refused"}, "contact_id": site.scenario.ids["elodie"]}
            logged[:] = (await api.post("/api/communications/search", json=body)).json()["items"]
            return len(logged) == 1

        await until(found)
        try:
            await page.get_by_role("tab", name="Find communications").click()
            await page.locator("#pane-communications").get_by_label("Customer response").fill("refused")
            await page.get_by_role("button", name="Find communications").click()
            hits = page.locator("#pane-communications .communication-hits li")
            await expect(hits).to_have_count(1)
            await hits.first.get_by_role("button").click()
            shown = page.get_by_role("dialog")
            await expect(shown.get_by_role("heading", level=2)).to_have_text("card_blocked")
            await expect(shown).to_contain_text("Refused to pay")
            await expect(shown).to_contain_text("Left a message")
            await shown.get_by_role("button", name="Edit").click()
            edit_topic = shown.get_by_label("Topic")
            await expect(edit_topic).to_have_value("card_blocked")
            assert await edit_topic.locator("option").all_inner_texts() == [
                "Choose a topic",
                "Billing question",
                "Card blocked abroad",
            ]
            await expect(shown.get_by_label("Customer response")).to_have_value("refused")
            await expect(shown.get_by_label("Action", exact=True)).to_have_value("left_message")
            await edit_topic.select_option(label="Billing question")
            await shown.get_by_role("button", name="Save changes").click()
            await expect(shown.get_by_role("status")).to_have_text("Changes saved.")
            await expect(shown.get_by_role("heading", level=2)).to_have_text("billing")
            await page.screenshot(path=SCREENSHOTS / "console-communication-lists.png", full_page=True)
        finally:
            await remove(api, {"id": logged[0]["communication_id"]})
