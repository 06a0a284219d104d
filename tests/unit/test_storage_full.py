"""Telling a full disk from other failures, however the error arrives wrapped."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from tortoise.exceptions import OperationalError

from tests.chained_errors import raised_from, raised_while_handling
from wellness.lib.storage_full import is_storage_full


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        sqlite3.OperationalError("database or disk is full"),
        raised_from(
            OperationalError("database or disk is full"),
            sqlite3.OperationalError("database or disk is full"),
        ),
        raised_while_handling(RuntimeError("cleanup failed"), OSError(errno.ENOSPC, "full")),
    ],
    ids=["enospc", "edquot", "sqlite", "tortoise-from-sqlite", "while-handling"],
)
def test_it_knows_a_full_disk(error: Exception) -> None:
    assert is_storage_full(error)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EACCES, "Permission denied"),
        OSError("no errno"),
        sqlite3.OperationalError("no such table: users"),
        OperationalError("database or disk is full"),  # the words alone, from no SQLite error
        ValueError("full"),
    ],
    ids=["eacces", "no-errno", "sqlite-other", "words-only", "value-error"],
)
def test_it_does_not_take_other_failures_for_a_full_disk(error: Exception) -> None:
    assert not is_storage_full(error)


def test_a_cycle_of_contexts_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first

    assert not is_storage_full(first)


def test_sqlites_extended_full_code_counts() -> None:
    error = sqlite3.OperationalError("disk I/O")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL | (1 << 8)

    assert is_storage_full(error)
