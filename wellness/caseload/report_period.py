"""The period a patient report covers, read from its query (`from`, `to`, `notes`). Pure:
standard library only, `today` is always an argument.

1. Days. `from` and `to` are local dates (YYYY-MM-DD), both included; by default the
   `DEFAULT_DAYS` days ending today. Without `to` the period ends today; without `from` it
   is the `DEFAULT_DAYS` days ending on `to`.
2. Limits. `to` is never after today, `from` never after `to`, and the period is at most
   `MAX_DAYS` days long. Each problem names its parameter.
3. Instants. A moment (a rating, a GAD-7, an alert) is in the period when it falls in
   [`from` 00:00, the day after `to` 00:00) in the zone the report is read in (`bounds`): a
   rating at 23:30 on `to` is in, one at 00:30 the next day is out, whatever the length of
   the days in between (23 or 25 hours across a DST change).
4. Notes. Clinician notes are in unless `notes=0` (a report to share outside the care team).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from wellness.lib.days import FIRST_DAY, iso_day, local_midnight

DEFAULT_DAYS = 28
MAX_DAYS = 366
FIELDS = ("from", "to", "notes")
_NOTES = {"1": True, "0": False}


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date
    notes: bool = True  # clinician notes included (rule 4)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, time_zone: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC: the first day's start and the start of the day after the last,
        in `time_zone` (rule 3)."""
        start = local_midnight(self.first, time_zone)
        return start, local_midnight(self.last + timedelta(days=1), time_zone)

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def values(self) -> dict[str, str]:
        """The period as the form shows it."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def query(self) -> str:
        """The period's query string (notes=0 only when they are left out)."""
        pairs = [*self.values().items()] + ([] if self.notes else [("notes", "0")])
        return urlencode(pairs)

    def describe(self) -> str:
        """For the audit row: the days and whether notes were in (never any data)."""
        return f"from={self.first.isoformat()};to={self.last.isoformat()};notes={int(self.notes)}"


def today_in(now: datetime, time_zone: str) -> date:
    """The calendar date `now` falls on in `time_zone`: the latest `to` may be."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def default_period(today: date) -> Period:
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def parse(params: Mapping[str, str], *, today: date) -> tuple[Period | None, dict[str, str]]:
    """The period, or None and the problems by parameter."""
    errors: dict[str, str] = {}
    text = {key: str(params.get(key, "")).strip() for key in FIELDS}
    first = _day(text["from"], "from", "first", errors)
    last = _day(text["to"], "to", "last", errors)
    notes = _NOTES.get(text["notes"] or "1")
    if notes is None:
        errors["notes"] = "Give notes=0 to leave clinician notes out, or leave it off."
    if errors:
        return None, errors
    if last is None:
        last = today
    if first is None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if last > today:
        errors["to"] = (
            f"The last day is after today ({today.isoformat()}): choose today or earlier."
        )
    elif first > last:
        errors["from"] = "The first day is after the last day: choose an earlier first day."
    elif (last - first).days + 1 > MAX_DAYS:
        errors["from"] = (
            f"The period is {(last - first).days + 1} days long; a report covers at most "
            f"{MAX_DAYS} days: choose a later first day."
        )
    if errors:
        return None, errors
    return Period(first, last, notes=bool(notes)), {}


def _day(value: str, field: str, which: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    day = iso_day(value)
    if day is None:
        errors[field] = f"Give the {which} day as YYYY-MM-DD, e.g. 2026-11-24."
    elif day < FIRST_DAY:
        errors[field] = f"Give the {which} day from {FIRST_DAY.isoformat()} on."
        return None
    return day
