"""The OpenAPI document tells clients the truth: every error answer's shape, and closed request bodies."""

from typing import Any

import pytest

from service.app import create_app
from service.settings import Settings

COMMON_ERRORS = {"400", "401", "413", "422", "429", "503"}


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("openapi") / "unused.db"
    return create_app(Settings(database_url=f"sqlite:///{path}")).openapi()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", path, operation


def test_every_api_operation_documents_the_shared_error_answers(document):
    for name, path, operation in operations(document):
        if not path.startswith("/api/"):
            continue
        responses = operation["responses"]
        assert set(responses) >= COMMON_ERRORS, name
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (name, status)


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def objects_in(document, schema, seen=None):
    """Every object schema reachable from `schema` (properties, items, anyOf/oneOf/allOf branches)."""
    seen = set() if seen is None else seen
    if "$ref" in schema:
        name = schema["$ref"]
        if name in seen:
            return
        seen.add(name)
    schema = resolve(document, schema)
    if schema.get("type") == "object" or "properties" in schema:
        yield schema
    for child in schema.get("properties", {}).values():
        yield from objects_in(document, child, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from objects_in(document, schema[key], seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            yield from objects_in(document, branch, seen)


def test_every_request_body_is_closed_at_every_level(document):
    """No mass assignment: a field the schema does not name (an id, a version, an author) is a 422, never ignored.
    Maps without named properties (the search criteria) are left out: their keys are checked against the active
    definition and the catalogue, and an unknown one is a 422 too."""
    checked = 0
    for name, _path, operation in operations(document):
        body = operation.get("requestBody")
        if body is None:
            continue
        for schema in objects_in(document, body["content"]["application/json"]["schema"]):
            if "properties" not in schema:
                continue
            assert schema.get("additionalProperties") is False, (name, schema.get("title"))
            checked += 1
    assert checked > 20


def test_every_protected_operation_declares_the_bearer_scheme_and_public_ones_none(document):
    assert document["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (`users add`) or the provider's access token",
    }
    assert "openIdConnect" not in document["components"]["securitySchemes"]
    for name, path, operation in operations(document):
        if path.startswith("/api/"):
            assert operation.get("security") == [{"HTTPBearer": []}], name
        else:
            assert "security" not in operation, name


def test_with_a_provider_every_protected_operation_accepts_openid_connect_as_well(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        oidc_issuer="https://login.example.test/realms/contact-lookup",
        oidc_audience="contact-lookup-api",
        oidc_client_id="contact-lookup-console",
    )
    app = create_app(settings)
    document = app.openapi()
    assert document["components"]["securitySchemes"]["openIdConnect"] == {
        "type": "openIdConnect",
        "openIdConnectUrl": "https://login.example.test/realms/contact-lookup/.well-known/openid-configuration",
    }
    protected = [(name, op) for name, path, op in operations(document) if path.startswith("/api/")]
    assert protected
    for name, operation in protected:
        assert operation["security"] == [{"HTTPBearer": []}, {"openIdConnect": []}], name
    assert app.swagger_ui_init_oauth["clientId"] == "contact-lookup-console"
    assert app.swagger_ui_init_oauth["usePkceWithAuthorizationCodeGrant"] is True
