"""Domain errors carry their HTTP status; one handler renders them as {"detail": ...}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: Any, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidCriteria(DomainError):
    """A request that is well-formed but not allowed by the active definition or the search rules."""

    status_code = 422


class Unauthorized(DomainError):
    status_code = 401

    def __init__(self, detail: Any = "missing or invalid bearer token") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    status_code = 403


class RateLimited(DomainError):
    """The caller's token spent its request budget; `Retry-After` says when the next request is accepted."""

    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"too many requests for this token; retry in {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )


class Unavailable(DomainError):
    """A dependency (search engine or database) is down or too slow; the client may retry."""

    status_code = 503

    def __init__(self, detail: Any, *, retry_after_s: int = 5) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_s)})


def error_response(status_code: int, detail: Any) -> dict[str, Any]:
    """OpenAPI `responses=` entry for a route."""
    return {status_code: {"description": str(detail), "content": {"application/json": {"example": {"detail": detail}}}}}


def install_handlers(app: FastAPI) -> None:
    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    app.add_exception_handler(DomainError, handle)
