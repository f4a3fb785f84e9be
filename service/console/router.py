"""GET /console (the Communication Centre screen) and /console/definitions (the definition editor).

Both pages are static HTML plus small ES modules under `static/`, shipped as package data: no build step, nothing
fetched from elsewhere. They talk only to this service's JSON API with the bearer token the user signs in with, so
every rule (roles, the active definition) is enforced by the API, never by the page.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/console/static"

# No inline script or style anywhere, so the policy can forbid them; the pages only ever call this origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


def page_headers(request: Request) -> dict[str, str]:
    """The policy, plus the identity provider's origin in `connect-src` when single sign-on is on: the pages
    fetch its discovery document and trade codes for tokens there (sign-in itself is a navigation)."""
    issuer = request.app.state.contact_lookup.settings.oidc_issuer
    if not issuer:
        return SECURITY_HEADERS
    parts = urlsplit(issuer)
    policy = SECURITY_HEADERS["Content-Security-Policy"].replace(
        "connect-src 'self'", f"connect-src 'self' {parts.scheme}://{parts.netloc}"
    )
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy}


def _page(name: str, request: Request) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=page_headers(request))


@router.get("")
def console_page(request: Request) -> FileResponse:
    """Sign in (through the identity provider, or with a token), search, open a contact's context, log."""
    return _page("console.html", request)


@router.get("/definitions")
def definitions_page(request: Request) -> FileResponse:
    """The definition editor; the page asks the API for the caller's role, and the API refuses agents anyway."""
    return _page("definitions.html", request)


@router.get("/config.json")
def console_config(request: Request) -> JSONResponse:
    """What the pages need to sign in through the provider (public values only); `oidc` is null without one."""
    settings = request.app.state.contact_lookup.settings
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        oidc = {"issuer": settings.oidc_issuer, "client_id": settings.oidc_client_id, "scope": settings.oidc_scope}
    return JSONResponse({"oidc": oidc}, headers={"Cache-Control": "no-cache"})


def install_console(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="console-static")
