"""Password hashing (argon2id) and opaque token secrets."""
import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
TOKEN_PREFIX = "ovmi_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nothing(password: str) -> None:
    """The work of one password check, when there is no hash worth checking (an unknown user, a
    paused address), so that refusals all take the same time."""
    verify_password(_dummy_hash(_hasher), password)


@lru_cache(maxsize=2)
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Made by the hasher in use, so it costs what the users' own hashes cost.
    return hasher.hash("not-a-real-password")


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    # Tokens are 256-bit random, so a fast hash is enough; no need for a slow KDF.
    return hashlib.sha256(secret.encode()).hexdigest()
