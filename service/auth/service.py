"""Users and their tokens: creating one prints its token once; re-adding a user rotates the token."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.auth import repository
from service.auth.tokens import hash_token, new_token
from service.errors import Unauthorized
from service.models.enums import UserRole
from service.models.user import User


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, detached from any session."""

    id: int
    name: str
    role: UserRole
    business_unit: str | None

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN


def add_user(session: Session, name: str, role: UserRole, business_unit: str | None = None) -> tuple[User, str]:
    token = new_token()
    user = repository.by_name(session, name)
    if user is None:
        user = User(name=name, role=role.value, business_unit=business_unit, token_hash=hash_token(token))
        session.add(user)
    else:
        user.role = role.value
        user.business_unit = business_unit
        user.token_hash = hash_token(token)
    session.flush()
    return user, token


def bearer_hash(authorization: str | None) -> str:
    """The stored digest of an `Authorization: Bearer <token>` header; 401 when there is no such header."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return hash_token(token.strip())


def authenticate_hash(session: Session, token_hash: str) -> Principal:
    user = repository.by_token_hash(session, token_hash)
    if user is None:
        raise Unauthorized()
    return Principal(id=user.id, name=user.name, role=UserRole(user.role), business_unit=user.business_unit)
