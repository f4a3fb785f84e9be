"""Access tokens of an OpenID Connect provider, against a provider of the test's own: a discovery document and a
JWKS served over real HTTP on loopback, tokens signed locally with its keys. Proves the checks (signature,
issuer, audience, lifetime, algorithm), the claim mapping (string and list roles, dotted paths, the unit), and that
the keys are fetched once, again for a new `kid`, and never for each token."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from service.auth.oidc import ClaimMapping, OidcVerifier, principal_from_claims
from service.errors import Forbidden, Unauthorized
from service.models.enums import UserRole

AUDIENCE = "contact-lookup-api"


class Provider:
    """Discovery and JWKS on a loopback port; `keys` can change (a rotation), `jwks_fetches` counts."""

    def __init__(self):
        self.keys = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        self.jwks_fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": provider.issuer, "jwks_uri": f"{provider.issuer}/jwks"}
                elif self.path == "/jwks":
                    provider.jwks_fetches += 1
                    body = {"keys": [provider.jwk(kid, key) for kid, key in provider.keys.items()]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def jwk(kid, key):
        algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
        entry = json.loads(algorithm.to_jwk(key.public_key()))
        return {**entry, "kid": kid, "use": "sig"}

    def token(self, kid="k1", alg="RS256", key=None, **claims):
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "3f1c-sub",
            "iat": now,
            "exp": now + 300,
            "preferred_username": "ana",
            "roles": ["agent"],
            "business_unit": "bu01",
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, key or self.keys[kid], algorithm=alg, headers={"kid": kid})

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    provider = Provider()
    yield provider
    provider.close()


def verifier(provider, **options):
    return OidcVerifier(
        issuer=provider.issuer,
        audience=AUDIENCE,
        algorithms=["RS256", "ES256"],
        mapping=options.pop("mapping", ClaimMapping()),
        **options,
    )


async def test_a_valid_token_names_the_caller_its_role_and_unit_and_the_keys_are_fetched_once(provider):
    check = verifier(provider)
    for _ in range(5):
        principal = await check.principal(provider.token())
    assert (principal.name, principal.role, principal.business_unit) == ("ana", UserRole.AGENT, "BU01")
    assert principal.subject == "3f1c-sub" and principal.key == "oidc:3f1c-sub"
    assert provider.jwks_fetches == 1
    await check.close()


async def test_a_new_kid_after_a_rotation_is_fetched_once_and_made_up_kids_do_not_refetch_each_time(provider):
    check = verifier(provider, min_refetch_s=60)
    await check.principal(provider.token())
    provider.keys["k2"] = ec.generate_private_key(ec.SECP256R1())
    for _ in range(3):
        assert (await check.principal(provider.token(kid="k2", alg="ES256"))).name == "ana"
    assert provider.jwks_fetches == 2
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for _ in range(5):
        with pytest.raises(Unauthorized, match="key the provider does not publish"):
            await check.principal(provider.token(kid="k9", key=stranger))
    assert provider.jwks_fetches == 2
    await check.close()


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        # Times are read when the test runs, not when the suite is collected (a long run would make them stale).
        (lambda: {"exp": int(time.time()) - 120}, "expired"),
        (lambda: {"aud": "another-api"}, "another audience"),
        (lambda: {"iss": "http://127.0.0.1:1/realms/other"}, "another issuer"),
        (lambda: {"nbf": int(time.time()) + 600}, "not valid"),
        (lambda: {"sub": None}, "not valid"),
    ],
)
async def test_a_token_outside_its_lifetime_audience_or_issuer_is_a_401(provider, claims, message):
    check = verifier(provider)
    with pytest.raises(Unauthorized, match=message):
        await check.principal(provider.token(**claims()))
    await check.close()


async def test_a_token_just_past_its_expiry_passes_within_the_leeway(provider):
    check = verifier(provider, leeway_s=30)
    assert (await check.principal(provider.token(exp=int(time.time()) - 5))).name == "ana"
    await check.close()


async def test_a_tampered_token_another_keys_signature_none_and_hmac_are_each_a_401(provider):
    check = verifier(provider)
    header, _payload, signature = provider.token().split(".")
    admin = jwt.utils.base64url_encode(json.dumps({**jwt.decode(provider.token(), options={"verify_signature": False}),
                                                    "roles": ["admin"]}).encode()).decode()  # fmt: skip
    with pytest.raises(Unauthorized, match="not valid"):
        await check.principal(f"{header}.{admin}.{signature}")
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthorized, match="not valid"):
        await check.principal(provider.token(key=impostor))
    unsigned = jwt.encode(jwt.decode(provider.token(), options={"verify_signature": False}), None, algorithm="none")
    with pytest.raises(Unauthorized, match="'none'"):
        await check.principal(unsigned)
    public_pem = (
        provider.keys["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = ".".join(
        jwt.utils.base64url_encode(json.dumps(part).encode()).decode()
        for part in ({"alg": "HS256", "kid": "k1"}, jwt.decode(provider.token(), options={"verify_signature": False}))
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()  # the classic key confusion
    forged = f"{signing_input}.{jwt.utils.base64url_encode(mac).decode()}"
    with pytest.raises(Unauthorized, match="'HS256'"):
        await check.principal(forged)
    with pytest.raises(Unauthorized, match="not a valid JWT"):
        await check.principal("a.b.c")
    await check.close()


def test_hmac_and_none_cannot_even_be_configured():
    for algorithms in (["HS256"], ["none"], ["RS256", "HS512"]):
        with pytest.raises(ValueError, match="not allowed"):
            OidcVerifier(issuer="http://x", audience="a", algorithms=algorithms, mapping=ClaimMapping())


def claims(**extra):
    return {"sub": "s-1", "preferred_username": "ana", **extra}


def test_roles_may_be_a_string_or_a_list_and_admin_wins_over_agent():
    mapping = ClaimMapping()
    assert principal_from_claims(claims(roles="agent", business_unit="BU02"), mapping).role is UserRole.AGENT
    assert principal_from_claims(claims(roles=["viewer", "agent", "admin"]), mapping).role is UserRole.ADMIN


def test_a_dotted_role_claim_reads_keycloaks_realm_access_roles_and_renamed_roles_are_honoured():
    mapping = ClaimMapping(role_claim="realm_access.roles", agent_role="cs-agent", admin_role="cs-admin")
    found = principal_from_claims(claims(realm_access={"roles": ["offline_access", "cs-admin"]}), mapping)
    assert found.role is UserRole.ADMIN and found.business_unit is None
    literal = ClaimMapping(role_claim="https://example.test/roles")
    assert principal_from_claims(claims(**{"https://example.test/roles": ["admin"]}), literal).is_admin


def test_a_token_with_neither_role_is_a_403_naming_the_claim():
    mapping = ClaimMapping(role_claim="realm_access.roles")
    with pytest.raises(Forbidden, match=r"role claim 'realm_access.roles' is missing"):
        principal_from_claims(claims(business_unit="BU01"), mapping)
    with pytest.raises(Forbidden, match=r"'realm_access.roles' holds neither 'agent' nor 'admin'"):
        principal_from_claims(claims(realm_access={"roles": ["offline_access"]}, business_unit="BU01"), mapping)


def test_the_business_unit_comes_from_its_claim_and_an_agent_without_one_is_a_403():
    mapping = ClaimMapping(business_unit_claim="org.unit")
    assert principal_from_claims(claims(roles="agent", org={"unit": ["bu07"]}), mapping).business_unit == "BU07"
    with pytest.raises(Forbidden, match=r"no business unit claim 'org\.unit'"):
        principal_from_claims(claims(roles="agent"), mapping)
    with pytest.raises(Forbidden, match="no business unit"):
        principal_from_claims(claims(roles="agent", org={"unit": "BU 7"}), mapping)
    assert principal_from_claims(claims(roles="admin"), mapping).business_unit is None
    lenient = ClaimMapping(agents_need_business_unit=False)
    assert principal_from_claims(claims(roles="agent"), lenient).business_unit is None


def test_the_audit_name_is_preferred_username_else_sub():
    assert principal_from_claims({"sub": "s-1", "roles": "admin"}, ClaimMapping()).name == "s-1"
    assert principal_from_claims(claims(roles="admin"), ClaimMapping()).name == "ana"
