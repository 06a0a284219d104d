"""Telling a full disk from other failures. Pure: stdlib only."""

from __future__ import annotations

import errno
import sqlite3

# No space left, or the user's quota spent: nothing more can be written until someone frees room.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_storage_full(error: BaseException) -> bool:
    """Whether `error`, or one it was raised from or while handling, says the disk is full: an
    `OSError` (a media file being written) or SQLite's SQLITE_FULL, which the ORM wraps in its
    own error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return True
        if isinstance(current, sqlite3.OperationalError) and _is_sqlite_full(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _is_sqlite_full(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == sqlite3.SQLITE_FULL)  # extended codes keep the primary below
    return "database or disk is full" in str(error)
