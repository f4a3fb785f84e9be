"""One logging configuration for the API, uvicorn (server and access lines) and the indexer and CLI.

Every line carries the request id of the request it belongs to (`-` outside one), taken from the caller's
`X-Request-ID` or made by `asgi-correlation-id`. `CONTACT_LOOKUP_LOG_FORMAT=json` writes one JSON object a line,
for a log shipper; text otherwise. The configuration is a plain dict, so `uvicorn.run(log_config=...)` carries it
into every worker process it starts.
"""

from __future__ import annotations

import logging.config
import re
import uuid
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from starlette.types import ASGIApp, Receive, Scope, Send

from service.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is a plain token of sane length (a UUID, a trace id, a load balancer's id); anything
# else is replaced by a fresh one, so no header can put junk into the logs or the audit trail.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")

# `correlation_id` is the attribute asgi-correlation-id's filter sets; JSON lines call it `request_id`.
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s"


def acceptable_request_id(value: str) -> bool:
    return _ACCEPTED.fullmatch(value) is not None


def logging_config(settings: Settings) -> dict[str, Any]:
    level = settings.log_level.upper()
    if settings.log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
            "timestamp": False,
        }
    else:
        formatter = {"format": TEXT_FORMAT}
    handler = {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"]}
    quiet = {"handlers": ["default"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "service.telemetry.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        # uvicorn's own loggers keep their names but write through the one handler (not twice through the root).
        # The engine client logs each failed request with its stack trace; the product says what failed itself (a
        # 503 naming it, one CLI line), so only the client's errors pass.
        "loggers": {
            "uvicorn": quiet,
            "uvicorn.error": {"level": level},
            "uvicorn.access": quiet,
            "opensearch": {"level": "ERROR"},
        },
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))


class RequestIdFilter(logging.Filter):
    """The request id on every record (as `correlation_id`, the attribute asgi-correlation-id's own filter sets);
    `-` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get() or "-"
        return True


class RequestIdMiddleware(CorrelationIdMiddleware):
    """asgi-correlation-id's middleware (the caller's `X-Request-ID` when acceptable, else a fresh uuid4 hex; echoed
    in the answer), leaving the id behind it when the request ends: code that runs after it in the same context
    (a lifespan, a test calling the app in-process) logs `-`, not the last request's id."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(
            app,
            header_name=REQUEST_ID_HEADER,
            generator=lambda: uuid.uuid4().hex,
            validator=acceptable_request_id,
            transformer=None,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        before = correlation_id.get()
        try:
            await super().__call__(scope, receive, send)
        finally:
            correlation_id.set(before)
