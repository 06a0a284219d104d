"""What the account page and the API share about a patient's practice reminder: whether the
clinic can send them at all, reading the form, and storing a choice with its audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict

from wellness.accounts.models import User
from wellness.notifications import reminder_rules as rules
from wellness.notifications import reminders
from wellness.settings import Settings
from wellness.web.auditing import record_action

NOT_AVAILABLE = "E-mail reminders are not available here: the clinic has not set up e-mail."
UNAVAILABLE = f"{NOT_AVAILABLE} Nothing was saved."  # the refusal of a change
CHANGED = "practice_reminder_changed"  # the audit row's action; its detail is "on" or "off"
# The form's days: (code, name), Monday first.
WEEKDAYS = tuple(zip(rules.WEEKDAY_CODES, rules.WEEKDAY_NAMES, strict=True))


def available(settings: Settings) -> bool:
    """Whether reminders can be sent (WELLNESS_SMTP_URL is set)."""
    return settings.mail is not None


@dataclass(frozen=True, slots=True)
class ReminderForm:
    """The form as typed (shown again beside its errors), and what it asks for when valid."""

    enabled: bool
    time: str
    days: frozenset[str]
    minute: int
    weekdays: int

    @classmethod
    def showing(cls, reminder: reminders.Reminder) -> ReminderForm:
        return cls(
            reminder.enabled,
            reminder.time,
            frozenset(reminder.days),
            reminder.minute,
            reminder.weekdays,
        )


def read_form(
    form: FormMultiDict, stored: reminders.Reminder
) -> tuple[ReminderForm, dict[str, str]]:
    """The choice in the account page's form, and its errors by field. Turned off, a time or
    days left unreadable keep the stored ones: turning reminders off is never refused."""
    errors: dict[str, str] = {}
    choice = str(form.get("reminder", ""))
    if choice not in {"on", "off"}:
        errors["reminder"] = "Choose whether to get a daily practice reminder."
    enabled = choice == "on"
    typed_time = str(form.get("reminder_time", ""))[:20]
    days = frozenset(str(day)[:8] for day in form.getall("reminder_days", []))
    minute, weekdays = stored.minute, stored.weekdays
    try:
        minute = rules.parse_time(typed_time)
    except ValueError as problem:
        if enabled:
            errors["reminder_time"] = str(problem)
    try:
        weekdays = rules.weekday_mask(days)
    except ValueError as problem:
        if enabled:
            errors["reminder_days"] = str(problem)
    return ReminderForm(enabled, typed_time, days, minute, weekdays), errors


async def change_reminder(
    request: Request[Any, Any, Any],
    user: User,
    *,
    enabled: bool,
    minute: int,
    weekdays: int,
    now: datetime,
) -> reminders.Reminder:
    """Store the patient's choice; an audit row (ids, and on or off) when it changed."""
    stored, changed = await reminders.set_reminder(
        user, enabled=enabled, minute=minute, weekdays=weekdays, now=now
    )
    if changed:
        await record_action(
            request,
            CHANGED,
            target_type="user",
            target_id=user.id,
            detail="on" if enabled else "off",
            now=now,
        )
    return stored


def saved_message(stored: reminders.Reminder, time_zone: str) -> str:
    if not stored.enabled:
        return "Practice reminders are off."
    return f"Practice reminders are on: {stored.describe()}, {time_zone} time."
