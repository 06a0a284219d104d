"""The therapist's dashboard: one row per patient on their current caseload.

A caseload's rows are kept per process under the clinic's care-data and catalog change tokens
(two single-row reads per view) and served again while both tokens, the policy, the patients'
practice days and the high ratings within the rating window stay the same (`_Kept`). Otherwise
the number of queries does not depend on the caseload's size (`dashboard_data` reads every
patient at once; tests/services/test_dashboard_queries.py counts them):

1. the caseload with, per patient, the latest check-in, the latest two GAD-7 totals, the open
   alerts, and the high ratings of the last 24 h (correlated subqueries, each an index seek);
2. per patient, the practice change token and newest start: the last practice, and part of the
   keys the streaks and adherence are kept under;
3. per patient, the assignments' key, and the catalog's change token;
4. only for patients whose streak changed: their practice rows, in one query;
5. only for patients whose adherence changed: `plan.adherence_for_many` (a fixed number of
   queries of its own).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from wellness.accounts.models import User
from wellness.caseload import attention, dashboard_data, plan
from wellness.caseload.alerts import AlertView, open_alerts_under
from wellness.caseload.attention import AttentionRules, Concern, Signals
from wellness.caseload.dashboard_data import PracticeSummary
from wellness.caseload.kept import KeyedCache, care_and_catalog_tokens
from wellness.practice.history import moment
from wellness.settings import CarePolicy


@dataclass(frozen=True, slots=True)
class DashboardRow:
    patient_id: int
    name: str
    time_zone: str
    streak: int
    checkin_level: int | None
    checkin_at: datetime | None
    gad7: int | None
    gad7_change: int | None
    open_alerts: int
    days_since_activity: int | None
    concerns: tuple[Concern, ...]
    # From the assignments' adherence; None while not known.
    week_done: int | None = None
    week_prescribed: int | None = None
    overdue: int | None = None
    # `attention.attention_key(concerns)`, worked out once: every sort reads it.
    attention: tuple[int, int] = field(init=False, repr=False, compare=False)
    # The hash, worked out once: every view looks each row's HTML up by it.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attention", attention.attention_key(self.concerns))
        compared = (getattr(self, each.name) for each in fields(self) if each.compare)
        object.__setattr__(self, "_hash", hash(tuple(compared)))

    def __hash__(self) -> int:
        return self._hash


def attention_rules(policy: CarePolicy) -> AttentionRules:
    return AttentionRules(alert_level=policy.alert_level, rollover_hour=policy.day_rollover_hour)


async def dashboard_rows(
    therapist_id: int, *, policy: CarePolicy, now: datetime, name_filter: str = ""
) -> list[DashboardRow]:
    """The therapist's current caseload (active patients), "needs attention" first, then by
    name; `name_filter` keeps the patients whose name contains it (case-insensitive)."""
    rows = await _caseload_rows(therapist_id, policy, now, *await care_and_catalog_tokens())
    return _named(rows, name_filter)


@dataclass(frozen=True, slots=True)
class DashboardView:
    rows: list[DashboardRow]
    alerts: list[AlertView]
    # The catalog's change token read with the view, for the page's library preview.
    catalog_token: str | None


async def dashboard_view(
    therapist: User, *, policy: CarePolicy, now: datetime, name_filter: str = ""
) -> DashboardView:
    """`dashboard_rows` and the open alerts (`alerts.open_alerts_for`), reading the change tokens
    they are kept under once, before any of the data (see catalog/cache.py)."""
    care, catalog = await care_and_catalog_tokens()
    rows = await _caseload_rows(therapist.id, policy, now, care, catalog)
    alerts = await open_alerts_under(therapist, care)
    return DashboardView(_named(rows, name_filter), alerts, catalog)


def _named(rows: tuple[DashboardRow, ...], name_filter: str) -> list[DashboardRow]:
    needle = name_filter.casefold()
    return [row for row in rows if needle in row.name.casefold()] if needle else list(rows)


# --- the whole caseload, kept --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Kept:
    """A caseload's rows (kept under the care-data and catalog change tokens and the policy)
    and what of `now` they were computed under: today's practice day in each of the patients'
    zones, and the moment the first high rating among them leaves the rating window (`until`)."""

    days: dict[str, date]
    since: datetime
    until: datetime | None
    rows: tuple[DashboardRow, ...]

    def serves(self, now: datetime, rollover_hour: int) -> bool:
        return (
            self.since <= now
            and (self.until is None or now < self.until)
            and dashboard_data.local_days(self.days, now, rollover_hour) == self.days
        )


# By therapist id, per database connection. A row depends on the data (both tokens change with
# every write to it, migrations 0005 and 0011), on the policy, and on `now` only through the
# patients' practice days and whether a high rating is still within the window (`_row_key`).
_kept: KeyedCache[_Kept] = KeyedCache()


async def _caseload_rows(
    therapist_id: int, policy: CarePolicy, now: datetime, care: str | None, catalog: str | None
) -> tuple[DashboardRow, ...]:
    """`care`, `catalog`: the change tokens, read before any of the data."""
    key = (care, catalog, policy)
    kept = _kept.split({therapist_id: key})[0].get(therapist_id)
    if kept is not None and kept.serves(now, policy.day_rollover_hour):
        return kept.rows
    rules = attention_rules(policy)
    patients = await dashboard_data.caseload(therapist_id, rules, now)
    zones = {int(row[0]): str(row[2]) for row in patients}
    days = dashboard_data.local_days(zones.values(), now, policy.day_rollover_hour)
    rows = tuple(await _rows_for(patients, zones, days, catalog, policy, rules, now))
    if care is not None:
        leaving = [
            dashboard_data.kept_moment(p[12]) + rules.rating_window for p in patients if p[12]
        ]
        until = min(leaving, default=None)
        _kept.store({therapist_id: key}, {therapist_id: _Kept(days, now, until, rows)})
    return rows


async def _rows_for(
    patients: list[Any],
    zones: dict[int, str],
    days: dict[str, date],
    catalog: str | None,
    policy: CarePolicy,
    rules: AttentionRules,
    now: datetime,
) -> list[DashboardRow]:
    if not patients:
        return []
    practice = await dashboard_data.practice_summaries(list(zones))
    current = await dashboard_data.current_streaks(zones, practice, policy, now, days)
    adherence = await dashboard_data.adherence(zones, practice, policy, now, days, catalog)
    keys: dict[int, Hashable] = {
        int(patient[0]): _row_key(patient, practice, current, adherence, rules, now, days)
        for patient in patients
    }
    found, stale = _rows.split(keys)
    if stale:
        wanted = set(stale)
        fresh = {
            int(patient[0]): _row(
                patient,
                practice.get(int(patient[0])),
                current,
                adherence.get(int(patient[0])),
                rules,
                now,
            )
            for patient in patients
            if int(patient[0]) in wanted
        }
        _rows.store(keys, fresh)
        found.update(fresh)
    rows = list(found.values())
    rows.sort(key=lambda row: (row.attention, row.name.casefold(), row.patient_id))
    return rows


# --- one row ----------------------------------------------------------------------------------

# Rows by patient id, each kept under everything it is made of (see `_row_key`).
_rows: KeyedCache[DashboardRow] = KeyedCache()


def _row_key(
    patient: Any,
    practice: dict[int, PracticeSummary],
    current: dict[int, int],
    adherence: dict[int, plan.CaseloadAdherence],
    rules: AttentionRules,
    now: datetime,
    days: dict[str, date],
) -> Hashable:
    """Everything `_row` reads: the patient's caseload row, practice summary, streak and
    adherence, the rules, and of `now` only what a row depends on: today's day in the patient's
    zone (days since activity, nothing logged) and whether the recent peak rating is still
    within the rating window."""
    patient_id, peak_at = int(patient[0]), patient[11]
    recent = peak_at is not None and now - rules.rating_window <= dashboard_data.kept_moment(
        peak_at
    )
    return (
        tuple(patient),
        practice.get(patient_id),
        current.get(patient_id, 0),
        adherence.get(patient_id),
        rules,
        days[str(patient[2])],
        recent,
    )


def _row(
    patient: Any,
    practice: PracticeSummary | None,
    current: dict[int, int],
    adherence: plan.CaseloadAdherence | None,
    rules: AttentionRules,
    now: datetime,
) -> DashboardRow:
    (patient_id, name, zone, since, level, level_at, gad7, gad7_at, gad7_before) = patient[:9]
    alerts, peak, peak_at = patient[9:12]
    checkin_at = moment(level_at) if level_at is not None else None
    gad7_moment = moment(gad7_at) if gad7_at is not None else None
    moments = [m for m in (checkin_at, gad7_moment, practice and practice.last_started) if m]
    last_activity = max(moments, default=None)
    signals = Signals(
        time_zone=str(zone),
        on_caseload_since=moment(since),
        open_alerts=int(alerts),
        peak_recent_rating=None if peak is None else int(peak),
        peak_recent_rating_at=None if peak_at is None else moment(peak_at),
        gad7_latest=gad7,
        gad7_previous=gad7_before,
        last_activity=last_activity,
        overdue=adherence.overdue if adherence else None,
    )
    return DashboardRow(
        patient_id=int(patient_id),
        name=str(name),
        time_zone=str(zone),
        streak=current.get(int(patient_id), 0),
        checkin_level=level,
        checkin_at=checkin_at,
        gad7=gad7,
        gad7_change=attention.gad7_change(gad7, gad7_before),
        open_alerts=int(alerts),
        days_since_activity=attention.days_since(
            last_activity, now=now, time_zone=str(zone), rollover=rules.rollover_hour
        ),
        concerns=attention.concerns(signals, now=now, rules=rules),
        week_done=adherence.week_done if adherence else None,
        week_prescribed=adherence.week_prescribed if adherence else None,
        overdue=adherence.overdue if adherence else None,
    )


def checkin_age(row: DashboardRow, now: datetime) -> timedelta | None:
    return None if row.checkin_at is None else max(timedelta(0), now - row.checkin_at)
