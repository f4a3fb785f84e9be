"""The Financials section as a collector reads it, in headless Chromium, on a site of its own (its voucher key, its
definitions): the aging, the items past due marked in words, "Show more" on a long account, the wallets, and a used
voucher's secret code retrieved in place (audited, gone from the page once hidden, never in the browser's log) only
where the active definition enables it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from cryptography.fernet import Fernet
from playwright.async_api import expect
from pydantic import SecretStr
from sqlalchemy.orm import Session

from search_definitions.loader import load_shipped
from service.contacts.secrets import VoucherCipher
from service.models import ARAccount, ARItem, Voucher, Wallet
from tests.service.console.conftest import Site, activated, served_site, sign_in
from tests.service.console.test_console_browser import context_title, quick_search, results
from tests.support.browser import SCREENSHOTS, requires_chromium
from tests.support.scenario import person

pytestmark = [pytest.mark.browser, requires_chromium]

KEY = Fernet.generate_key().decode()
CODE = "qz-4471-vx-kp"  # letters nothing else on the page holds: finding it means it was left there
ACCOUNT = "AR-000900"
MANY = 25  # more items owed than one page of the table shows


def _item(
    number: str,
    *,
    due_in: int,
    amount: str,
    kind: str = "invoice",
    status: str = "open",
    open_amount: str | None = None,
    disputed: str = "0",
) -> ARItem:
    today = date.today()
    return ARItem(
        item_type=kind,
        number=number,
        issued_on=today + timedelta(days=due_in - 30),
        due_on=today + timedelta(days=due_in),
        amount=Decimal(amount),
        open_amount=Decimal(open_amount if open_amount is not None else amount),
        currency="EUR",
        status=status,
        disputed_amount=Decimal(disputed),
    )


def _collector_customer(session: Session) -> None:
    """An account owing in every bucket, a long tail of small items not yet due, payments, wallets and vouchers."""
    items = [
        _item("INV-900-001", due_in=-120, amount="300.00"),
        _item("INV-900-002", due_in=-45, amount="150.00", status="in_dispute", disputed="50.00"),
        _item("INV-900-003", due_in=-1, amount="80.00"),
        _item("INV-900-004", due_in=5, amount="60.00"),
        *(_item(f"INV-900-1{n:02}", due_in=20 + n, amount="10.00") for n in range(MANY - 4)),
        _item("PAY-900-01", due_in=-10, amount="-50.00", kind="payment", status="closed", open_amount="0"),
    ]
    cipher = VoucherCipher(SecretStr(KEY))
    account = ARAccount(
        number=ACCOUNT,
        name="Colette Marchand",
        balance=Decimal("800.00"),
        currency="EUR",
        status="active",
        credit_hold=True,
        is_primary=True,
        collector="Amélie Roux",
        items=items,
        wallets=[Wallet(number="W-900", balance=Decimal("12.50"), currency="EUR")],
        vouchers=[
            Voucher(
                number="V-900",
                value=Decimal("20.00"),
                currency="EUR",
                status="used",
                used_on=date.today() - timedelta(days=3),
                subscription_number="SUB-900",
                secret_encrypted=cipher.encrypt(CODE),
            ),
            Voucher(number="V-901", value=Decimal("5.00"), currency="EUR", status="used", used_on=date.today()),
        ],
    )
    session.add(person("Colette", "Marchand", ar_accounts=[account]))


@pytest.fixture(scope="module")
def site(make_database, opensearch_url, run_prefix, test_root, os_client) -> Iterator[Site]:
    with served_site(
        "financials",
        make_database=make_database,
        opensearch_url=opensearch_url,
        run_prefix=run_prefix,
        test_root=test_root,
        os_client=os_client,
        add=_collector_customer,
        env={"CONTACT_LOOKUP_DEFINITIONS_REFRESH_S": "0.2", "CONTACT_LOOKUP_VOUCHER_SECRET_KEYS": KEY},
    ) as served:
        yield served


def admin(site: Site) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=site.url, headers={"Authorization": f"Bearer {site.scenario.tokens['admin']}"})


@asynccontextmanager
async def active_without(site: Site, *actions: str) -> AsyncIterator[None]:
    """The shipped definition less `actions`, active for the test only."""
    shipped = load_shipped("default").model_dump(mode="json")
    data = shipped | {"name": "Without vouchers", "actions": [a for a in shipped["actions"] if a not in actions]}
    async with activated(site, data):
        yield


async def until_active_lacks(site: Site, action: str, *, timeout_s: float = 10) -> None:
    """Until the service's definition cache (refreshed every 0.2 s here) serves the activated definition."""
    agent = {"Authorization": f"Bearer {site.scenario.tokens['agent']}"}
    async with httpx.AsyncClient(base_url=site.url, headers=agent) as api:
        for _ in range(int(timeout_s / 0.1)):
            active = (await api.get("/api/definitions/active")).json()
            if action not in active["definition"]["actions"]:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{action} still enabled after {timeout_s} s")


async def open_colette(page, site: Site):
    await sign_in(page, site.scenario.tokens["agent"])
    before = page.locator(".action-panel")
    await expect(before.get_by_role("button")).to_have_text(["Log person information", "Log company information"])
    await expect(before).not_to_contain_text("Voucher")
    await quick_search(page, "Any field", ACCOUNT)
    await expect(results(page)).to_have_count(1)
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text("Colette Marchand")
    return page.locator("[data-section=financials]").locator(f"[data-account={ACCOUNT}]")


def voucher_row(account, number: str = "V-900"):
    return account.locator(f"tr[data-voucher={number}]")


async def test_financials_show_the_aging_and_the_items_past_due_marked_in_words(site, new_page):
    page = await new_page()
    account = await open_colette(page, site)
    money = page.locator("[data-section=financials]")
    top = money.locator(".financials-top")
    await expect(top).to_contain_text("On hold")
    await expect(top.locator("div", has_text="Total past due")).to_contain_text("530.00")
    await expect(top.locator("div", has_text="Total in dispute")).to_contain_text("50.00")
    aging = account.locator("table.aging")
    for bucket, amount in (("current", "270.00"), ("1-30", "80.00"), ("31-60", "150.00"), ("61-90", "0.00")):
        await expect(aging.locator(f"td[data-bucket='{bucket}']")).to_contain_text(amount)
    await expect(aging.locator("td[data-bucket=over_90]")).to_contain_text("300.00")
    await expect(aging.locator("td[data-bucket=over_90]")).to_have_class(re.compile("past-due"))

    late = account.locator("tr[data-item='INV-900-002']")
    await expect(late).to_have_class(re.compile(r"\bpast-due\b"))
    await expect(late.locator("[data-past-due=true]")).to_have_text("45 days past due")
    await expect(late).to_contain_text("In dispute")
    await expect(account.locator("tr[data-item='INV-900-003'] [data-past-due=true]")).to_have_text("1 day past due")
    not_yet = account.locator("tr[data-item='INV-900-004']")
    await expect(not_yet).not_to_have_class(re.compile(r"\bpast-due\b"))
    await expect(not_yet).to_contain_text("Not due")
    await expect(account.get_by_role("row", name=re.compile("PAY-900-01"))).to_be_visible()
    await expect(account.locator("tr[data-wallet=W-900]")).to_contain_text("12.50")

    items = account.locator("tr.item")
    await expect(items).to_have_count(MANY)
    await expect(account.locator("tr.item:visible")).to_have_count(20)
    await money.screenshot(path=SCREENSHOTS / "financials.png")
    more = account.get_by_role("button", name=re.compile("Show 5 more items owed"))
    await more.click()
    await expect(account.locator("tr.item:visible")).to_have_count(MANY)
    await expect(more).to_have_count(0)


async def test_a_voucher_secret_code_is_shown_in_place_audited_and_gone_once_hidden(site, new_page):
    page = await new_page()
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    account = await open_colette(page, site)
    await expect(page.locator(".action-panel").get_by_role("button")).to_have_text(["Log communication"])
    await expect(voucher_row(account, "V-901")).to_contain_text("No code stored")
    row = voucher_row(account)
    await row.get_by_role("button", name="Retrieve Voucher Secret Code").click()
    await expect(row.locator("code")).to_have_text(CODE)
    hide = row.get_by_role("button", name="Hide")
    await expect(hide).to_be_focused()

    async with admin(site) as api:
        trail = await api.get("/api/audit", params={"user": "agent"})
    assert trail.status_code == 200, trail.text
    [entry, *_] = [e for e in trail.json()["items"] if e["endpoint"] == "voucher_secret"]
    assert (entry["outcome"], entry["criteria"]["voucher"], entry["criteria"]["account"]) == ("ok", "V-900", ACCOUNT)
    assert CODE not in trail.text

    await hide.click()
    await expect(row.get_by_role("button", name="Retrieve Voucher Secret Code")).to_be_focused()
    assert CODE not in await page.content()
    assert not any(CODE in text for text in logged)


async def test_without_the_action_in_the_definition_no_button_and_a_refusal_is_said_in_words(site, new_page):
    page = await new_page()
    account = await open_colette(page, site)
    button = voucher_row(account).get_by_role("button", name="Retrieve Voucher Secret Code")
    await expect(button).to_be_visible()
    async with active_without(site, "retrieve_voucher_secret_code"):
        await until_active_lacks(site, "retrieve_voucher_secret_code")
        # The page drawn before the change still offers it: the API refuses, and the page says why in words.
        await button.click()
        alert = voucher_row(account).get_by_role("alert")
        await expect(alert).to_contain_text("Not allowed")
        await expect(alert).to_contain_text("retrieve_voucher_secret_code")
        await expect(voucher_row(account).locator("code")).to_have_count(0)
        await expect(button).to_be_enabled()

        fresh = await open_colette(await new_page(), site)
        await expect(voucher_row(fresh)).to_be_visible()
        await expect(voucher_row(fresh).get_by_role("button")).to_have_count(0)
        await expect(voucher_row(fresh)).to_contain_text("Stored")
