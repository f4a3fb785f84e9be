"""The console's Financials section in headless Chromium: a customer found by a transaction number, and their
items owed drawn with those past due marked."""

import re

import pytest
from playwright.async_api import expect

from tests.service.console.conftest import sign_in
from tests.service.console.test_console_browser import context_title, quick_search, results
from tests.support.browser import requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


async def test_a_transaction_number_opens_the_customer_with_the_item_past_due_in_financials(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await quick_search(page, "Transaction number", "inv 2026 000310")
    await expect(results(page)).to_have_count(1)
    await expect(results(page).first.locator("mark")).to_have_text("INV-2026-000310")
    await page.keyboard.press("Enter")

    await expect(context_title(page)).to_have_text("Marie Lefèvre")
    money = page.locator("[data-section=financials]")
    await expect(money).to_contain_text("On hold")
    account = money.locator("[data-account=AR-000100]")
    row = account.get_by_role("row", name=re.compile("INV-2026-000310"))
    await expect(row.locator("[data-past-due=true]")).to_be_visible()
    await expect(account.get_by_role("row", name="PAY/2026/0077")).to_be_visible()
