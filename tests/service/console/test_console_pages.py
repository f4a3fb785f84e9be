"""The console's pages and assets are served by the product itself, locked down, and shipped as package data."""

import tomllib
from pathlib import Path

import pytest

from service.console.router import SECURITY_HEADERS, STATIC_DIR

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("path", "title"), [("/console", "Communication Centre"), ("/console/definitions", "Definitions")]
)
async def test_console_pages_are_served_without_a_token_and_forbid_inline_and_foreign_code(app_client, path, title):
    response = await app_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f"<title>{title}" in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_asset_a_page_names_is_served_from_the_package(app_client):
    for page in ("console.html", "definitions.html"):
        html = (STATIC_DIR / page).read_text(encoding="utf-8")
        assert "http://" not in html and "https://" not in html
    for asset in sorted(STATIC_DIR.rglob("*.js")) + sorted(STATIC_DIR.rglob("*.css")):
        url = f"/console/static/{asset.relative_to(STATIC_DIR).as_posix()}"
        response = await app_client.get(url)
        assert response.status_code == 200, url
        expected = "javascript" if asset.suffix == ".js" else "css"
        assert expected in response.headers["content-type"], url
        assert "https://" not in response.text and "http://" not in response.text, url


def test_every_console_file_is_package_data_for_a_non_editable_install():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["service.console"]
    shipped = {path for pattern in patterns for path in STATIC_DIR.parent.glob(pattern) if path.is_file()}
    files = {path for path in STATIC_DIR.rglob("*") if path.is_file()}
    assert files and files <= shipped, sorted(str(path) for path in files - shipped)


def console_files() -> list[str]:
    return sorted(f"/console/static/{path.relative_to(STATIC_DIR).as_posix()}" for path in STATIC_DIR.rglob("*"))


def assert_locked_down(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name, response.headers)
        assert len(response.headers.get_list(name)) == 1, (response.request.url, name)


async def test_every_console_path_answers_with_the_security_headers(app_client):
    paths = ["/console", "/console/definitions", *console_files()]
    missing = ["/console/static/nothing.js", "/console/static/", "/console/static/js", "/console/nothing"]
    assert len(paths) > 10
    for path in paths + missing:
        assert_locked_down(await app_client.get(path))
    asset = await app_client.get("/console/static/console.css")
    assert_locked_down(
        await app_client.get("/console/static/console.css", headers={"If-None-Match": asset.headers["etag"]})
    )
    assert_locked_down(await app_client.post("/console/static/console.css"))


@pytest.mark.parametrize("page", sorted(path.name for path in STATIC_DIR.glob("*.html")))
async def test_the_pages_are_not_served_raw_from_the_static_files(app_client, page):
    response = await app_client.get(f"/console/static/{page}")
    assert response.status_code == 404
    assert "/console and /console/definitions" in response.json()["detail"]
    assert_locked_down(response)


async def test_without_a_provider_the_config_names_none_and_the_policy_connects_only_here(app_client):
    assert (await app_client.get("/console/config.json")).json() == {"oidc": None}
    policy = (await app_client.get("/console")).headers["content-security-policy"]
    assert "connect-src 'self';" in policy


async def test_with_a_provider_the_pages_learn_it_and_may_connect_to_its_origin_only(settings):
    import httpx

    from service.app import create_app

    issuer = "https://login.example.test:8443/realms/contact-lookup"
    app = create_app(
        settings.model_copy(
            update={"oidc_issuer": issuer, "oidc_audience": "contact-lookup-api", "oidc_client_id": "console"}
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            config = (await client.get("/console/config.json")).json()
            policies = [(await client.get(page)).headers["content-security-policy"] for page in PAGES]
    assert config == {"oidc": {"issuer": issuer, "client_id": "console", "scope": "openid profile"}}
    for policy in policies:
        assert "connect-src 'self' https://login.example.test:8443;" in policy
        assert "script-src 'self';" in policy and "form-action 'self'" in policy


PAGES = ("/console", "/console/definitions")
