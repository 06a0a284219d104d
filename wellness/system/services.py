from __future__ import annotations

from tortoise import connections

from wellness.accounts.models import User
from wellness.system.models import InstanceFlag

DEMO_FLAG = "demo"


async def database_is_reachable() -> bool:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any driver error means "not reachable" to a health check
        return False
    return True


async def is_demo_database() -> bool:
    return await InstanceFlag.filter(key=DEMO_FLAG, value="true").exists()


async def holds_real_data() -> bool:
    """True when the database has accounts that were not created by the demo seeder."""
    return await User.filter(is_demo=False).exists()


async def mark_as_demo() -> None:
    await InstanceFlag.update_or_create(key=DEMO_FLAG, defaults={"value": "true"})
