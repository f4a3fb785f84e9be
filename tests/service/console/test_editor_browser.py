"""The definition editor in headless Chromium: admins change what agents see; agents cannot get in."""

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.service.console.conftest import settle, sign_in
from tests.support.browser import SCREENSHOTS, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


async def quick_field_labels(page):
    return await page.get_by_label("Search by").locator("option").all_inner_texts()


async def create_definition(page, name):
    await page.get_by_label("Name of the new definition").fill(name)
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator("#definition-title")).to_have_text(name)


async def test_admin_reorders_quick_fields_and_after_activation_agents_see_the_new_order(site, new_page):
    agent = await new_page()
    await sign_in(agent, site.scenario.tokens["agent"])
    await expect(agent.get_by_label("Search by").locator("option").first).to_have_text("Any field")
    before = await quick_field_labels(agent)

    admin = await new_page()
    await sign_in(admin, site.scenario.tokens["admin"], path="/console/definitions")
    await expect(admin.locator("#active-note")).to_contain_text("as shipped")
    await create_definition(admin, "Phone first")
    quick = admin.get_by_role("list", name="Quick search fields, in order")
    await quick.get_by_role("button", name="Move Phone up").focus()
    await admin.keyboard.press("Enter")
    await expect(quick.get_by_role("button", name="Move Phone up")).to_be_focused()
    await admin.keyboard.press("Enter")
    await expect(quick.get_by_role("button", name="Move Phone down")).to_be_focused()
    await expect(quick.locator("li .item-label").first).to_have_text("Phone")
    await expect(admin.get_by_role("button", name="Activate")).to_be_disabled()
    await admin.get_by_role("button", name="Save").click()
    await expect(admin.locator("#version-line")).to_contain_text("Version 2")
    await admin.get_by_role("button", name="Activate").click()
    await expect(admin.locator("#version-line")).to_contain_text("Active for everyone")
    await expect(admin.get_by_role("row", name=re.compile("^1 admin"))).to_contain_text("Roll back to version 1")
    await admin.screenshot(path=SCREENSHOTS / "editor.png")

    await expect(agent.get_by_label("Search by").locator("option").first).to_have_text("Any field")
    await agent.reload()
    await expect(agent.get_by_label("Search by").locator("option").first).to_have_text("Phone")
    assert await quick_field_labels(agent) == ["Phone", "Any field", "Name", *before[3:]]


async def test_editor_shows_the_apis_validation_error_at_the_field(site, new_page):
    admin = await new_page()
    await sign_in(admin, site.scenario.tokens["admin"], path="/console/definitions")
    await create_definition(admin, "Limits")
    limit = admin.get_by_label("How many the Communications button lists")
    await limit.fill("0")
    await admin.get_by_role("button", name="Save").click()
    await expect(limit).to_have_attribute("aria-invalid", "true")
    await expect(limit).to_be_focused()
    await expect(admin.locator("#error-recent_communications_limit")).to_contain_text("greater than or equal to 1")
    await expect(admin.locator("#version-line")).to_contain_text("Version 1")


async def test_agent_cannot_reach_the_definition_editor(site, new_page):
    agent = await new_page()
    await sign_in(agent, site.scenario.tokens["agent"])
    await expect(agent.get_by_label("Search by")).to_be_visible()
    await expect(agent.get_by_role("link", name="Definitions")).to_be_hidden()

    await agent.goto("/console/definitions")
    await expect(agent.get_by_role("heading", name="Admins only")).to_be_visible()
    await expect(agent.get_by_role("alert")).to_contain_text("needs the admin role")
    await expect(agent.locator("#editor")).to_be_hidden()
    bearer = {"Authorization": f"Bearer {site.scenario.tokens['agent']}"}
    async with httpx.AsyncClient(base_url=site.url, headers=bearer) as api:
        assert (await api.get("/api/definitions")).status_code == 403
        assert (await api.get("/api/definitions/catalogue")).status_code == 403


async def test_a_wrong_token_is_refused_at_sign_in(site, new_page):
    page = await new_page()
    await sign_in(page, "not-a-token", path="/console/definitions")
    await expect(page.get_by_label("API token")).to_be_focused()
    await expect(page.get_by_role("alert").first).to_contain_text("not valid")


async def test_rolling_back_saves_the_earlier_version_again_as_the_newest(site, new_page):
    admin = await new_page()
    await sign_in(admin, site.scenario.tokens["admin"], path="/console/definitions")
    await create_definition(admin, "Rolled back")
    quick = admin.get_by_role("list", name="Quick search fields, in order")
    first = await quick.locator("li .item-label").first.inner_text()
    await quick.get_by_role("button", name=f"Remove {first}").click()
    await admin.get_by_role("button", name="Save").click()
    await expect(admin.locator("#version-line")).to_contain_text("Version 2")
    await expect(quick.get_by_role("button", name=f"Remove {first}")).to_have_count(0)

    await admin.get_by_role("button", name="Roll back to version 1").click()
    await expect(admin.locator("#version-line")).to_contain_text("Version 3")
    await expect(quick.locator("li .item-label").first).to_have_text(first)
    await expect(admin.locator("#history-rows tr").first).to_contain_text("rollback to version 1")


async def test_a_save_over_someone_elses_newer_version_is_refused(site, new_page):
    first, second = await new_page(), await new_page()
    await sign_in(first, site.scenario.tokens["admin"], path="/console/definitions")
    await create_definition(first, "Shared")
    await sign_in(second, site.scenario.tokens["admin"], path="/console/definitions")
    await second.get_by_role("button", name=re.compile("^Shared")).click()
    await expect(second.locator("#definition-title")).to_have_text("Shared")

    await first.get_by_label("Description").fill("Saved first")
    await first.get_by_role("button", name="Save").click()
    await expect(first.locator("#version-line")).to_contain_text("Version 2")
    await second.get_by_label("Description").fill("Saved second")
    await second.get_by_role("button", name="Save").click()
    await expect(second.locator("#definition-error")).to_contain_text("at version 2, not 1")
    await second.get_by_role("button", name="Discard changes").click()
    await expect(second.get_by_label("Description")).to_have_value("Saved first")


async def test_a_late_history_neither_takes_the_focus_back_nor_shows_another_definitions_versions(site, new_page):
    admin = await new_page()
    await sign_in(admin, site.scenario.tokens["admin"], path="/console/definitions")
    await create_definition(admin, "Two versions")
    await admin.get_by_role("button", name="Move Name down").click()
    await admin.get_by_role("button", name="Save").click()
    await expect(admin.locator("#version-line")).to_contain_text("Version 2")

    held = []

    async def hold(route):
        held.append(route)

    await admin.route("**/api/definitions/*/history", hold)
    await admin.get_by_role("button", name="Two versions (v2)").click()
    await create_definition(admin, "Late history")
    quick = admin.get_by_role("list", name="Quick search fields, in order")
    await quick.get_by_role("button", name="Move Name up").focus()
    await admin.keyboard.press("Enter")
    focused_row = quick.locator("li:has(button:focus) .item-label")
    await expect(focused_row).to_have_text("Name")

    assert len(held) == 2
    older, newer = held
    await newer.continue_()
    await expect(admin.locator("#history-rows tr")).to_have_count(1)
    async with admin.expect_response("**/history"):
        await older.continue_()
    await settle(admin)
    await expect(admin.locator("#history-rows tr")).to_have_count(1)
    await expect(focused_row).to_have_text("Name")


async def test_the_editor_keeps_and_edits_the_lists_agents_choose_from(site, new_page):
    admin = await new_page()
    await sign_in(admin, site.scenario.tokens["admin"], path="/console/definitions")
    await create_definition(admin, "With lists")
    await admin.get_by_label("Topics").fill("billing: Billing question\ncard_blocked")
    await admin.get_by_label("Additional call actions").fill("Left message")
    await admin.get_by_role("button", name="Save").click()
    actions = admin.get_by_label("Additional call actions")
    await expect(actions).to_have_attribute("aria-invalid", "true")
    await expect(admin.locator("#error-additional_actions")).to_contain_text("must be lower-case letters")
    await expect(admin.locator("#version-line")).to_contain_text("Version 1")

    await actions.fill("left_message: Left a message")
    await admin.get_by_label("Customer responses").fill("refused: Refused to pay")
    await admin.get_by_role("button", name="Save").click()
    await expect(admin.locator("#version-line")).to_contain_text("Version 2")
    await admin.reload()
    await admin.get_by_role("button", name=re.compile("^With lists")).click()
    await expect(admin.get_by_label("Topics")).to_have_value("billing: Billing question\ncard_blocked")
    await expect(admin.get_by_label("Customer responses")).to_have_value("refused: Refused to pay")
    await expect(admin.get_by_label("Additional call actions")).to_have_value("left_message: Left a message")
    bearer = {"Authorization": f"Bearer {site.scenario.tokens['admin']}"}
    async with httpx.AsyncClient(base_url=site.url, headers=bearer) as api:
        listed = (await api.get("/api/definitions")).json()
        stored = next(d for d in listed if d["definition"]["name"] == "With lists")
        assert stored["definition"]["topics"] == [
            {"code": "billing", "label": "Billing question"},
            {"code": "card_blocked", "label": None},
        ]
        assert (await api.delete(f"/api/definitions/{stored['id']}")).status_code == 204
