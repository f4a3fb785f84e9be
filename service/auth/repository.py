"""User statements."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models.user import User


def by_token_hash(session: Session, token_hash: str) -> User | None:
    return session.scalar(select(User).where(User.token_hash == token_hash))


def by_name(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))
