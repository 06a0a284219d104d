"""The usage table as CSV: one header line, then a line per session, in the table's order, with
the page's suppression (a hidden count reads "fewer than 5", a hidden mean "too few to show").
Pure: stdlib only. Text cells a spreadsheet would run as a formula are written as text
(`lib.spreadsheet`): a session's title is typed by a coordinator."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from wellness.caseload.usage_rules import FEWER_THAN, TOO_FEW, Period, SessionUsage
from wellness.lib.spreadsheet import line

HEADER = (
    "session_id",
    "title",
    "kind",
    "status",
    "starts",
    "completions",
    "completion_rate",
    "patients",
    "assigned_patients",
    "mean_change",
    "last_played",
)


def row_cells(row: SessionUsage, zone: str) -> list[object]:
    figures = row.figures
    rate = figures.completion_rate
    last = row.last_played
    return [
        row.session_id,
        row.title,
        row.kind,
        row.status,
        figures.starts,
        figures.completions,
        None if rate is None else round(rate, 3),
        FEWER_THAN if figures.patients_suppressed else figures.patients,
        FEWER_THAN if figures.assigned_suppressed else figures.assigned_patients,
        TOO_FEW if figures.change_suppressed else figures.mean_change,
        None if last is None else last.astimezone(ZoneInfo(zone)).date().isoformat(),
    ]


def lines(rows: Iterable[SessionUsage], zone: str) -> Iterator[str]:
    yield line(HEADER)
    for row in rows:
        yield line(row_cells(row, zone))


def filename(period: Period) -> str:
    return f"library-usage-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
