"""Access tokens of an OpenID Connect provider: signature, issuer, audience and lifetime, then role and unit.

The keys come from the issuer's discovery document and its JWKS, fetched with an async client (the event loop
never waits on the provider) and kept: a token whose `kid` is unknown triggers one refetch (the provider rotated
its keys), shared by every request that needs it and at most once per `min_refetch_s`, so tokens with made-up
`kid`s cannot turn into a fetch each. The JOSE work (parsing keys, checking signatures and claims) is PyJWT's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt

from service.auth.service import Principal, Refused
from service.errors import Forbidden, Unavailable
from service.models.enums import UserRole
from service.settings import Settings

# Asymmetric algorithms only: `none` and the HMAC family (whose "key" would be the provider's public key) never.
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
FETCH_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class ClaimMapping:
    role_claim: str = "roles"
    agent_role: str = "agent"
    admin_role: str = "admin"
    business_unit_claim: str = "business_unit"
    agents_need_business_unit: bool = True


class InvalidToken(Refused):
    """A token of the provider that does not pass."""


class OidcVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        algorithms: Sequence[str],
        mapping: ClaimMapping,
        leeway_s: float = 30.0,
        keys_max_age_s: float = 3600.0,
        min_refetch_s: float = 10.0,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        unsafe = set(algorithms) - ASYMMETRIC
        if unsafe:
            raise ValueError(f"algorithms {sorted(unsafe)} are not allowed; use {sorted(ASYMMETRIC)}")
        self.issuer = issuer.rstrip("/")
        self._audience = audience
        self._algorithms = list(algorithms)
        self._mapping = mapping
        self._leeway_s = leeway_s
        self._keys_max_age_s = keys_max_age_s
        self._min_refetch_s = min_refetch_s
        self._client = client or httpx.AsyncClient(timeout=FETCH_TIMEOUT_S)
        self._clock = clock
        self._lock = asyncio.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._refetched_at: float | None = None
        self._discovery: dict[str, Any] | None = None
        self.fetches = 0

    async def close(self) -> None:
        await self._client.aclose()

    async def discovery(self) -> dict[str, Any]:
        """The provider's discovery document, fetched once (its issuer must be the configured one)."""
        if self._discovery is None:
            document = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            if str(document.get("issuer", "")).rstrip("/") != self.issuer or "jwks_uri" not in document:
                raise Unavailable(f"the identity provider at {self.issuer} published no matching discovery document")
            self._discovery = document
        return self._discovery

    async def principal(self, token: str) -> Principal:
        """The caller this access token names: 401 for any token that does not pass, 403 for one without a role."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("the bearer token is not a valid JWT", "malformed") from exc
        alg = header.get("alg")
        if alg not in self._algorithms:
            raise InvalidToken(f"tokens signed with {alg!r} are not accepted", "algorithm")
        try:  # a token of another issuer is refused before any key is looked for (it cannot cause a fetch)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise InvalidToken("the bearer token is not a valid JWT", "malformed") from exc
        if str(unverified.get("iss", "")).rstrip("/") != self.issuer:
            raise InvalidToken("the access token comes from another issuer", "issuer")
        key = await self._key(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self.issuer,
                leeway=self._leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the access token has expired; sign in again", "expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("the access token is meant for another audience", "audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("the access token comes from another issuer", "issuer") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the access token is not valid: {exc}", "invalid") from exc
        return principal_from_claims(claims, self._mapping)

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        key = self._known(kid)
        if key is not None and not self._stale():
            return key
        async with self._lock:  # one fetch for every request waiting on it
            key = self._known(kid)
            if self._stale():
                await self._refresh()
            elif key is None and not self._refetched_recently():
                self._refetched_at = self._clock()
                await self._refresh()
            key = self._known(kid)
        if key is None:
            raise InvalidToken("the access token was signed with a key the provider does not publish", "key")
        return key

    def _refetched_recently(self) -> bool:
        """An unknown `kid` refetches the keys at most once per `min_refetch_s`: a rotation is seen at once, a
        stream of made-up `kid`s costs one fetch per period (a rotation right after one waits that long)."""
        return self._refetched_at is not None and self._clock() - self._refetched_at < self._min_refetch_s

    def _known(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:  # a provider with a single key may leave `kid` out
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._keys_max_age_s

    async def _refresh(self) -> None:
        discovery = await self.discovery()
        document = await self._get_json(str(discovery["jwks_uri"]))
        self.fetches += 1
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            if entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK.from_dict(entry)
            except jwt.PyJWTError:
                continue  # a key type or algorithm PyJWT cannot verify with: never a signing key of ours
            keys[key.key_id or ""] = key
        self._keys = keys
        self._fetched_at = self._clock()

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self._client.get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Unavailable(f"the identity provider is unavailable ({url}); retry shortly") from exc
        if not isinstance(document, dict):
            raise Unavailable(f"the identity provider answered {url} with no JSON object")
        return document


def claim(claims: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (`realm_access.roles`); a claim whose own name holds a dot is found as well."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def principal_from_claims(claims: dict[str, Any], mapping: ClaimMapping) -> Principal:
    roles = claim(claims, mapping.role_claim)
    values = {roles} if isinstance(roles, str) else {str(r) for r in roles} if isinstance(roles, list) else set()
    if mapping.admin_role in values:
        role = UserRole.ADMIN
    elif mapping.agent_role in values:
        role = UserRole.AGENT
    else:
        found = "is missing" if roles is None else f"holds neither {mapping.agent_role!r} nor {mapping.admin_role!r}"
        raise Forbidden(f"the access token's role claim {mapping.role_claim!r} {found}")
    business_unit = _business_unit(claims, mapping, role)
    name = claims.get("preferred_username") or claims["sub"]
    exp = claims.get("exp")
    return Principal(
        id=0,
        name=str(name)[:64],
        role=role,
        business_unit=business_unit,
        expires_at=datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None,
        subject=str(claims["sub"]),
    )


def _business_unit(claims: dict[str, Any], mapping: ClaimMapping, role: UserRole) -> str | None:
    from service.types import check_business_unit

    value = claim(claims, mapping.business_unit_claim)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None or value == "":
        if role is UserRole.AGENT and mapping.agents_need_business_unit:
            raise Forbidden(f"the access token of an agent has no business unit claim {mapping.business_unit_claim!r}")
        return None
    if not isinstance(value, str):
        raise Forbidden(f"the business unit claim {mapping.business_unit_claim!r} must hold one unit")
    try:
        return check_business_unit(value)
    except ValueError as exc:
        raise Forbidden(f"the business unit claim {mapping.business_unit_claim!r}: {exc}") from exc


def build_verifier(settings: Settings) -> OidcVerifier | None:
    """The verifier the settings ask for; None while no issuer is configured (API tokens only)."""
    if not settings.oidc_issuer:
        return None
    return OidcVerifier(
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        algorithms=settings.oidc_algorithms,
        mapping=ClaimMapping(
            role_claim=settings.oidc_role_claim,
            agent_role=settings.oidc_agent_role,
            admin_role=settings.oidc_admin_role,
            business_unit_claim=settings.oidc_business_unit_claim,
            agents_need_business_unit=settings.oidc_agents_need_business_unit,
        ),
        leeway_s=settings.oidc_leeway_s,
        keys_max_age_s=settings.oidc_keys_max_age_s,
    )
