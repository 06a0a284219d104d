"""The care-data change token, under which the caseload services keep values between requests
(`wellness.db.KeyedCache`).

The care-data change token (instance_flags['care_version'], migration 0011) gets a new random
value with every write to what a therapist's caseload shows, whoever writes: any worker, any
host, the `wellness` command. Values kept under an older token are never served again.
"""

from __future__ import annotations

from wellness.db import (
    CARE_TOKEN,
    CATALOG_TOKEN,
    MAX_CACHED,
    KeyedCache,
    change_token,
    change_tokens,
)

__all__ = ["CARE_TOKEN", "MAX_CACHED", "KeyedCache", "care_and_catalog_tokens", "care_token"]


async def care_token() -> str | None:
    """The clinic's care-data change token; None when the row is missing (keep nothing then)."""
    return await change_token(CARE_TOKEN)


async def care_and_catalog_tokens() -> tuple[str | None, str | None]:
    """The care-data and the catalog's change tokens, read in one statement."""
    care, catalog = await change_tokens(CARE_TOKEN, CATALOG_TOKEN)
    return care, catalog
