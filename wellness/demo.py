"""Demo data: accounts for every role. Demo accounts exist only in databases marked as demo."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.roles import Role
from wellness.system import services as system

DEMO_PASSWORD = "demo-wellness"  # noqa: S105  (documented; only ever set in demo databases)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    display_name: str
    role: Role
    time_zone: str


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.wellness", "Ada Admin", Role.ADMIN, "Europe/Berlin"),
    DemoAccount("coordinator@demo.wellness", "Cora Coordinator", Role.COORDINATOR, "Europe/Berlin"),
    DemoAccount("therapist@demo.wellness", "Theo Therapist", Role.THERAPIST, "Europe/Berlin"),
    DemoAccount("therapist2@demo.wellness", "Tamsin Therapist", Role.THERAPIST, "America/New_York"),
    DemoAccount("patient@demo.wellness", "Pat Patient", Role.PATIENT, "Europe/Berlin"),
    DemoAccount("patient2@demo.wellness", "Robin Patient", Role.PATIENT, "Europe/London"),
    DemoAccount("patient3@demo.wellness", "Sam Patient", Role.PATIENT, "America/New_York"),
    DemoAccount("patient4@demo.wellness", "Kai Patient", Role.PATIENT, "Asia/Tokyo"),
)


class NotADemoDatabase(RuntimeError):
    """The database holds real accounts; demo mode will not touch it."""


async def seed_demo() -> tuple[DemoAccount, ...]:
    """Reset a demo (or empty) database to fresh demo content."""
    if await system.holds_real_data():
        raise NotADemoDatabase(
            "This database holds accounts that demo mode did not create; refusing to replace them. "
            "Unset WELLNESS_DATABASE_URL to use the separate demo database."
        )
    await system.wipe_all_data()
    password_hash = await asyncio.to_thread(passwords.hash_password, DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        await accounts.create_user(
            email=account.email,
            display_name=account.display_name,
            role=account.role,
            time_zone=account.time_zone,
            password_hash=password_hash,
            is_demo=True,
        )
    await system.mark_as_demo()
    return DEMO_ACCOUNTS
