"""GET /console (the Communication Centre screen) and /console/definitions (the definition editor).

Both pages are static HTML plus small ES modules under `static/`, shipped as package data: no build step, nothing
fetched from elsewhere. They talk only to this service's JSON API with the bearer token the user signs in with, so
every rule (roles, the active definition) is enforced by the API, never by the page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
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


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=SECURITY_HEADERS)


@router.get("")
def console_page() -> FileResponse:
    """Sign in with a token, search, open a contact's context, log communications."""
    return _page("console.html")


@router.get("/definitions")
def definitions_page() -> FileResponse:
    """The definition editor; the page asks the API for the caller's role, and the API refuses agents anyway."""
    return _page("definitions.html")


def install_console(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="console-static")
