"""GET /console (the Communication Centre screen) and /console/definitions (the definition editor).

Both pages are static HTML plus small ES modules under `static/`, shipped as package data: no build step, nothing
fetched from elsewhere. They talk only to this service's JSON API with the bearer token the user signs in with, so
every rule (roles, the active definition) is enforced by the API, never by the page.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
CONSOLE_PATH = "/console"
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


def security_headers(oidc_issuer: str | None) -> dict[str, str]:
    """The policy, plus the identity provider's origin in `connect-src` when single sign-on is on: the pages
    fetch its discovery document and trade codes for tokens there (sign-in itself is a navigation)."""
    if not oidc_issuer:
        return SECURITY_HEADERS
    parts = urlsplit(oidc_issuer)
    policy = SECURITY_HEADERS["Content-Security-Policy"].replace(
        "connect-src 'self'", f"connect-src 'self' {parts.scheme}://{parts.netloc}"
    )
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy}


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html")


@router.get("")
def console_page() -> FileResponse:
    """Sign in (through the identity provider, or with a token), search, open a contact's context, log."""
    return _page("console.html")


@router.get("/definitions")
def definitions_page() -> FileResponse:
    """The definition editor; the page asks the API for the caller's role, and the API refuses agents anyway."""
    return _page("definitions.html")


@router.get("/config.json")
def console_config(request: Request) -> JSONResponse:
    """What the pages need to sign in through the provider (public values only); `oidc` is null without one."""
    settings = request.app.state.contact_lookup.settings
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        oidc = {"issuer": settings.oidc_issuer, "client_id": settings.oidc_client_id, "scope": settings.oidc_scope}
    return JSONResponse({"oidc": oidc}, headers={"Cache-Control": "no-cache"})


class ConsoleAssets(StaticFiles):
    """The scripts and styles; the pages have one address each (above), never a raw copy under `static/`."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if PurePosixPath(path).suffix.lower() in {".html", ".htm"}:
            raise HTTPException(status_code=404, detail="the console's pages are /console and /console/definitions")
        return await super().get_response(path, scope)


class ConsoleHeaders:
    """Sets the security headers on every answer under /console (pages, assets, 304s, 404s, redirects), so no
    route or mount added there later can serve a page without them."""

    def __init__(self, app: ASGIApp, *, headers: dict[str, str]) -> None:
        self.app = app
        self._headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self._names = {name for name, _ in self._headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        if path != CONSOLE_PATH and not path.startswith(CONSOLE_PATH + "/"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self._names]
                message = {**message, "headers": kept + self._headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_console(app: FastAPI, *, oidc_issuer: str | None) -> None:
    app.include_router(router)
    app.mount(STATIC_PATH, ConsoleAssets(directory=STATIC_DIR), name="console-static")
    app.add_middleware(ConsoleHeaders, headers=security_headers(oidc_issuer))
