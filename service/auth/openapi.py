"""Security schemes in the OpenAPI document, so generated clients and `/docs` know how to authenticate.

Every protected operation declares `HTTPBearer` through its dependency (`service.deps.bearer_scheme`). With an
identity provider configured, the same operations also accept `openIdConnect` (the provider's discovery URL), and
`/docs` signs in with the console's public client (Authorization Code with PKCE).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.settings import Settings

BEARER = "HTTPBearer"
OIDC = "openIdConnect"


def install_security_schemes(app: FastAPI, settings: Settings) -> None:
    if not settings.oidc_issuer:
        return
    discovery = f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration"
    if settings.oidc_client_id:
        app.swagger_ui_init_oauth = {
            "clientId": settings.oidc_client_id,
            "usePkceWithAuthorizationCodeGrant": True,
            "scopes": settings.oidc_scope,
        }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, routes=app.routes)
            add_openid_connect(document, discovery)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_openid_connect(document: dict[str, Any], discovery_url: str) -> None:
    """Each operation that takes a bearer token takes the provider's token as well (either one is enough)."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[OIDC] = {"type": "openIdConnect", "openIdConnectUrl": discovery_url}
    for path in document.get("paths", {}).values():
        for operation in path.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if security and any(BEARER in requirement for requirement in security):
                security.append({OIDC: []})
