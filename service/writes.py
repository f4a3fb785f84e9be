"""The plumbing every write API shares: field errors, optimistic versions, flush-or-conflict and ETags.

Contacts and communications (and the imports that go through their services) follow one contract: a rule broken
is a 422 shaped like FastAPI's own validation errors, a stale `If-Match` is a 409 carrying the current version as
its ETag, a flush that loses a race is a 409 naming what was lost, and every answer that shows a row tags it with
its version. The rules and messages of each entity stay in its service; what they have in common lives here,
generic over the entity (`what` and `entity` are the words the messages use).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Path, Response, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.errors import Conflict, InvalidCriteria, error_response

Loc = tuple[str | int, ...]
FieldError = tuple[Loc, str]
# A row id in a path: the database's 32-bit key, so a larger one is a 422, never an overflow.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AUTH_ERRORS = error_response(401, "missing or invalid bearer token")
Shown = TypeVar("Shown")


class Versioned(Protocol):
    """A row under optimistic versioning: change capture bumps `version` on every change of its aggregate."""

    id: int
    version: int


def field_path(loc: Loc) -> str:
    """("phones", 1, "number") -> "phones[1].number", as an agent reads it."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def invalid(errors: Sequence[FieldError]) -> InvalidCriteria:
    """A 422 shaped like FastAPI's own request-validation errors, so clients handle one format."""
    return InvalidCriteria(
        [{"type": "value_error", "loc": ["body", *loc], "msg": f"{field_path(loc)}: {msg}"} for loc, msg in errors]
    )


def plain(value: Any) -> Any:
    """An enum member as the value its column stores."""
    return value.value if isinstance(value, Enum) else value


def etag(row: Versioned) -> str:
    return f'"{row.version}"'


def check_version(row: Versioned, expected: int | None, *, entity: str) -> None:
    """`expected` is the caller's `If-Match` (None: no check); a stale one is a 409 with the current ETag."""
    if expected is not None and expected != row.version:
        raise Conflict(
            f"{entity} {row.id} is at version {row.version}, not {expected}; reload it",
            headers={"ETag": etag(row)},
        )


def flush(session: Session, what: str, *, integrity: Callable[[IntegrityError], str]) -> None:
    """Flushes (never commits: the request boundary does). A row changed or deleted by a concurrent writer is a
    409 naming `what`; a constraint a concurrent insert won is the 409 `integrity` words for it."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"{what} was changed or deleted meanwhile by someone else; reload it") from exc
    except IntegrityError as exc:
        raise Conflict(integrity(exc)) from exc


def tagged(response: Response, row: Versioned, shown: Shown) -> Shown:
    """`shown` (the answer made from `row`) with the row's version as the ETag to send back as `If-Match`."""
    response.headers["ETag"] = etag(row)
    return shown


def created(response: Response, prefix: str, row: Versioned, shown: Shown) -> Shown:
    """A 201's answer: where the new row lives, and its ETag."""
    response.headers["Location"] = f"{prefix}/{row.id}"
    return tagged(response, row, shown)


def deleted() -> Response:
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def not_found(entity: str) -> dict[int, dict[str, Any]]:
    """The documented 404 of a row the caller cannot see (another unit's is one too, so existence never leaks)."""
    return error_response(404, f"no {entity} 7")


def stale(entity: str) -> dict[int, dict[str, Any]]:
    """The documented 409 of a stale `If-Match`."""
    return error_response(409, f"{entity} 7 is at version 4, not 3; reload it")


def not_enabled(action: str) -> dict[int, dict[str, Any]]:
    """The documented 403 of a change the caller's active definition does not enable."""
    return error_response(
        403, f"the active definition 'Collections' does not enable the action {action}, which this change needs"
    )
