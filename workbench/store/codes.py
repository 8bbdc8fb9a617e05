"""Reviewers' access codes (pure): make, normalise and hash them; only a salted scrypt hash is stored."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import unicodedata

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I: read aloud and typed without doubt
CODE_GROUPS, CODE_GROUP_LEN = 3, 4  # "7KQM-2XHD-R9TB"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # about 16 MiB and tens of milliseconds per check


def new_code() -> str:
    """A fresh random access code, three groups of four characters joined by dashes."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(chars[i:i + CODE_GROUP_LEN] for i in range(0, len(chars), CODE_GROUP_LEN))


def normalise_code(text: object) -> str | None:
    """A typed code as stored (upper case, no spaces or dashes), or None when it cannot be a code."""
    if not isinstance(text, str):
        return None
    code = re.sub(r"[\s\-_.·—–]+", "", unicodedata.normalize("NFKC", text)).upper()
    if len(code) != CODE_GROUPS * CODE_GROUP_LEN or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def code_id(code: str) -> str:
    """The code's first group: finds its row (the rest of the code is the secret)."""
    return (normalise_code(code) or "")[:CODE_GROUP_LEN]


def hash_code(code: str, salt: bytes | None = None) -> str:
    """A salted scrypt hash of a normalised code, with its parameters: scrypt$n$r$p$salt$digest."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(code.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_code(code: str, stored: str) -> bool:
    """Whether `code` (normalised) is the one hashed in `stored`, compared in constant time."""
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(code.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except ValueError:
        return False
    return algo == "scrypt" and hmac.compare_digest(got.hex(), digest)


@functools.cache
def _dummy_hash() -> str:
    return hash_code("2" * CODE_GROUPS * CODE_GROUP_LEN)


