"""Bearer tokens: random, shown once, stored only as a SHA-256 digest.

They carry 256 random bits, so a fast digest is enough; a slow password hash would only slow every request.
Every token this product issues has one shape (43 URL-safe characters), so a header that has another shape is
refused before any database query.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
PREFIX_LENGTH = 8


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_api_token(token: str) -> bool:
    """True when `token` could have been issued by `new_token` (no I/O; a JWT has dots, so it never is)."""
    return TOKEN_SHAPE.fullmatch(token) is not None


def token_prefix(token: str) -> str:
    """What a failed attempt is counted under besides its address: enough to tell guesses at one token apart."""
    return token[:PREFIX_LENGTH]
