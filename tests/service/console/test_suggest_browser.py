"""Suggestions under the quick-search box as the agent types, in headless Chromium against the running service."""

import contextlib

import pytest
from playwright.async_api import expect

from tests.service.console.conftest import settle, sign_in
from tests.support.browser import SCREENSHOTS, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]


def suggestions(page):
    return page.locator("#quick-suggestions").get_by_role("option")


def context_title(page):
    return page.locator("#context").get_by_role("heading", level=2)


async def type_name(page, text: str) -> None:
    await page.get_by_label("Search by").select_option(label="Name")
    await page.get_by_label("Search value").press_sequentially(text, delay=30)


async def test_suggestions_appear_as_the_agent_types_and_the_keyboard_opens_one(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await type_name(page, "mar")
    await expect(suggestions(page)).to_have_text(["María Núñez Peña", "Marie Lefèvre"])
    box = page.get_by_role("combobox", name="Search value")
    await expect(box).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await expect(suggestions(page).nth(1)).to_have_attribute("aria-selected", "true")
    await expect(box).to_have_attribute("aria-activedescendant", "suggestion-1")
    await expect(box).to_be_focused()
    await page.screenshot(path=SCREENSHOTS / "suggestions.png", full_page=True)
    await page.keyboard.press("Enter")
    await expect(context_title(page)).to_have_text("Marie Lefèvre")
    await expect(page.locator("#quick-suggestions")).to_be_hidden()


async def test_escape_closes_the_suggestions_and_enter_then_searches(site, new_page):
    page = await new_page()
    await sign_in(page, site.scenario.tokens["agent"])
    await page.get_by_label("Operator").select_option("like")
    await type_name(page, "élo")
    await expect(suggestions(page)).to_have_text(["Élodie Dvořák"])
    await page.keyboard.press("Escape")
    await expect(page.locator("#quick-suggestions")).to_be_hidden()
    box = page.get_by_label("Search value")
    await expect(box).to_be_focused()
    await expect(box).to_have_value("élo")
    await page.keyboard.press("Enter")
    await expect(page.locator("#results").get_by_role("option")).to_have_count(1)


async def test_one_character_asks_nothing_and_a_newer_keystroke_drops_the_older_answer(site, new_page):
    page = await new_page()
    asked: list[str] = []
    slow = "prefix=ma&"

    async def answer(route):
        asked.append(route.request.url)
        if slow in route.request.url + "&":
            await page.wait_for_timeout(800)
        with contextlib.suppress(Exception):  # the page aborted it: a newer keystroke came first
            await route.continue_()

    await page.route("**/api/search/suggest?*", answer)
    await sign_in(page, site.scenario.tokens["agent"])
    await type_name(page, "m")
    await settle(page)
    assert asked == []
    await page.get_by_label("Search value").press_sequentially("a", delay=30)
    await page.wait_for_timeout(300)
    assert len(asked) == 1
    await page.get_by_label("Search value").fill("elo")
    await expect(suggestions(page)).to_have_text(["Élodie Dvořák"])
    await page.wait_for_timeout(900)
    await expect(suggestions(page)).to_have_text(["Élodie Dvořák"])
