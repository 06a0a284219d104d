"""Idempotent writes: a retry with the same Idempotency-Key gets the first answer, once.

The write and the stored answer commit in one transaction. Two copies of one request racing
each other both run the write, but only one can insert the (user, key) row; the other's
transaction rolls back whole, and it answers with the stored result instead.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wellness.lib.validation import FieldError
from wellness.system.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
_KEY_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_.:")
KEEP_FOR = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: bytes
    replayed: bool = False


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not set(key) <= _KEY_CHARACTERS:
        raise FieldError(
            HEADER, f"Use 1-{MAX_KEY_LENGTH} letters, digits or - _ . : (a UUID is ideal)."
        )
    return key


def fingerprint(method: str, path: str, payload: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), payload])).hexdigest()


async def _stored(user_id: int, key: str, print_: str) -> Answer | None:
    row = await IdempotentRequest.get_or_none(user_id=user_id, key=key)
    if row is None:
        return None
    if row.fingerprint != print_:
        raise FieldError(HEADER, "This key was already used for a different request.")
    return Answer(row.status_code, bytes(row.body), replayed=True)


async def answer_once(
    user_id: int,
    key: str,
    print_: str,
    write: Callable[[], Awaitable[tuple[int, bytes]]],
    *,
    now: datetime,
) -> Answer:
    stored = await _stored(user_id, key, print_)
    if stored is not None:
        return stored
    try:
        async with in_transaction():
            status_code, body = await write()
            await IdempotentRequest.create(
                user_id=user_id,
                key=key,
                fingerprint=print_,
                status_code=status_code,
                body=body,
                created_at=now,
            )
    except IntegrityError:
        stored = await _stored(user_id, key, print_)
        if stored is None:
            raise
        return stored
    return Answer(status_code, body)


async def forget_old(*, now: datetime) -> int:
    """Drop answers older than a retry could plausibly come (the sweeper calls this)."""
    return await IdempotentRequest.filter(created_at__lt=now - KEEP_FOR).delete()
