"""Refuse request bodies above `Settings.max_body_bytes` (413) before anything parses them."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """A declared `Content-Length` above the limit is refused at once; a body sent without one (chunked) is
    counted as it arrives. Raising FastAPI's HTTPException from `receive` lets its body reader pass it through to
    the handler that renders `{"detail": ...}`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self, size: int | None = None) -> str:
        got = f"is {size} bytes" if size is not None else "is too large"
        return f"request body {got}; at most {self.max_bytes} bytes are allowed"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and not declared.isdigit():
            await JSONResponse({"detail": "Content-Length is not a number"}, status_code=400)(scope, receive, send)
            return
        if declared is not None and int(declared) > self.max_bytes:
            await JSONResponse({"detail": self._too_large(int(declared))}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(status_code=413, detail=self._too_large())
            return message

        await self.app(scope, counted, send)
