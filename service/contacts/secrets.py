"""Access-token secrets (PINs, secret codes): salted scrypt hashes, and the bounds that keep hashing cheap.

scrypt is meant to be slow (about 45 ms of one core per secret), so an API that hashes on demand hands every
client a CPU lever. Three bounds take it away:

- only a secret that changes is hashed: one left out on PATCH keeps its stored hash, and one sent again unchanged
  is recognised (one verification) and keeps it too, so the stored hash stays byte for byte;
- at most `max_secrets_per_write` secrets are hashed or verified per request (a 422 beyond it);
- every hash runs in one bounded pool of `secret_hash_workers` threads, off the event loop, so however many
  writes arrive at once, hashing never takes more cores than that and searches keep theirs.
The per-token bound on concurrent writes (`WriteSlots`) keeps one client from filling that pool alone.

Everything about secrets lives here: the scheme, the length rule, which secrets of a write get hashed
(`secret_hashes`), the pool and the slots. The contact service only stores the hashes it is given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from service.errors import DomainError, Unavailable
from service.writes import FieldError, invalid

if TYPE_CHECKING:
    from service.contacts.schemas import AccessTokenIn, ARAccountIn
    from service.models import AccessToken

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SECRET_LENGTH = (4, 128)
# The hash each token's secret gets, by token identifier.
SecretHashes = dict[str, str]


def hash_secret(secret: str) -> str:
    """Salted scrypt, self-describing (`scrypt$n$r$p$salt$hash`), so the cost can be raised later."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **_SCRYPT)
    encoded = (base64.b64encode(part).decode() for part in (salt, digest))
    return "$".join(("scrypt", str(_SCRYPT["n"]), str(_SCRYPT["r"]), str(_SCRYPT["p"]), *encoded))


def verify_secret(secret: str, stored: str) -> bool:
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        secret.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
    )
    return hmac.compare_digest(actual, expected)


class SecretHasher:
    """One bounded pool for every hash and verification of a process (hashlib.scrypt releases the GIL)."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="secret-hash")

    def hash(self, secret: str) -> str:
        return self._pool.submit(hash_secret, secret).result()

    def verify(self, secret: str, stored: str) -> bool:
        return self._pool.submit(verify_secret, secret, stored).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def length_errors(tokens: Sequence[AccessTokenIn] | None) -> list[FieldError]:
    """Secrets of the wrong length, by where they are (the value is never echoed)."""
    low, high = SECRET_LENGTH
    return [
        (("access_tokens", index, "secret"), f"must be {low} to {high} characters long")
        for index, token in enumerate(tokens or [])
        if token.secret is not None and not low <= len(token.secret.get_secret_value()) <= high
    ]


def secret_hashes(
    tokens: Sequence[AccessTokenIn] | None,
    stored: Sequence[AccessToken],
    *,
    limit: int,
    hasher: SecretHasher | None = None,
) -> SecretHashes:
    """The hash each token's secret gets, by identifier: only secrets sent are hashed.

    A secret sent again unchanged keeps its stored hash (one verification instead of a new salt), so the row
    does not change; more than `limit` secrets sent is a 422 before any hashing. Without a `hasher` (the API's
    pool), hashing runs in the caller's thread.
    """
    sent = [t for t in tokens or [] if "secret" in t.model_fields_set and t.secret is not None]
    if len(sent) > limit:
        raise invalid(
            [(("access_tokens",), f"at most {limit} secrets can be set in one request; {len(sent)} were sent")]
        )
    hash_one = hasher.hash if hasher is not None else hash_secret
    verify = hasher.verify if hasher is not None else verify_secret
    hashes: SecretHashes = {}
    old = {row.identifier: row.secret_hash for row in stored}
    for token in sent:
        secret = token.secret.get_secret_value() if token.secret is not None else ""
        kept = old.get(token.identifier)
        hashes[token.identifier] = kept if kept is not None and verify(secret, kept) else hash_one(secret)
    return hashes


class TooManyWrites(DomainError):
    """One token has `limit` writes in flight already; the next waits for one of them."""

    status_code = 429

    def __init__(self, limit: int, retry_after_s: int = 1) -> None:
        super().__init__(
            f"this token already has {limit} contact writes in progress (the limit); retry in {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )


class WriteSlots:
    """At most `limit` contact writes in flight per token (principal id), so one client cannot take the cores."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._in_flight: Counter[int] = Counter()

    @contextmanager
    def hold(self, principal_id: int) -> Iterator[None]:
        with self._lock:
            if self._in_flight[principal_id] >= self._limit:
                raise TooManyWrites(self._limit)
            self._in_flight[principal_id] += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[principal_id] -= 1
                if self._in_flight[principal_id] <= 0:
                    del self._in_flight[principal_id]


NO_VOUCHER_KEY = "CONTACT_LOOKUP_VOUCHER_SECRET_KEYS is not set"
_NO_KEY_OPENS = "this voucher secret code was encrypted under a key no longer in CONTACT_LOOKUP_VOUCHER_SECRET_KEYS"
VOUCHER_SECRET_LENGTH = (1, 128)
# The stored ciphertext of each voucher secret sent, by (account number, voucher number); None removes it.
VoucherSecrets = dict[tuple[str, str], str | None]


def voucher_length_errors(accounts: Sequence[ARAccountIn] | None) -> list[FieldError]:
    """Voucher secret codes of the wrong length, by where they are (the value is never echoed)."""
    low, high = VOUCHER_SECRET_LENGTH
    return [
        (("ar_accounts", index, "vouchers", position, "secret"), f"must be {low} to {high} characters long")
        for index, account in enumerate(accounts or [])
        for position, voucher in enumerate(account.vouchers or [])
        if voucher.secret is not None and not low <= len(voucher.secret.get_secret_value()) <= high
    ]


def voucher_secrets(accounts: Sequence[ARAccountIn] | None, cipher: VoucherCipher) -> VoucherSecrets:
    """The ciphertext of every voucher secret sent, before anything changes: without a key, a write carrying
    a code is a 503 naming the setting, and a write carrying none needs no key."""
    return {
        (account.number, voucher.number): None
        if voucher.secret is None
        else cipher.encrypt(voucher.secret.get_secret_value())
        for account in accounts or []
        for voucher in account.vouchers or []
        if "secret" in voucher.model_fields_set
    }


class VoucherCipher:
    """Voucher secret codes, encrypted (agents must read them back, so never hashed) with Fernet.

    MultiFernet over the configured keys: the first encrypts, every one decrypts, so a new key is put first and
    the stored codes are re-encrypted under it (`rotate`) before the old key is dropped. Without a key, storing
    or reading a code is a 503 naming the missing setting: the request is right, the deployment is not.
    """

    def __init__(self, keys: SecretStr) -> None:
        listed = [Fernet(k.strip().encode()) for k in keys.get_secret_value().split(",") if k.strip()]
        self._first = listed[0] if listed else None
        self._fernet = MultiFernet(listed) if listed else None

    @property
    def ready(self) -> bool:
        """Whether a key is set (without one, a bulk import leaves codes to the line-by-line path's 503)."""
        return self._fernet is not None

    def _require(self, doing: str) -> MultiFernet:
        if self._fernet is None:
            raise Unavailable(f"voucher secret codes cannot be {doing}: {NO_VOUCHER_KEY}")
        return self._fernet

    def encrypt(self, secret: str) -> str:
        return self._require("stored").encrypt(secret.encode()).decode()

    def decrypt(self, stored: str) -> str:
        try:
            return self._require("read").decrypt(stored.encode()).decode()
        except InvalidToken as exc:
            raise Unavailable(_NO_KEY_OPENS) from exc

    def is_current(self, stored: str) -> bool:
        """Whether the first key (the one that encrypts) opens it: such a code needs no rotation."""
        self._require("re-encrypted")
        assert self._first is not None
        try:
            self._first.decrypt(stored.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, stored: str) -> str:
        """The same code under the first key (MultiFernet.rotate keeps the original timestamp)."""
        try:
            return self._require("re-encrypted").rotate(stored.encode()).decode()
        except InvalidToken as exc:
            raise Unavailable(_NO_KEY_OPENS) from exc
