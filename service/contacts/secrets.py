"""Access-token secrets (PINs, secret codes): salted scrypt hashes, and the bounds that keep hashing cheap.

scrypt is meant to be slow (about 45 ms of one core per secret), so an API that hashes on demand hands every
client a CPU lever. Three bounds take it away:

- only a secret that changes is hashed: one left out on PATCH keeps its stored hash, and one sent again unchanged
  is recognised (one verification) and keeps it too, so the stored hash stays byte for byte;
- at most `max_secrets_per_write` secrets are hashed or verified per request (a 422 beyond it);
- every hash runs in one bounded pool of `secret_hash_workers` threads, off the event loop, so however many
  writes arrive at once, hashing never takes more cores than that and searches keep theirs.
The per-token bound on concurrent writes (`WriteSlots`) keeps one client from filling that pool alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from service.errors import DomainError

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


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
