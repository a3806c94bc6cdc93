"""Password hashing (argon2id) and the password policy."""
import base64
import os
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 1000  # long passphrases welcome; only a guard against hashing megabytes

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def _unmatchable_hash() -> str:
    """An argon2id hash in the hasher's own parameters, of random salt and digest that no password gives: verifying
    against it costs what verifying a real account's hash costs, and nothing is hashed at start-up to make it."""
    def b64(size: int) -> str:
        return base64.b64encode(os.urandom(size)).decode().rstrip("=")
    h = _hasher
    return f"$argon2id$v=19$m={h.memory_cost},t={h.time_cost},p={h.parallelism}${b64(h.salt_len)}${b64(h.hash_len)}"


# Verified when the email is unknown, so that the answer takes as long as for a real account.
DUMMY_HASH = _unmatchable_hash()


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    text = resources.files("hrsn").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


def problem(password: str | None) -> str | None:
    """What is wrong with a new password, in the user's language, or None."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    if password.casefold() in _common() or len(set(password)) < 3:
        return _("This password is too common. Choose a less predictable one, such as a few unrelated words.")
    return None
