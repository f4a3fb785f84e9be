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
