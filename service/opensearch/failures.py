"""Engine failures in words an operator acts on (certificate not trusted, credentials refused), not a stack trace.

opensearch-py wraps what went wrong in its own exceptions (the sync client's `SSLError`, the async client's
`ConnectionError` around aiohttp's certificate error, `AuthenticationException` for a 401); the cause is found
by walking the chain, so the API's 503, `/ready` and the CLI say the same thing.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

from opensearchpy.exceptions import (
    AuthenticationException,
    AuthorizationException,
    ConnectionTimeout,
    ImproperlyConfigured,
    TransportError,
)
from opensearchpy.exceptions import ConnectionError as EngineConnectionError

MAX_CAUSES = 10


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, then what it wraps (`info` and `errors` of opensearch-py's, `__cause__`, `__context__`)."""
    seen: set[int] = set()
    pending = [exc]
    while pending and len(seen) < MAX_CAUSES:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [getattr(current, "info", None), current.__cause__, current.__context__]
        wrapped += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        wrapped += [e for e in getattr(current, "errors", ()) or () if isinstance(e, BaseException)]
        pending += [w for w in wrapped if isinstance(w, BaseException)]


def describe(exc: BaseException) -> str:
    """What kept the engine from answering, in a short sentence without secrets."""
    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            # aiohttp's ClientConnectorCertificateError is one too, without the ssl module's attributes.
            reason = getattr(cause, "verify_message", None) or getattr(cause, "reason", None) or "verification failed"
            return f"certificate not trusted ({reason}); check CONTACT_LOOKUP_OPENSEARCH_CA_CERTS"
    for cause in causes:
        if isinstance(cause, AuthenticationException):
            return "credentials refused (401); check CONTACT_LOOKUP_OPENSEARCH_USERNAME and _PASSWORD"
        if isinstance(cause, AuthorizationException):
            return "permission denied (403): the engine user may not do this"
    refusals = [cause for cause in causes if isinstance(cause, ssl.SSLError)]
    if refusals:
        # aiohttp's wrapper comes first and has no reason; the ssl module's error it wraps does.
        reason = next((r.reason for r in refusals if getattr(r, "reason", None)), type(refusals[0]).__name__)
        return (
            f"TLS handshake refused ({reason}); the engine may want a client certificate "
            "(CONTACT_LOOKUP_OPENSEARCH_CLIENT_CERT and _KEY) or speak plain HTTP"
        )
    for cause in causes:
        if isinstance(cause, ImproperlyConfigured):
            return f"engine client misconfigured: {cause}"
        if isinstance(cause, ConnectionTimeout):
            return "unreachable or too slow"
        if isinstance(cause, EngineConnectionError):
            return "unreachable"
    if isinstance(exc, TransportError) and isinstance(exc.status_code, int):
        return f"answered {exc.status_code} ({exc.error})"
    return f"failed ({type(exc).__name__})"


def is_access_problem(exc: BaseException) -> bool:
    """TLS or authentication, not a node down: retrying the same request will not help."""
    return any(
        isinstance(cause, ssl.SSLError | AuthenticationException | AuthorizationException) for cause in _causes(exc)
    )
