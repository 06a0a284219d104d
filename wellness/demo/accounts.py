"""The demo's accounts: one or two for every role and nine patients, in several time zones,
sharing one password.

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
    # More of the clinic, whose practice gives the library's usage page figures to show.
    DemoAccount("patient5@demo.wellness", "Alex Patient", Role.PATIENT, "Europe/Berlin"),
    DemoAccount("patient6@demo.wellness", "Jo Patient", Role.PATIENT, "Europe/Vienna"),
    DemoAccount("patient7@demo.wellness", "Mika Patient", Role.PATIENT, "Europe/Berlin"),
    DemoAccount("patient8@demo.wellness", "Noor Patient", Role.PATIENT, "America/Chicago"),
    DemoAccount("patient9@demo.wellness", "Lee Patient", Role.PATIENT, "Europe/London"),
)
COORDINATOR_EMAIL = "coordinator@demo.wellness"  # uploads and publishes the demo catalog
