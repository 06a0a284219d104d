"""A patient's daily practice reminder: reading and changing the setting, following a change of
time zone, and what the admin overview says about reminder e-mails. The rules are in
`reminder_rules` (pure); sending is `reminder_delivery`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.notifications import reminder_rules as rules
from wellness.notifications.models import PracticeReminder, ReminderEmail
from wellness.notifications.outbox import recent_figures


@dataclass(frozen=True, slots=True)
class Reminder:
    enabled: bool
    minute: int  # local time of day, minutes after midnight
    weekdays: int  # bits, Monday the lowest (`reminder_rules.weekday_codes`)
    next_due_at: datetime | None  # UTC; None while off

    @property
    def time(self) -> str:
        return rules.format_time(self.minute)

    @property
    def days(self) -> tuple[str, ...]:
        return rules.weekday_codes(self.weekdays)

    def describe(self) -> str:
        return rules.describe(self.minute, self.weekdays)


OFF = Reminder(
    enabled=False, minute=rules.DEFAULT_MINUTE, weekdays=rules.EVERY_DAY, next_due_at=None
)


def _of(row: PracticeReminder | None) -> Reminder:
    if row is None:
        return OFF
    return Reminder(row.enabled, row.minute, row.weekdays, row.next_due_at)


async def reminder_of(patient_id: int) -> Reminder:
    """The patient's setting (off, at 09:00 every day, until they choose)."""
    return _of(await PracticeReminder.get_or_none(patient_id=patient_id))


async def set_reminder(
    patient: User, *, enabled: bool, minute: int, weekdays: int, now: datetime
) -> tuple[Reminder, bool]:
    """Store the patient's choice, due next at its first instant after `now` in their zone (a
    time already past today waits for the next chosen day); the setting, and whether it
    changed. Refuses a time or weekdays out of range with ValueError (callers check first)."""
    zone = patient.time_zone
    due = rules.next_due(minute, weekdays, zone, after=now) if enabled else None
    values: dict[str, Any] = {
        "enabled": enabled,
        "minute": minute,
        "weekdays": weekdays,
        "time_zone": zone,
        "next_due_at": due,
        "updated_at": now,
    }
    async with in_transaction():
        before = await PracticeReminder.select_for_update().get_or_none(patient_id=patient.id)
        if before is not None:
            await PracticeReminder.filter(id=before.id).update(**values)
        else:
            try:
                async with in_transaction():  # a savepoint: a twin request may create it first
                    await PracticeReminder.create(patient_id=patient.id, **values)
            except IntegrityError:
                await PracticeReminder.filter(patient_id=patient.id).update(**values)
    after = Reminder(enabled, minute, weekdays, due)
    old = _of(before)
    changed = (old.enabled, old.minute, old.weekdays) != (enabled, minute, weekdays)
    return after, changed


async def change_time_zone(user: User, time_zone: str, *, now: datetime) -> None:
    """The account's new zone (`accounts.change_time_zone`: AccountError naming `time_zone`),
    and their reminder moved with it, in one transaction: due next at its time in the new zone."""
    async with in_transaction():
        await accounts.change_time_zone(user, time_zone)
        moved = await User.get(id=user.id)
        row = await PracticeReminder.select_for_update().get_or_none(patient_id=user.id)
        if row is None or not row.enabled:
            return
        due = rules.next_due(row.minute, row.weekdays, moved.time_zone, after=now)
        await PracticeReminder.filter(id=row.id).update(
            time_zone=moved.time_zone, next_due_at=due, updated_at=now
        )


@dataclass(frozen=True, slots=True)
class ReminderFigures:
    """What the admin overview says about reminder e-mails in the last `FAILURES_SHOWN`."""

    sent: int
    failed: int
    last_error: str  # the class of the latest failure among those, "" without one
    patients_on: int  # patients whose reminder is on now


async def reminder_figures(*, now: datetime) -> ReminderFigures:
    recent = await recent_figures(ReminderEmail, now=now)
    return ReminderFigures(
        sent=recent.sent,
        failed=recent.failed,
        last_error=recent.last_error,
        patients_on=await PracticeReminder.filter(enabled=True).count(),
    )
