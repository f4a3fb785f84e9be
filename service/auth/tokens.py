"""Bearer tokens: random, shown once, stored only as a SHA-256 digest.

They carry 256 random bits, so a fast digest is enough; a slow password hash would only slow every request.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
