"""A patient's report over a period, for their care team to print or save as a PDF (a case
review, a handover): anxiety ratings, GAD-7, practice, adherence to assigned practice, safety
alerts and, unless left out, clinician notes.

Each part is read through the service that computes it for the patient's page, narrowed to the
period (`caseload.report_period`), in the patient's zone as everything else about their days:
moments (ratings, GAD-7, alerts) by the period's instants, practice by practice day (the
streaks' rule: a session begun at 00:30 counts for the evening before), assigned items by
their due day, notes by their contact date. The caller has checked the viewer is on the
patient's current care team.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from wellness.accounts.models import User
from wellness.care import notes as care_notes
from wellness.care.adherence import Adherence
from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import helps, plan
from wellness.caseload.alerts import AlertView
from wellness.caseload.record import rated_practice
from wellness.caseload.report_period import Period
from wellness.checkins import services as checkins
from wellness.checkins import trends
from wellness.checkins.scoring import Gad7Band
from wellness.practice import history, streaks
from wellness.practice.services import streak_policy
from wellness.settings import CarePolicy

ALL_PRACTICE = "All rated practice"


@dataclass(frozen=True, slots=True)
class Anxiety:
    ratings: int  # SUDS ratings given in the period, quick or around a practice
    lowest: int | None
    highest: int | None
    # Completed practice rated before and after in the period: all together, and by kind
    # (`caseload.helps`, the "what helps" figures of the patient's page).
    paired: helps.Helped | None
    by_kind: list[helps.Helped]


@dataclass(frozen=True, slots=True)
class Gad7Entry:
    occurred_at: datetime  # in the patient's zone
    total: int
    band: Gad7Band


@dataclass(frozen=True, slots=True)
class PracticeWeek:
    week: date  # its Monday
    first: date  # its first and last day within the period
    last: date
    sessions: int  # practices begun on these practice days (a replayed one once)
    completed: int  # of those, completed by the clinic's rule
    days: int  # practice days with completed practice: the days a streak counts
    minutes: int  # the practice calendar's minutes of these days


@dataclass(frozen=True, slots=True)
class Practice:
    weeks: list[PracticeWeek]
    current_streak: int  # now, not at the period's end
    practised_today: bool

    @property
    def sessions(self) -> int:
        return sum(week.sessions for week in self.weeks)

    @property
    def completed(self) -> int:
        return sum(week.completed for week in self.weeks)

    @property
    def days(self) -> int:
        return sum(week.days for week in self.weeks)

    @property
    def minutes(self) -> int:
        return sum(week.minutes for week in self.weeks)


@dataclass(frozen=True, slots=True)
class PatientReport:
    patient_id: int
    name: str
    time_zone: str
    period: Period
    printed_at: datetime  # now, in the patient's zone
    anxiety: Anxiety
    gad7: list[Gad7Entry]
    practice: Practice
    assignments: list[plan.PeriodAdherence]
    alerts: list[AlertView]
    notes: list[care_notes.NoteView] | None  # None when left out (`period.notes`)

    @property
    def adherence(self) -> Adherence:
        """Every assignment's items due in the period together."""
        counted = [item.adherence for item in self.assignments]
        return Adherence(
            sum(item.done for item in counted),
            sum(item.prescribed for item in counted),
            sum(item.pending for item in counted),
        )


async def patient_report(
    patient: User, period: Period, *, policy: CarePolicy, now: datetime
) -> PatientReport:
    start, end = period.bounds(patient.time_zone)
    gad7 = await checkins.gad7_between(patient, start, end)
    zone = ZoneInfo(patient.time_zone)
    return PatientReport(
        patient_id=patient.id,
        name=patient.display_name,
        time_zone=patient.time_zone,
        period=period,
        printed_at=now.astimezone(zone),
        anxiety=await _anxiety(patient, start, end, policy),
        gad7=[Gad7Entry(row.occurred_at.astimezone(zone), row.total, row.band) for row in gad7],
        practice=await _practice(patient, period, policy, now),
        assignments=await plan.adherence_between(
            patient, policy=policy, now=now, first=period.first, last=period.last
        ),
        alerts=await caseload_alerts.alerts_between(patient, start, end),
        notes=(
            await care_notes.notes_between(patient, period.first, period.last)
            if period.notes
            else None
        ),
    )


async def _anxiety(patient: User, start: datetime, end: datetime, policy: CarePolicy) -> Anxiety:
    levels = await checkins.levels_between(patient, start, end)
    rated = await rated_practice(patient, policy=policy, since=start, until=end)
    return Anxiety(
        ratings=len(levels),
        lowest=min(levels, default=None),
        highest=max(levels, default=None),
        paired=helps.overall(rated, label=ALL_PRACTICE),
        by_kind=helps.what_helps(rated).by_kind,
    )


async def _practice(patient: User, period: Period, policy: CarePolicy, now: datetime) -> Practice:
    events, _, minutes_by_day = await history.read_practice(patient.id, policy)
    summary = streaks.compute_streak(
        events, now=now, time_zone=patient.time_zone, policy=streak_policy(policy)
    )
    sessions: Counter[date] = Counter()
    completed: Counter[date] = Counter()
    for event in dict.fromkeys(events):  # a replayed practice once, as the streak takes it
        zone = event.time_zone or patient.time_zone
        day = streaks.practice_day(event.started_at, zone, policy.day_rollover_hour)
        if period.contains(day):
            sessions[day] += 1
            completed[day] += event.counts
    in_period = {day: minutes for day, minutes in minutes_by_day.items() if period.contains(day)}
    mondays = (period.last - trends.week_start(period.first)).days // 7 + 1
    weeks = []
    for monday, minutes in trends.weekly_totals(in_period, today=period.last, weeks=mondays):
        first = max(monday, period.first)
        last = min(monday + timedelta(days=6), period.last)
        days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
        weeks.append(
            PracticeWeek(
                week=monday,
                first=first,
                last=last,
                sessions=sum(sessions[day] for day in days),
                completed=sum(completed[day] for day in days),
                days=sum(completed[day] > 0 for day in days),
                minutes=minutes,
            )
        )
    return Practice(weeks, summary.current, summary.practised_today)
