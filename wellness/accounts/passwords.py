"""Password policy and hashing (OWASP Password Storage Cheat Sheet, ASVS 6.2)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
# Long passphrases are welcome; the cap only stops megabyte "passwords" from costing CPU.
MAX_LENGTH = 1024

# Argon2id at the OWASP minimum: m=19 MiB, t=2, p=1. Raising these rehashes on next sign-in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Stored in place of a hash for an account invited by e-mail that has not chosen a password
# yet. No Argon2 hash starts with "!", so nothing ever verifies against it (as Django's
# unusable password).
UNUSABLE_PASSWORD = "!"  # noqa: S105  (a marker, not a password)


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Return why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters (a short phrase is easiest to remember)."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords():
        return "This password is one of the most common ones; choose something less guessable."
    personal = {email.lower(), email.split("@")[0].lower(), display_name.lower()} - {""}
    if lowered in personal:
        return "Don't use your e-mail address or name as your password."
    return None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def is_usable(password_hash: str) -> bool:
    """Whether the account has a password at all (an invited one has not chosen it yet)."""
    return password_hash != UNUSABLE_PASSWORD


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed. An account without a password refuses every one,
    after the same work as a wrong password (an invited address is not told apart by time)."""
    usable = is_usable(password_hash)
    try:
        matches = HASHER.verify(password_hash if usable else dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and usable


def needs_rehash(password_hash: str) -> bool:
    return is_usable(password_hash) and HASHER.check_needs_rehash(password_hash)


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against for unknown accounts, so both paths cost the same time."""
    return hash_password("no account has this password, it only spends the same time")
