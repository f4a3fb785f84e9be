"""Domain errors carry their HTTP status; one handler renders them as {"detail": ...}."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

# Where an error answer leaves its detail on the request (scope state), for the audit trail.
ERROR_DETAIL_STATE = "error_detail"


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


class FieldProblem(BaseModel):
    """One field of a request that does not fit: where (`loc`), what (`msg`), and the error's kind."""

    type: str
    loc: list[str | int]
    msg: str
    input: Any = Field(None, description="The offending value, when short and not a secret.")


class Problem(BaseModel):
    """Every error answer: one message, or one entry per field for a request that does not fit."""

    detail: str | list[FieldProblem]


def error_response(status_code: int, detail: Any) -> dict[int, dict[str, Any]]:
    """OpenAPI `responses=` entry for a route: the shared error shape with an example."""
    return {
        status_code: {
            "model": Problem,
            "description": str(detail),
            "content": {"application/json": {"example": {"detail": detail}}},
        }
    }


_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def json_safe(value: Any) -> Any:
    """An error detail as JSON can carry it, whatever the request held: Python's JSON reader turns `"\\udfff"`
    into a lone surrogate, which no UTF-8 answer can hold, and `NaN` or `1e400` into floats JSON has no spelling
    for. Such text is kept with backslash escapes and such a number as its JSON-ish name, so the 422 that refuses
    them can still be written."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else _NON_FINITE[value]
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


class ProblemResponse(JSONResponse):
    """Every error answer goes through `json_safe`, so rendering it cannot fail on what the client sent."""

    def render(self, content: Any) -> bytes:
        return super().render(json_safe(content))


def note_detail(request: Request, detail: Any) -> None:
    """Keeps a short text of an error answer's detail on the request, for the audit trail."""
    detail = json_safe(detail)
    if isinstance(detail, list):
        text = "; ".join(_summary(item) for item in detail)
    else:
        text = detail if isinstance(detail, str) else json.dumps(detail, default=str)
    setattr(request.state, ERROR_DETAIL_STATE, text)


def _summary(item: Any) -> str:
    if isinstance(item, dict) and "msg" in item:
        location = ".".join(str(part) for part in item.get("loc", ()))
        return f"{location}: {item['msg']}" if location else str(item["msg"])
    return str(item)


def install_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        note_detail(request, exc.detail)
        return ProblemResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    app.add_exception_handler(DomainError, handle)
    app.add_exception_handler(UnicodeEncodeError, _not_unicode)


async def _not_unicode(request: Request, exc: Exception) -> JSONResponse:
    """A validator whose message quotes text with a lone surrogate makes pydantic raise this instead of a field
    error; the request still holds no Unicode text there, so it is refused like any other that does not fit."""
    assert isinstance(exc, UnicodeEncodeError)
    detail = [
        {
            "type": "string_unicode",
            "loc": ["body"],
            "msg": "text must be Unicode: a lone surrogate (an unpaired \\ud800-\\udfff escape) is no character",
        }
    ]
    note_detail(request, detail)
    return ProblemResponse({"detail": detail}, status_code=422)
