"""Async reads from the engine; every failure to answer becomes Unavailable (503), never a partial answer."""

from __future__ import annotations

import time
from typing import Any

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import (
    AuthenticationException,
    AuthorizationException,
    ConnectionTimeout,
    NotFoundError,
    RequestError,
    TransportError,
)
from opensearchpy.exceptions import ConnectionError as EngineConnectionError

from service.errors import InvalidCriteria, Unavailable
from service.opensearch.failures import describe, is_access_problem
from service.telemetry.metrics import engine_call

PING_TIMEOUT_S = 2
# How long a worker trusts what it read of an alias's mapping version: a swap is seen within this long.
MAPPING_RECALL_S = 5.0


class SearchGateway:
    def __init__(self, client: AsyncOpenSearch, *, timeout_ms: int, request_timeout_s: float) -> None:
        self._client = client
        self._timeout_ms = timeout_ms
        self._request_timeout_s = request_timeout_s
        self._older: dict[str, tuple[float, bool]] = {}

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        """Partial results are refused (a partial page would look like the whole answer) and an engine-side
        timeout is set on every search; the client waits a little longer than the engine, so a hung node is a 503
        too."""
        body = {**body, "timeout": f"{self._timeout_ms}ms"}
        try:
            with engine_call("search"):
                response: dict[str, Any] = await self._client.search(
                    index=index,
                    body=body,
                    params={"allow_partial_search_results": "false", "request_timeout": self._request_timeout_s},
                )
        except NotFoundError as exc:
            raise Unavailable(f"search index '{index}' does not exist yet; run `contact-lookup index rebuild`") from exc
        except (AuthenticationException, AuthorizationException) as exc:
            raise Unavailable(f"search engine {describe(exc)}") from exc
        except (EngineConnectionError, ConnectionTimeout) as exc:
            if is_access_problem(exc):  # a TLS refusal, not a node down: say which, an operator must act
                raise Unavailable(f"search engine {describe(exc)}") from exc
            raise Unavailable("search engine unreachable or too slow; retry shortly") from exc
        except RequestError as exc:
            if "search_after" in body:
                # The cursor is opaque but comes from the client: only the engine knows whether its values fit the
                # sort of this search (a cursor of another endpoint, or one edited by hand).
                raise InvalidCriteria("after: not a cursor returned by a previous page of this search") from exc
            raise
        except TransportError as exc:
            if isinstance(exc.status_code, int) and exc.status_code in (429, 500, 502, 503, 504):
                raise Unavailable(f"search engine unavailable ({exc.status_code}); retry shortly") from exc
            raise
        if response.get("timed_out"):
            raise Unavailable("search timed out in the engine; retry shortly")
        return response

    async def mapping_versions(self, alias: str) -> list[int] | None:
        """The mapping version stamped on each index behind the alias (0: built before stamps); None: no alias."""
        try:
            with engine_call("get_mapping"):
                found = await self._client.indices.get_mapping(index=alias, params={"request_timeout": PING_TIMEOUT_S})
        except NotFoundError:
            return None
        return [int((index["mappings"].get("_meta") or {}).get("mapping_version", 0)) for index in found.values()]

    async def older_mapping(self, alias: str, version: int) -> bool:
        """Whether an index behind the alias was built with a mapping older than `version` (an upgrade whose
        rebuild has not swapped yet), read at most every `MAPPING_RECALL_S`. A failure to read says no: the
        search that follows reports the engine's state itself."""
        now = time.monotonic()
        known = self._older.get(alias)
        if known is not None and known[0] > now:
            return known[1]
        try:
            versions = await self.mapping_versions(alias)
        except Exception:
            return False
        older = bool(versions) and min(versions or [version]) < version
        self._older[alias] = (now + MAPPING_RECALL_S, older)
        return older

    async def ping(self) -> dict[str, Any]:
        with engine_call("cluster_health"):
            health: dict[str, Any] = await self._client.cluster.health(params={"request_timeout": PING_TIMEOUT_S})
        return health
