"""What the app holds for its lifetime, typed, built once in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from opensearchpy import AsyncOpenSearch
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from search_definitions.active import ActiveDefinition
from service.audit.background import AuditQueue
from service.auth.failures import FailedAuthentications
from service.auth.last_used import LastUsed
from service.auth.oidc import OidcVerifier
from service.auth.principals import KnownPrincipals
from service.opensearch.gateway import SearchGateway
from service.ratelimit import RateLimiter
from service.settings import Settings


@dataclass(slots=True)
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    opensearch: AsyncOpenSearch
    gateway: SearchGateway
    definitions: ActiveDefinition
    principals: KnownPrincipals
    limiter: RateLimiter
    audit: AuditQueue
    failures: FailedAuthentications
    last_used: LastUsed
    oidc: OidcVerifier | None = None
