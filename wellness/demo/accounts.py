"""The demo's accounts: one or two for every role, in several time zones, sharing one password.

They exist only in databases marked as demo; the sign-in page lists them in demo mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from wellness.accounts.roles import Role

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
COORDINATOR_EMAIL = "coordinator@demo.wellness"  # uploads and publishes the demo catalog
