"""Communications write tests share the contacts' isolated database and app per test."""

from tests.service.contacts.conftest import api, api_overrides  # noqa: F401  (the fixture, re-exported for this folder)
