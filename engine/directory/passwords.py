"""Password hashes with scrypt (memory-hard), in a self-describing string."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
# scrypt needs about 128 * r * n bytes; OpenSSL's default limit (32 MiB) would refuse to check any
# hash made with a larger n than today's, so the limit is raised to leave room for stronger ones.
MAXMEM = 256 * 1024 * 1024


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(stored: str | None, password: str) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(
        password.encode("utf-8"),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=32,
        maxmem=MAXMEM,
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def new_password() -> str:
    return secrets.token_urlsafe(12)
