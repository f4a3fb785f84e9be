"""The screen pop (`/console?caller=`) and new contacts before any is selected, in headless Chromium, against the
running service on the real engine. A site of its own: the scenario and a landline two customers share."""

from collections.abc import Iterator

import pytest
from playwright.async_api import expect
from sqlalchemy.orm import Session

from search_definitions.loader import load_shipped
from service.models import Contact
from tests.service.console.conftest import Site, activated, served_site, sign_in
from tests.support.browser import SCREENSHOTS, requires_chromium
from tests.support.scenario import phone

pytestmark = [pytest.mark.browser, requires_chromium]

SHARED_LANDLINE = "+33 1 42 68 53 00"


def _shared_landline(session: Session) -> None:
    """Two companies of BU01 behind one switchboard number: a call from it lists them."""
    session.add_all(
        Contact(
            kind="company",
            company_name=name,
            business_unit="BU01",
            life_cycle_state="active",
            phones=[phone(SHARED_LANDLINE)],
        )
        for name in ("Boulangerie Dupont", "Dupont Frères")
    )


@pytest.fixture(scope="module")
def site(make_database, opensearch_url, run_prefix, test_root, os_client) -> Iterator[Site]:
    with served_site(
        "screenpop",
        make_database=make_database,
        opensearch_url=opensearch_url,
        run_prefix=run_prefix,
        test_root=test_root,
        os_client=os_client,
        add=_shared_landline,
        env={"CONTACT_LOOKUP_DEFINITIONS_REFRESH_S": "0.2"},
    ) as served:
        yield served


def results(page):
    return page.locator("#results").get_by_role("option")


def context_title(page):
    return page.locator("#context").get_by_role("heading", level=2)


async def test_a_call_from_one_customers_number_opens_straight_on_that_customer(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"], "/console?caller=%2B33612345678")
    await expect(context_title(page)).to_have_text("Marie Lefèvre")
    await expect(context_title(page)).to_be_focused()
    await expect(page.locator("#results-title")).to_have_text("Incoming call from +33612345678")
    await expect(results(page)).to_have_count(1)
    await expect(results(page).first).to_have_attribute("aria-selected", "true")
    await expect(results(page).first.locator("mark")).to_have_text("06 12 34 56 78")
    await expect(page.locator(".action-panel").get_by_role("button")).to_have_text(["Log communication"])
    await page.screenshot(path=SCREENSHOTS / "screen-pop.png", full_page=True)


async def test_a_call_from_a_shared_number_lists_its_customers(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"], "/console?caller=0142685300")
    await expect(results(page)).to_have_count(2)
    await expect(results(page).first).to_be_focused()
    await expect(page.locator("#results-status")).to_have_text("2 contacts found")
    await expect(page.locator("#context .placeholder")).to_be_visible()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text("Dupont Frères")


async def test_a_call_from_an_unknown_number_opens_the_new_caller_form_with_the_number(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"], "/console?caller=tel:%2B33-7-55-44-33-22")
    dialog = page.get_by_role("dialog", name="New caller: tel:+33-7-55-44-33-22")
    await expect(dialog).to_be_visible()
    await expect(page.locator("#results-status")).to_have_text("No customer holds this number")
    await expect(dialog.get_by_label("Phone")).to_have_value("tel:+33-7-55-44-33-22")
    await expect(dialog.get_by_label("First name")).to_be_focused()
    await dialog.get_by_label("Phone").fill("+33 7 55 44 33 22")
    await dialog.get_by_label("First name").fill("Zoé")
    await dialog.get_by_label("Last name").fill("Quatremer")
    await dialog.get_by_label("Business unit").fill("BU01")
    await dialog.get_by_role("button", name="Check and save").click()
    await expect(dialog).to_be_hidden()
    await expect(context_title(page)).to_have_text("Zoé Quatremer")
    await expect(page.locator("[data-section=contact]").get_by_role("row", name="Mobile")).to_contain_text(
        "+33 7 55 44 33 22"
    )


async def test_before_any_contact_is_selected_the_panel_offers_logging_a_person_or_a_company(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    panel = page.locator(".action-panel")
    await expect(panel.get_by_role("button")).to_have_text(["Log person information", "Log company information"])
    await panel.get_by_role("button", name="Log company information").click()
    dialog = page.get_by_role("dialog", name="Log company information")
    await expect(dialog.get_by_label("Company name")).to_be_focused()
    await expect(dialog.get_by_label("First name")).to_be_hidden()


async def test_a_new_person_alike_an_existing_customer_is_warned_about_and_can_open_that_customer(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await page.get_by_role("button", name="Log person information").click()
    dialog = page.get_by_role("dialog", name="Log person information")
    await dialog.get_by_label("First name").fill("Mari")
    await dialog.get_by_label("Last name").fill("Lefevre")
    await dialog.get_by_label("Email").fill("mlefevre@example.org")
    await dialog.get_by_label("Business unit").fill("BU01")
    await dialog.get_by_role("button", name="Check and save").click()

    warning = dialog.get_by_role("region", name="1 likely existing customer")
    await expect(warning).to_be_visible()
    await expect(warning.get_by_role("heading")).to_be_focused()
    await expect(warning.locator(".highlights")).to_contain_text("Name: Marie Lefèvre")
    await expect(warning.locator(".highlights")).to_contain_text("close match")
    await expect(dialog.get_by_role("button", name="Save as a new contact")).to_be_visible()
    await page.screenshot(path=SCREENSHOTS / "duplicate-warning.png")
    await warning.get_by_role("button", name="Open Marie Lefèvre").click()
    await expect(dialog).to_be_hidden()
    await expect(context_title(page)).to_have_text("Marie Lefèvre")


async def test_a_new_person_is_saved_anyway_once_the_agent_has_seen_the_likely_duplicates(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await page.get_by_role("button", name="Log person information").click()
    dialog = page.get_by_role("dialog", name="Log person information")
    await dialog.get_by_label("First name").fill("Mona")
    await dialog.get_by_label("Last name").fill("Schafer")
    await dialog.get_by_label("Business unit").fill("BU01")
    await dialog.get_by_role("button", name="Check and save").click()
    await expect(dialog.get_by_role("region", name="1 likely existing customer")).to_contain_text("Mona Schäfer")
    await dialog.get_by_label("Last name").fill("Schaffer")
    await expect(dialog.get_by_role("button", name="Check and save")).to_be_visible()
    await expect(dialog.locator("#similar")).to_be_hidden()
    await dialog.get_by_role("button", name="Check and save").click()
    await dialog.get_by_role("button", name="Save as a new contact").click()
    await expect(dialog).to_be_hidden()
    await expect(context_title(page)).to_have_text("Mona Schaffer")


async def test_the_console_preselects_the_operator_the_active_definition_names(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await expect(page.get_by_label("Operator")).to_have_value("=")

    data = load_shipped("default").model_dump(mode="json") | {"name": "Like first", "default_operator": "like"}
    async with activated(site, data):
        await page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 500))")
        await page.reload()
        await expect(page.get_by_label("Operator")).to_have_value("like")
        await page.get_by_label("Search by").select_option(label="Phone")
        await expect(page.get_by_label("Operator")).to_have_value("like")


async def test_a_call_opened_in_a_new_tab_takes_the_sign_in_of_a_console_tab_already_open(site, new_page):
    console = await new_page()
    await sign_in(console, site.scenario.tokens["agent"])
    await expect(console.get_by_role("button", name="Log person information")).to_be_visible()

    call = await console.context.new_page()
    await call.goto("/console?caller=%2B33612345678")
    await expect(context_title(call)).to_have_text("Marie Lefèvre")
    await expect(call.get_by_label("API token")).to_be_hidden()

    plain = await console.context.new_page()
    await plain.goto("/console")
    await expect(plain.get_by_label("API token")).to_be_visible()


async def test_a_call_in_a_browser_with_no_console_signed_in_asks_for_sign_in_then_pops(site, new_page):
    page = await new_page()
    await page.goto("/console?caller=%2B33612345678")
    await expect(page.get_by_label("API token")).to_be_visible()
    await page.get_by_label("API token").fill(site.scenario.tokens["agent"])
    await page.get_by_role("button", name="Sign in").click()
    await expect(context_title(page)).to_have_text("Marie Lefèvre")
