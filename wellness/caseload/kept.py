"""What the caseload services keep between requests, per process and per database connection,
each value under a key that holds everything it depends on.

The care-data change token (instance_flags['care_version'], migration 0011) gets a new random
value with every write to what a therapist's caseload shows, whoever writes: any worker, any
host, the `wellness` command. Values kept under an older token are never served again.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from tortoise import connections

from wellness.db import change_token

CARE_TOKEN = "care_version"  # noqa: S105  (an instance_flags row, not a secret)
MAX_CACHED = 50_000  # values per cache and connection; emptied when full
V = TypeVar("V")


class KeyedCache(Generic[V]):
    """Values by id (a patient's or a therapist's), each with the key it was computed under,
    per database connection (a test's fresh database never sees another one's values)."""

    def __init__(self) -> None:
        self._by_connection: weakref.WeakKeyDictionary[Any, dict[int, tuple[Hashable, V]]] = (
            weakref.WeakKeyDictionary()
        )

    def _entries(self) -> dict[int, tuple[Hashable, V]]:
        connection = connections.get("default")
        entries = self._by_connection.get(connection)
        if entries is None:
            entries = self._by_connection[connection] = {}
        return entries

    def split(self, keys: dict[int, Hashable]) -> tuple[dict[int, V], list[int]]:
        """(the values still valid under `keys`, the ids to compute again)."""
        entries, found, stale = self._entries(), {}, []
        for patient_id, key in keys.items():
            cached = entries.get(patient_id)
            if cached is not None and cached[0] == key:
                found[patient_id] = cached[1]
            else:
                stale.append(patient_id)
        return found, stale

    def store(self, keys: dict[int, Hashable], values: dict[int, V]) -> None:
        entries = self._entries()
        if len(entries) + len(values) > MAX_CACHED:
            entries.clear()
        for patient_id, value in values.items():
            entries[patient_id] = (keys[patient_id], value)


async def care_token() -> str | None:
    """The clinic's care-data change token; None when the row is missing (keep nothing then)."""
    return await change_token(CARE_TOKEN)
