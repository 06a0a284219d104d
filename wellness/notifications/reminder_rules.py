"""A patient's daily practice reminder: when it is due, what it says, when it is too late. Pure:
stdlib only, and every function takes the instant it reasons from.

1. A reminder is a local time of day and a set of weekdays, in the patient's IANA zone. Its
   instant on a day is that wall-clock time; a time the clocks skip (spring forward) falls on
   the first instant after the gap (the local time the clocks jump to); a time they repeat
   (fall back) falls on its first occurrence only, so it goes once.
2. The weekday is the local calendar day the time is on (a 01:00 Monday reminder goes early on
   Monday), not the practice day; whether the patient practised is judged on the practice day
   of the reminder's instant (`practice.streaks.practice_day`, in the service).
3. `next_due` is the first instant strictly after the given one: after a reminder goes (or the
   app was down for days), the next is computed from now, so reminders never pile up.
4. A reminder found more than `LATE` after its instant (the app was down) is skipped, and a
   failed one is not retried past that either.
5. The message holds no health data and does not name what the app is for: someone else may
   read the patient's inbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from wellness.notifications.rules import MessageText

LATE = timedelta(hours=2)
DEFAULT_MINUTE = 9 * 60  # 09:00


class Weekday(StrEnum):
    """A day of the week, in `date.weekday()` order."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAY_CODES = tuple(day.value for day in Weekday)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EVERY_DAY = (1 << 7) - 1  # the weekdays as bits, Monday the lowest
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


def parse_time(text: str) -> int:
    """A time of day typed as HH:MM (24-hour; what `<input type=time>` sends), in minutes after
    midnight; ValueError with a message for people."""
    found = _TIME.fullmatch(text.strip())
    if found is None:
        raise ValueError("Enter a time of day as hours and minutes, such as 09:00 or 18:30.")
    return int(found[1]) * 60 + int(found[2])


def format_time(minute: int) -> str:
    """Minutes after midnight as HH:MM."""
    _check_minute(minute)
    return f"{minute // 60:02d}:{minute % 60:02d}"


def weekday_mask(codes: Iterable[str]) -> int:
    """Weekday codes ("mon" ... "sun") as bits; ValueError for an unknown code or none at all."""
    mask = 0
    for code in codes:
        if code not in WEEKDAY_CODES:
            raise ValueError(f"{code!r} is not a day of the week (mon, tue, ... sun).")
        mask |= 1 << WEEKDAY_CODES.index(code)
    if not mask:
        raise ValueError("Choose at least one day of the week.")
    return mask


def weekday_codes(mask: int) -> tuple[str, ...]:
    """The codes of the days in `mask`, Monday first."""
    _check_mask(mask)
    return tuple(code for index, code in enumerate(WEEKDAY_CODES) if mask >> index & 1)


def local_instant(day: date, minute: int, time_zone: str) -> datetime:
    """The instant (UTC) of `minute` after local midnight on `day` in `time_zone` (rule 1)."""
    _check_minute(minute)
    zone = ZoneInfo(time_zone)
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # it exists; fold=0 is its first occurrence when it is repeated
    # In a gap: fold=0 reads it with the offset before the change, fold=1 with the one after;
    # the change itself lies between the two readings. The first instant after the gap is the
    # first second whose offset is the later one.
    early = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(early, first), max(early, first)
    after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def next_due(minute: int, weekdays: int, time_zone: str, *, after: datetime) -> datetime:
    """The reminder's first instant strictly after `after` (rules 1 and 3), in UTC."""
    _check_mask(weekdays)
    if after.utcoffset() is None:
        raise ValueError("next_due needs an aware instant")
    start = after.astimezone(ZoneInfo(time_zone)).date()
    # From the day before (a skipped time may land on the next day's first instant) over
    # more than a week, so every chosen weekday is seen at least once after `after`.
    for offset in range(-1, 9):
        day = start + timedelta(days=offset)
        if weekdays >> day.weekday() & 1:
            due = local_instant(day, minute, time_zone)
            if due > after:
                return due
    raise AssertionError("a chosen weekday falls within any nine days")  # pragma: no cover


def too_late(due: datetime, now: datetime) -> bool:
    """Whether a reminder due at `due` is skipped when found at `now` (rule 4)."""
    return now - due > LATE


def retry_until(due: datetime) -> datetime:
    """A failed reminder is not tried again after this (rule 4)."""
    return due + LATE


def compose(public_url: str) -> MessageText:
    """The reminder e-mail (rule 5): the same words for everyone, whatever they practised."""
    body = "\n\n".join(
        [
            "A reminder you asked for: a few minutes of practice today.",
            f"Open wellness: {public_url}/",
            f"To change or stop these reminders: {public_url}/account",
        ]
    )
    return MessageText("Your daily reminder", body + "\n")


_MONDAY_TO_FRIDAY = 0b0011111


def describe(minute: int, weekdays: int) -> str:
    """ "every day at 09:00", "Monday to Friday at 07:30", "Monday, Wednesday and Friday at
    18:30" (for pages)."""
    when = f"at {format_time(minute)}"
    if weekdays == EVERY_DAY:
        return f"every day {when}"
    if weekdays == _MONDAY_TO_FRIDAY:
        return f"Monday to Friday {when}"
    names = [WEEKDAY_NAMES[WEEKDAY_CODES.index(code)] for code in weekday_codes(weekdays)]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{listed} {when}"


def _check_minute(minute: int) -> None:
    if isinstance(minute, bool) or not isinstance(minute, int) or not 0 <= minute < 24 * 60:
        raise ValueError(f"a time of day is 0-1439 minutes after midnight, got {minute!r}")


def _check_mask(mask: int) -> None:
    if isinstance(mask, bool) or not isinstance(mask, int) or not 0 < mask <= EVERY_DAY:
        raise ValueError(f"weekdays must name at least one day (1-127), got {mask!r}")
