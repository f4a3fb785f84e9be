"""The console signs in through Keycloak's own login page (Authorization Code with PKCE), renews its token before
it expires, and signing out ends the session at the provider; the pasted-token sign-in stays beside it."""

import asyncio

import pytest
from playwright.async_api import expect

from tests.service.console.conftest import served_site, sign_in
from tests.support.browser import SCREENSHOTS, requires_chromium
from tests.support.keycloak import AUDIENCE, CONSOLE_CLIENT, PASSWORDS, REALM

pytestmark = [pytest.mark.browser, requires_chromium]

TOKEN_LIFESPAN_S = 34  # renewed 30 s before it expires: after about 4 s


@pytest.fixture(scope="module")
def sso_site(make_database, opensearch_url, run_prefix, test_root, os_client, keycloak):
    env = {
        "CONTACT_LOOKUP_OIDC_ISSUER": keycloak.issuer,
        "CONTACT_LOOKUP_OIDC_AUDIENCE": AUDIENCE,
        "CONTACT_LOOKUP_OIDC_CLIENT_ID": CONSOLE_CLIENT,
        "CONTACT_LOOKUP_OIDC_ROLE_CLAIM": "realm_access.roles",
    }
    with served_site(
        "console-sso",
        make_database=make_database,
        opensearch_url=opensearch_url,
        run_prefix=run_prefix,
        test_root=test_root,
        os_client=os_client,
        env=env,
    ) as site:
        url = site.url
        # The realm names the console at the README's port (8000); this one runs on a free port.
        (console,) = keycloak.admin("GET", f"/realms/{REALM}/clients?clientId={CONSOLE_CLIENT}").json()
        console["redirectUris"] = [f"{url}/console", f"{url}/console/definitions"]
        console["webOrigins"] = [url]
        console["attributes"]["post.logout.redirect.uris"] = "##".join(console["redirectUris"])
        console["attributes"]["access.token.lifespan"] = str(TOKEN_LIFESPAN_S)
        keycloak.admin("PUT", f"/realms/{REALM}/clients/{console['id']}", console)
        yield url, site.scenario


@pytest.fixture
async def sso_page(browser, sso_site):
    errors = []
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", base_url=sso_site[0])
    page = await context.new_page()
    page.set_default_timeout(20000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    await context.close()
    assert not errors, errors


async def keycloak_login(page, username):
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(PASSWORDS[username])
    await page.locator("#kc-login").click()


async def test_an_agent_signs_in_at_keycloak_renews_silently_and_signing_out_ends_the_provider_session(
    sso_page, sso_site, keycloak
):
    page = sso_page
    await page.goto("/console")
    await page.get_by_role("button", name="Continue with your company account").click()
    await expect(page.locator("#kc-login")).to_be_visible()
    assert page.url.startswith(keycloak.issuer)
    await keycloak_login(page, "agent-bu01")

    await expect(page.locator("#whoami")).to_have_text("agent-bu01 (agent, BU01)")
    assert "code=" not in page.url
    await page.screenshot(path=SCREENSHOTS / "console-sso.png")
    first = await page.evaluate("() => sessionStorage.getItem('contact-lookup.token')")
    await page.get_by_label("Search value").fill("06 12 34 56 78")
    await page.get_by_label("Search by").select_option(label="Phone")
    await page.keyboard.press("Enter")
    await expect(page.locator("#results").get_by_role("option")).to_have_count(1)

    await asyncio.sleep(TOKEN_LIFESPAN_S - 30 + 3)
    renewed = await page.evaluate("() => sessionStorage.getItem('contact-lookup.token')")
    assert renewed and renewed != first
    me = await page.evaluate(
        "async () => (await fetch('/api/me', {headers: {Authorization: "
        "`Bearer ${sessionStorage.getItem('contact-lookup.token')}`}})).json()"
    )
    assert me["name"] == "agent-bu01"

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Continue with your company account")).to_be_visible()
    assert await page.evaluate("() => sessionStorage.getItem('contact-lookup.token')") is None
    await page.get_by_role("button", name="Continue with your company account").click()
    await expect(page.locator("#kc-login")).to_be_visible()  # the provider's session ended: credentials again


async def test_the_pasted_api_token_still_signs_in_beside_the_provider(sso_page, sso_site):
    _, scenario = sso_site
    await sign_in(sso_page, scenario.tokens["agent-bu02"])
    await expect(sso_page.locator("#whoami")).to_have_text("agent-bu02 (agent, BU02)")
