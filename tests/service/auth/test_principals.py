"""A worker remembers a token it checked for `token_recall_s`: no database query in front of every lookup, yet a
rotated token stops working within that time, and unknown tokens are never remembered."""

import asyncio

import httpx
import pytest

from service.app import create_app
from service.auth.principals import KnownPrincipals
from service.auth.service import add_user, issue_token, rotate_token
from service.auth.tokens import new_token
from service.errors import Unauthorized
from service.models.enums import UserRole
from tests.conftest import bearer


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_checked_token_is_recalled_until_it_is_too_old_then_asked_again(db_sessions):
    clock = Clock()
    with db_sessions.begin() as session:
        _, token = add_user(session, "recall-ana", UserRole.AGENT)
    known = KnownPrincipals(db_sessions, max_age_s=1.0, clock=clock)
    assert known.recall(f"Bearer {token}") is None
    assert known.load(f"Bearer {token}").name == "recall-ana"
    with db_sessions.begin() as session:
        _, rotated = issue_token(session, "recall-ana", UserRole.ADMIN)
    assert known.recall(f"Bearer {token}").role is UserRole.AGENT
    clock.now += 1.0
    assert known.recall(f"Bearer {token}") is None
    with pytest.raises(Unauthorized):
        known.load(f"Bearer {token}")
    assert known.load(f"Bearer {rotated}").is_admin


def test_unknown_tokens_are_never_remembered_and_malformed_headers_need_no_database(db_sessions):
    known = KnownPrincipals(db_sessions, max_age_s=60)
    unknown = f"Bearer {new_token()}"
    with pytest.raises(Unauthorized):
        known.load(unknown)
    assert known.recall(unknown) is None
    for header in (None, "", "Basic YWxhZGRpbg==", "Bearer   ", "Bearer not-a-token"):
        with pytest.raises(Unauthorized):
            known.recall(header)


def test_the_remembered_tokens_are_bounded_oldest_out_first(db_sessions):
    known = KnownPrincipals(db_sessions, max_age_s=60, max_entries=3)
    with db_sessions.begin() as session:
        tokens = [add_user(session, f"recall-{i}", UserRole.AGENT)[1] for i in range(4)]
    for token in tokens:
        known.load(f"Bearer {token}")
    assert known.recall(f"Bearer {tokens[0]}") is None
    assert [known.recall(f"Bearer {t}").name for t in tokens[1:]] == ["recall-1", "recall-2", "recall-3"]


async def test_a_rotated_token_is_refused_by_the_api_once_the_recall_time_has_passed(settings, scenario, db_sessions):
    with db_sessions.begin() as session:
        _, old = add_user(session, "recall-rotating", UserRole.AGENT)
    app = create_app(settings.model_copy(update={"token_recall_s": 0.3}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://contact-lookup.test") as client:
            assert (await client.get("/api/me", headers=bearer(old))).status_code == 200
            with db_sessions.begin() as session:
                _, new = rotate_token(session, "recall-rotating")
            await asyncio.sleep(0.35)
            assert (await client.get("/api/me", headers=bearer(old))).status_code == 401
            assert (await client.get("/api/me", headers=bearer(new))).json()["name"] == "recall-rotating"


def test_a_first_look_start_issues_a_fresh_token_to_an_existing_demo_user(db_sessions):
    """`contact-lookup run` prints new tokens on every start: it creates the demo user or rotates its token, and
    gives it back the role, unit and enabled state the first look needs."""
    from service.auth.service import set_disabled

    with db_sessions.begin() as session:
        _, first = issue_token(session, "first-look-agent", UserRole.AGENT)
        set_disabled(session, "first-look-agent", True)
    with db_sessions.begin() as session:
        user, second = issue_token(session, "first-look-agent", UserRole.AGENT)
        assert (user.role, user.business_unit, user.disabled_at) == ("agent", None, None)
    known = KnownPrincipals(db_sessions, max_age_s=0)
    assert known.load(f"Bearer {second}").name == "first-look-agent"
    with pytest.raises(Unauthorized):
        known.load(f"Bearer {first}")
