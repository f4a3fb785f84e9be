"""Users and their API tokens: created once, rotated, listed, disabled and enabled; a token may expire."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from service.auth import repository
from service.auth.tokens import hash_token, is_api_token, new_token
from service.errors import Unauthorized
from service.models.enums import UserRole
from service.models.user import User

_DURATION = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, detached from any session.

    `subject` is set for a caller signed in at the identity provider (its `sub`): such a caller has no row in
    `users`, so its `id` is 0 and it is told apart by the subject instead.
    """

    id: int
    name: str
    role: UserRole
    business_unit: str | None
    expires_at: datetime | None = None
    subject: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN

    @property
    def key(self) -> int | str:
        """One caller's identity for per-caller budgets, whichever way it signed in."""
        return self.id if self.subject is None else f"oidc:{self.subject}"

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


class Refused(Unauthorized):
    """A 401 with the reason the failure counter and the audit record (`expired`, `malformed`, `issuer`, ...)."""

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


EXPIRED = "this token has expired; ask for a new one (`users rotate`)"


class UserError(ValueError):
    """A `users` command that cannot be carried out, said in a sentence."""


def parse_duration(value: str) -> timedelta:
    """`90d`, `12h` or `30m`: how long a new token lives."""
    match = _DURATION.fullmatch(value.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise UserError(f"{value!r} is no duration; write a positive number of days, hours or minutes: 90d, 12h, 30m")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def add_user(
    session: Session,
    name: str,
    role: UserRole,
    business_unit: str | None = None,
    *,
    expires_in: timedelta | None = None,
) -> tuple[User, str]:
    """A new user and its token (shown once). An existing name is refused: `rotate_token` renews a token
    without touching the role and unit, so re-running an add can never widen or narrow what a user sees."""
    if repository.by_name(session, name) is not None:
        raise UserError(f"user {name} exists already; `users rotate {name}` gives it a new token")
    token = new_token()
    user = User(
        name=name,
        role=role.value,
        business_unit=business_unit,
        token_hash=hash_token(token),
        token_issued_at=datetime.now(UTC),
        expires_at=_expiry(expires_in),
    )
    session.add(user)
    session.flush()
    return user, token


def rotate_token(session: Session, name: str, *, expires_in: timedelta | None = None) -> tuple[User, str]:
    """A new token for an existing user; the old one stops working, role and unit stay as they are. Without
    `expires_in` the new token lives as long as the old one was given (from now), or forever if it had no end."""
    user = _existing(session, name)
    if expires_in is None and user.expires_at is not None:
        expires_in = user.expires_at - (user.token_issued_at or user.created_at)
    token = new_token()
    user.token_hash = hash_token(token)
    user.token_issued_at = datetime.now(UTC)
    user.expires_at = _expiry(expires_in)
    session.flush()
    return user, token


def issue_token(session: Session, name: str, role: UserRole, business_unit: str | None = None) -> tuple[User, str]:
    """A user with this role and unit holding a fresh token, created or rotated: what a first look (`run`) needs
    on every start, since it prints the tokens it made."""
    user = repository.by_name(session, name)
    if user is None:
        return add_user(session, name, role, business_unit)
    user.role, user.business_unit, user.disabled_at = role.value, business_unit, None
    return rotate_token(session, name)


def set_disabled(session: Session, name: str, disabled: bool) -> User:
    user = _existing(session, name)
    user.disabled_at = (user.disabled_at or datetime.now(UTC)) if disabled else None
    session.flush()
    return user


def list_users(session: Session) -> Sequence[User]:
    return repository.all_by_name(session)


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header; 401 when there is no such header."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


def bearer_hash(authorization: str | None) -> str:
    """The stored digest of an API token's header; 401 without a query when the token cannot be one of ours."""
    token = bearer_token(authorization)
    if not is_api_token(token):
        raise Unauthorized()
    return hash_token(token)


def authenticate_hash(session: Session, token_hash: str, *, now: datetime | None = None) -> Principal:
    user = repository.by_token_hash(session, token_hash)
    if user is None or user.disabled_at is not None:
        raise Unauthorized()
    principal = Principal(
        id=user.id,
        name=user.name,
        role=UserRole(user.role),
        business_unit=user.business_unit,
        expires_at=user.expires_at,
    )
    if principal.expired(now or datetime.now(UTC)):
        raise Refused(EXPIRED, "expired")
    return principal


def _existing(session: Session, name: str) -> User:
    user = repository.by_name(session, name)
    if user is None:
        raise UserError(f"no user named {name}; `users add {name}` creates one")
    return user


def _expiry(expires_in: timedelta | None) -> datetime | None:
    return None if expires_in is None else datetime.now(UTC) + expires_in
