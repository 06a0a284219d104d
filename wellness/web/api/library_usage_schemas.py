"""What `GET /api/v1/library/usage` answers: the page's figures, with small cells hidden. A
hidden figure is null with its `*_suppressed` flag true; a figure with nothing to rest on (no
starts, no rated practice) is null with the flag false. No patient is named or numbered."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import msgspec

from wellness.caseload.usage import Totals, UsageReport
from wellness.caseload.usage_rules import Figures, Period, SessionUsage
from wellness.catalog.kinds import Kind, Status
from wellness.web.shapes import copied


class UsagePeriod(msgspec.Struct):
    """Local days in the clinic's time zone, both included."""

    first: date = msgspec.field(name="from")
    last: date = msgspec.field(name="to")
    days: int
    time_zone: str

    @classmethod
    def of(cls, period: Period, zone: str) -> UsagePeriod:
        return cls(period.first, period.last, period.days, zone)


class UsageFigures(msgspec.Struct):
    starts: int
    completions: int
    completion_rate: float | None  # completions / starts, 0-1; null without starts
    patients: int | None
    patients_suppressed: bool
    assigned_patients: int | None
    assigned_suppressed: bool
    mean_change: float | None  # SUDS points, after minus before: negative is calmer
    mean_change_suppressed: bool

    @classmethod
    def of(cls, figures: Figures) -> UsageFigures:
        rate = figures.completion_rate
        return copied(
            cls,
            figures,
            completion_rate=None if rate is None else round(rate, 3),
            mean_change_suppressed=figures.change_suppressed,
        )


class SessionUsageOut(msgspec.Struct):
    session_id: int
    title: str
    kind: Kind
    status: Status
    archived: bool  # listed because it was used in the period
    figures: UsageFigures
    last_played: date | None  # the latest start up to the period's end, in the clinic's zone

    @classmethod
    def of(cls, row: SessionUsage, zone: ZoneInfo) -> SessionUsageOut:
        last = row.last_played.astimezone(zone).date() if row.last_played else None
        return cls(
            session_id=row.session_id,
            title=row.title,
            kind=Kind(row.kind),
            status=Status(row.status),
            archived=row.archived,
            figures=UsageFigures.of(row.figures),
            last_played=last,
        )


class UsageTotals(msgspec.Struct):
    sessions: int  # rows of the table, on every page
    archived: int  # of them, archived sessions listed because they were used in the period
    figures: UsageFigures  # each patient counted once

    @classmethod
    def of(cls, totals: Totals) -> UsageTotals:
        return cls(totals.sessions, totals.archived, UsageFigures.of(totals.figures))


class LibraryUsage(msgspec.Struct):
    period: UsagePeriod
    kind: Kind | None
    sort: str
    min_patients: int  # counts and means resting on fewer patients are hidden
    items: list[SessionUsageOut]
    page: int
    pages: int
    totals: UsageTotals

    @classmethod
    def of(cls, found: UsageReport, zone: str, min_patients: int) -> LibraryUsage:
        local = ZoneInfo(zone)
        query = found.query
        return cls(
            period=UsagePeriod.of(query.period, zone),
            kind=Kind(query.kind) if query.kind else None,
            sort=query.order.param,
            min_patients=min_patients,
            items=[SessionUsageOut.of(row, local) for row in found.rows],
            page=found.page,
            pages=found.pages,
            totals=UsageTotals.of(found.totals),
        )
