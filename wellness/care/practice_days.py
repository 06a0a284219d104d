"""How a patient's instants become practice days: their zone then, and the rollover hour
(`wellness.care.adherence`, rule 1). Pure."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime

from wellness.practice.streaks import practice_day

# Any instant will do: turning it into a practice day is how a zone or hour is checked.
VALIDATION_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ZoneChange:
    since: datetime  # aware: from this instant on, the patient lived in `time_zone`
    time_zone: str


@dataclass(frozen=True, slots=True)
class PracticeCalendar:
    """How a patient's instants become practice days."""

    time_zone: str  # the patient's zone now: decides today
    rollover_hour: int = 3
    # Oldest first, the last one being the current zone; before the first change its zone.
    # Used only for practices stored without their own zone.
    zone_history: tuple[ZoneChange, ...] = ()

    def __post_init__(self) -> None:
        for zone in {self.time_zone, *(change.time_zone for change in self.zone_history)}:
            practice_day(
                VALIDATION_INSTANT, zone, self.rollover_hour
            )  # ValueError naming a bad zone or hour
        history = self.zone_history
        if any(change.since.utcoffset() is None for change in history):
            raise ValueError("zone changes need aware instants")
        if [change.since for change in history] != sorted(change.since for change in history):
            raise ValueError("zone history must be oldest first")
        if history and history[-1].time_zone != self.time_zone:
            raise ValueError("the zone history must end in the current zone")

    def zone_at(self, moment: datetime) -> str:
        """The zone the patient had at `moment`."""
        if not self.zone_history:
            return self.time_zone
        since = [change.since for change in self.zone_history]
        index = max(bisect.bisect_right(since, moment) - 1, 0)
        return self.zone_history[index].time_zone

    def day_of(self, moment: datetime, time_zone: str | None = None) -> date:
        """The practice day of `moment`, in `time_zone` when the practice recorded one."""
        return practice_day(moment, time_zone or self.zone_at(moment), self.rollover_hour)

    def today(self, now: datetime) -> date:
        return practice_day(now, self.time_zone, self.rollover_hour)
