"""The audit page's filters as typed, their UTC bounds across DST, and the CSV's escaping."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from wellness.audit import export, filters
from wellness.audit.filters import AuditFilter, Who

KNOWN = frozenset({"login", "session_banned"})


def test_it_reads_every_filter() -> None:
    chosen, errors = filters.parse(
        {
            "person": "12",
            "patient": " Alice@Example.org ",
            "action": "login",
            "since": "2026-03-01",
            "until": "2026-03-31",
            "per_page": "20",
            "before": "99",
        },
        KNOWN,
    )

    assert errors == {}
    assert chosen.person == Who(account_id=12)
    assert chosen.patient == Who(email="alice@example.org")
    assert chosen.action == "login"
    assert (chosen.since, chosen.until) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (chosen.per_page, chosen.before, chosen.after) == (20, 99, None)
    assert chosen.active


def test_empty_filters_are_no_filters() -> None:
    chosen, errors = filters.parse({}, KNOWN)

    assert errors == {}
    assert chosen == AuditFilter()
    assert not chosen.active
    assert chosen.query() == ""


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"action": "teleported"}, "action"),
        ({"action": "LOGIN"}, "action"),
        ({"action": "login'--"}, "action"),
        ({"since": "2026-02-30"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-3-1"}, "until"),
        ({"until": "\uff12\uff10\uff12\uff16-03-01"}, "until"),  # fullwidth digits
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
        ({"person": "bob"}, "person"),
        ({"patient": "0"}, "patient"),
        ({"patient": "99999999999"}, "patient"),
        ({"person": "٣"}, "person"),
        ({"person": "a\x00b@example.org"}, "person"),  # PostgreSQL refuses a NUL in a query
        ({"patient": "a\x1b@example.org"}, "patient"),
        ({"person": "a" * 250 + "@example.org"}, "person"),  # longer than any address
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "201"}, "per_page"),
        ({"before": "-1"}, "before"),
        ({"before": "5", "after": "9"}, "after"),
    ],
)
def test_a_bad_value_is_named(params: dict[str, str], field: str) -> None:
    _, errors = filters.parse(params, KNOWN)

    assert field in errors
    assert errors[field]


def test_the_query_string_keeps_filters_and_adds_paging() -> None:
    chosen, _ = filters.parse({"person": "a+b@example.org", "action": "login"}, KNOWN)

    assert chosen.query(before=40) == "person=a%2Bb%40example.org&action=login&before=40"
    assert chosen.first_page() == chosen


@pytest.mark.parametrize(
    ("zone", "day", "start", "end"),
    [
        # Berlin's spring-forward day is 23 hours long, its autumn one 25.
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 28, 23, tzinfo=UTC), 23),
        ("Europe/Berlin", date(2026, 10, 25), datetime(2026, 10, 24, 22, tzinfo=UTC), 25),
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 4, tzinfo=UTC), 25),
        ("Asia/Kolkata", date(2026, 6, 1), datetime(2026, 5, 31, 18, 30, tzinfo=UTC), 24),
        ("UTC", date(2026, 6, 1), datetime(2026, 6, 1, tzinfo=UTC), 24),
    ],
)
def test_bounds_cover_whole_local_days(zone: str, day: date, start: datetime, end: int) -> None:
    low, high = filters.bounds(day, day, zone)

    assert low == start
    assert high is not None
    assert (high - low).total_seconds() == end * 3600


def test_open_bounds_stay_open() -> None:
    assert filters.bounds(None, None, "Europe/Berlin") == (None, None)


# --- the CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tlogin", "'\tlogin"),
        ("\rx", "'\rx"),
        ("plain, with comma", "plain, with comma"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_written_as_text(cell: object, written: str) -> None:
    assert export.safe_cell(cell) == written


@dataclass(frozen=True)
class Row:
    id: int = 7
    occurred_at: datetime = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    actor_id: int | None = 3
    actor_name: str = "=cmd|' /C calc'!A0"
    actor_email: str = "bob@example.org"
    action: str = "session_banned"
    patient_id: int | None = 5
    patient_name: str = 'Alice "Al" Patient'
    target_type: str = "session"
    target_id: str = "9"
    route: str = "POST /api/v1/patients/{patient_id}/overrides"
    client: str = "127.0.0.1"
    detail: str = "line\nbreak"


def test_a_line_reads_back_as_the_same_cells_in_the_clinics_zone() -> None:
    text = "".join(
        export.lines([Row(), Row(id=6, actor_id=None, patient_id=None)], "Europe/Berlin")
    )

    header, first, second = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(header) == export.HEADER
    assert first[:3] == ["7", "2026-11-24T15:30:00+01:00", "2026-11-24T14:30:00+00:00"]
    assert first[4] == "'=cmd|' /C calc'!A0"
    assert first[8] == 'Alice "Al" Patient'
    assert first[13] == "line\nbreak"
    assert second[3] == ""
    assert second[7] == ""
    assert text.endswith("\r\n")
