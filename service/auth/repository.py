"""User statements."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.models.user import User


def by_token_hash(session: Session, token_hash: str) -> User | None:
    return session.scalar(select(User).where(User.token_hash == token_hash))


def by_name(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def all_by_name(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.name)).all()


def mark_used(session: Session, user_ids: Collection[int], at: datetime) -> None:
    """One UPDATE for every token used since the last write; `updated_at` is left alone (no change of the user)."""
    session.execute(
        update(User)
        .where(User.id.in_(user_ids))
        .values(last_used_at=at, updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )
