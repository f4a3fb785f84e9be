"""One running service (uvicorn subprocess, real engine) on its own database and indices, and headless Chromium.

The console tests change what is active and log communications, so they get their own copy of the scenario rather
than sharing the one other tests read.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.orm import Session

from service.db.session import build_engine, build_sessionmaker
from service.settings import Settings
from tests.support.browser import CHROMIUM
from tests.support.scenario import Scenario, build
from tests.support.server import running_server


@dataclass(frozen=True)
class Site:
    url: str
    scenario: Scenario


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    """Playwright's async API, on the session's event loop like every other async test (its sync API would hold
    a loop of its own open and starve them)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        await browser.close()


@contextlib.contextmanager
def served_site(
    name: str,
    *,
    make_database,
    opensearch_url: str,
    run_prefix: str,
    test_root,
    os_client,
    add: Callable[[Session], None] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Site]:
    """The scenario (and what `add` puts beside it) on a database and indices named `name`, indexed, and the
    service serving them with `env` on top of its own settings."""
    from indexer.rebuild import rebuild

    database = make_database("sqlite", name)
    settings = Settings(
        home=test_root / f"{name}-home",
        database_url=database.url,
        opensearch_url=opensearch_url,
        index_prefix=f"{run_prefix}-{name}",
    )
    engine = build_engine(settings)
    with build_sessionmaker(engine).begin() as session:
        scenario = build(session)
        if add is not None:
            add(session)
    rebuild(settings=settings, engine=engine, client=os_client)
    engine.dispose()
    served = {
        "CONTACT_LOOKUP_HOME": str(settings.home),
        "CONTACT_LOOKUP_DATABASE_URL": settings.database_url,
        "CONTACT_LOOKUP_OPENSEARCH_URL": opensearch_url,
        "CONTACT_LOOKUP_INDEX_PREFIX": settings.index_prefix,
        **(env or {}),
    }
    with running_server(served) as url:
        yield Site(url=url, scenario=scenario)


@pytest.fixture(scope="session")
def site(make_database, opensearch_url, run_prefix, test_root, os_client) -> Iterator[Site]:
    with served_site(
        "console",
        make_database=make_database,
        opensearch_url=opensearch_url,
        run_prefix=run_prefix,
        test_root=test_root,
        os_client=os_client,
        env={"CONTACT_LOOKUP_DEFINITIONS_REFRESH_S": "0.2"},
    ) as served:
        yield served


@pytest.fixture
async def new_page(browser, site) -> AsyncIterator[Callable[[], Awaitable[object]]]:
    """Opens pages in fresh browser contexts (own sessionStorage); fails the test on any script error."""
    contexts = []
    errors: list[str] = []

    async def open_page():
        context = await browser.new_context(
            viewport={"width": 1440, "height": 1000}, locale="en-GB", timezone_id="UTC", base_url=site.url
        )
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(5000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if _script_error(message) else None)
        return page

    yield open_page
    for context in contexts:
        await context.close()
    assert not errors, errors


def _script_error(message) -> bool:
    """Chromium also logs every 4xx answer as an error; the pages handle those, so only script errors count."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


async def sign_in(page, token: str, path: str = "/console") -> None:
    await page.goto(path)
    await page.get_by_label("API token").fill(token)
    await page.get_by_role("button", name="Sign in").click()


async def settle(page) -> None:
    """Gives the page 200 ms to act on an answer just received, before asserting that it did nothing."""
    await page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 200))")


@asynccontextmanager
async def activated(site: Site, definition: dict) -> AsyncIterator[None]:
    """`definition` stored by the admin and active for the test only, then deactivated and deleted."""
    admin = {"Authorization": f"Bearer {site.scenario.tokens['admin']}"}
    async with httpx.AsyncClient(base_url=site.url, headers=admin) as api:
        created = await api.post("/api/definitions", json=definition)
        assert created.status_code == 201, created.text
        path = f"/api/definitions/{created.json()['id']}"
        assert (await api.post(f"{path}/activate")).status_code == 200
        try:
            yield
        finally:
            assert (await api.post(f"{path}/deactivate")).status_code == 200
            assert (await api.delete(path)).status_code == 204
