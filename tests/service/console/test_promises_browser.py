"""Promises to pay in headless Chromium: logged from the console's dialog (amount and date, the missing date named at
its field) and listed in the Financials section, newest first, their state in words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.async_api import expect
from sqlalchemy.orm import Session

from service.models import ARAccount, Communication, Promise
from tests.service.console.conftest import Site, served_site, sign_in
from tests.service.console.test_console_browser import context_title, quick_search, results
from tests.support.browser import requires_chromium
from tests.support.scenario import person

pytestmark = [pytest.mark.browser, requires_chromium]

ACCOUNT = "AR-000950"


def _promising_customer(session: Session) -> None:
    """A customer whose promise made ten days ago for three days ago was never paid."""
    account = ARAccount(number=ACCOUNT, name="Gaston Perrin", currency="EUR", status="active", is_primary=True)
    contact = person("Gaston", "Perrin", ar_accounts=[account])
    session.add(contact)
    session.flush()
    made = datetime.now(UTC) - timedelta(days=10)
    call = Communication(
        contact_id=contact.id,
        created_by="agent",
        interaction_at=made,
        direction="incoming",
        channel="phone",
        topic="Promised to pay the October invoice",
        status="open",
        keywords=[],
    )
    session.add(call)
    session.add(
        Promise(
            communication=call,
            ar_account_id=account.id,
            amount=Decimal("120.00"),
            currency="EUR",
            promised_on=date.today() - timedelta(days=3),
            created_by="agent",
            created_at=made,
        )
    )


@pytest.fixture(scope="module")
def site(make_database, opensearch_url, run_prefix, test_root, os_client) -> Iterator[Site]:
    with served_site(
        "promises",
        make_database=make_database,
        opensearch_url=opensearch_url,
        run_prefix=run_prefix,
        test_root=test_root,
        os_client=os_client,
        add=_promising_customer,
    ) as served:
        yield served


async def test_a_promise_logged_in_the_console_is_listed_pending_above_the_broken_one(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await quick_search(page, "Any field", ACCOUNT)
    await expect(results(page)).to_have_count(1)
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text("Gaston Perrin")
    promises = page.locator("[data-section=financials]").locator(f"[data-account={ACCOUNT}] tr.promise")
    await expect(promises).to_have_count(1)
    await expect(promises.first.locator(".promise-state")).to_have_text("Broken")
    await expect(promises.first).to_contain_text("Its date passed without the payment")

    await page.get_by_role("button", name="Log communication").click()
    dialog = page.get_by_role("dialog", name="Log a communication")
    await dialog.get_by_label("Topic").fill("Will pay next week")
    await dialog.get_by_label("Action", exact=True).select_option(label="Promise to pay")
    await dialog.get_by_label("Amount promised").fill("40.00")
    await dialog.get_by_role("button", name="Save communication").click()
    await expect(dialog.locator("[data-error-for='actions.0.promised_on']")).to_contain_text("required")

    soon = date.today() + timedelta(days=7)
    await dialog.get_by_label("Promised for").fill(soon.isoformat())
    await dialog.get_by_role("button", name="Save communication").click()
    await expect(dialog).to_be_hidden()
    await expect(promises).to_have_count(2)
    await expect(promises.first.locator(".promise-state")).to_have_text("Pending")
    await expect(promises.first).to_contain_text("40.00")
    await expect(promises.nth(1).locator(".promise-state")).to_have_text("Broken")
    row = page.locator("[data-section=communications]").get_by_role("row", name=re.compile("Will pay next week"))
    await expect(row).to_contain_text("Promise to pay")
