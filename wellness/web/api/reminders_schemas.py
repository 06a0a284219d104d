"""What the practice reminder API accepts and answers. Unknown input fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from wellness.notifications.reminder_rules import Weekday
from wellness.notifications.reminders import Reminder
from wellness.web.strict_json import StrictBody

TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ReminderIn(StrictBody):
    """The whole setting (PUT replaces it)."""

    enabled: bool
    # The local time of day, 24-hour HH:MM, in the patient's own time zone.
    time: Annotated[str, msgspec.Meta(pattern=TIME_OF_DAY, examples=["18:30"])]
    # At least one day; each at most once.
    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]


class ReminderOut(msgspec.Struct):
    # False: the clinic has not set up e-mail, so reminders cannot be sent or changed here.
    available: bool
    enabled: bool
    time: str  # HH:MM, local
    weekdays: list[str]  # mon ... sun
    time_zone: str  # the patient's zone, which `time` is in
    next_due_at: datetime | None  # UTC; null while off
    message: str  # why it is not available, else ""

    @classmethod
    def of(
        cls, reminder: Reminder, *, time_zone: str, available: bool, message: str
    ) -> ReminderOut:
        return cls(
            available=available,
            enabled=reminder.enabled,
            time=reminder.time,
            weekdays=list(reminder.days),
            time_zone=time_zone,
            next_due_at=reminder.next_due_at,
            message=message,
        )
