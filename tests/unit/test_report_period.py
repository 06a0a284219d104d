"""The report's period (wellness.caseload.report_period): read from the query, refused naming
the parameter, and turned into instants at local midnight east and west of UTC and across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wellness.caseload.report_period import (
    DEFAULT_DAYS,
    MAX_DAYS,
    Period,
    parse,
    today_in,
)

TODAY = date(2026, 11, 24)


def test_the_default_is_the_last_28_days_ending_today() -> None:
    period, errors = parse({}, today=TODAY)

    assert errors == {}
    assert period == Period(date(2026, 10, 28), TODAY, notes=True)
    assert period.days == DEFAULT_DAYS == 28


def test_a_given_period_is_taken_both_days_included() -> None:
    period, errors = parse({"from": "2026-11-01", "to": "2026-11-07"}, today=TODAY)

    assert errors == {}
    assert period == Period(date(2026, 11, 1), date(2026, 11, 7))
    assert period.days == 7
    assert period.contains(date(2026, 11, 1))
    assert period.contains(date(2026, 11, 7))
    assert not period.contains(date(2026, 11, 8))


def test_without_to_it_ends_today_and_without_from_it_is_28_days() -> None:
    assert parse({"from": "2026-11-20"}, today=TODAY)[0] == Period(date(2026, 11, 20), TODAY)
    assert parse({"to": "2026-11-10"}, today=TODAY)[0] == Period(
        date(2026, 10, 14), date(2026, 11, 10)
    )


def test_one_day_is_a_period() -> None:
    period, errors = parse({"from": "2026-11-24", "to": "2026-11-24"}, today=TODAY)

    assert (period, errors) == (Period(TODAY, TODAY), {})


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "24.11.2026"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"from": "2026-1-5"}, "from"),
        ({"from": "\uff12\uff10\uff12\uff16-11-01"}, "from"),  # fullwidth digits
        ({"from": "1999-12-31", "to": "2000-01-02"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"to": "2026-13-01"}, "to"),
        ({"notes": "no"}, "notes"),
    ],
)
def test_a_day_or_choice_it_cannot_read_is_refused_naming_its_parameter(
    params: dict[str, str], field: str
) -> None:
    period, errors = parse(params, today=TODAY)

    assert period is None
    assert list(errors) == [field]


def test_a_last_day_after_today_is_refused() -> None:
    period, errors = parse({"from": "2026-11-20", "to": "2026-11-25"}, today=TODAY)

    assert period is None
    assert errors == {"to": "The last day is after today (2026-11-24): choose today or earlier."}


def test_an_inverted_period_is_refused_naming_from() -> None:
    period, errors = parse({"from": "2026-11-10", "to": "2026-11-09"}, today=TODAY)

    assert period is None
    assert list(errors) == ["from"]
    assert "after the last day" in errors["from"]


def test_a_period_of_366_days_is_taken_and_367_refused() -> None:
    longest = TODAY - timedelta(days=MAX_DAYS - 1)
    assert parse({"from": longest.isoformat()}, today=TODAY)[0] == Period(longest, TODAY)

    period, errors = parse({"from": (longest - timedelta(days=1)).isoformat()}, today=TODAY)

    assert period is None
    assert errors["from"].startswith("The period is 367 days long; a report covers at most 366")


def test_every_problem_is_named_at_once() -> None:
    _, errors = parse({"from": "x", "to": "y", "notes": "2"}, today=TODAY)

    assert sorted(errors) == ["from", "notes", "to"]


def test_notes_0_leaves_the_notes_out() -> None:
    assert parse({"notes": "0"}, today=TODAY)[0] == Period(date(2026, 10, 28), TODAY, notes=False)
    assert parse({"notes": "1"}, today=TODAY)[0] == Period(date(2026, 10, 28), TODAY, notes=True)


def test_the_query_and_the_audit_detail_name_the_days_only() -> None:
    period = Period(date(2026, 11, 1), date(2026, 11, 7), notes=False)

    assert period.query() == "from=2026-11-01&to=2026-11-07&notes=0"
    assert Period(date(2026, 11, 1), date(2026, 11, 7)).query() == "from=2026-11-01&to=2026-11-07"
    assert period.describe() == "from=2026-11-01;to=2026-11-07;notes=0"


@pytest.mark.parametrize(
    ("zone", "first", "last", "hours"),
    [
        ("Asia/Tokyo", date(2026, 12, 1), date(2026, 12, 2), 48),  # UTC+9
        ("Pacific/Kiritimati", date(2026, 12, 1), date(2026, 12, 1), 24),  # UTC+14
        ("America/Los_Angeles", date(2026, 12, 1), date(2026, 12, 1), 24),  # UTC-8
        ("Pacific/Pago_Pago", date(2026, 12, 1), date(2026, 12, 3), 72),  # UTC-11
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 3, 29), 23),  # spring forward
        ("Europe/Berlin", date(2026, 10, 25), date(2026, 10, 25), 25),  # fall back
        ("America/New_York", date(2026, 3, 1), date(2026, 3, 8), 8 * 24 - 1),
        ("America/New_York", date(2026, 11, 1), date(2026, 11, 7), 7 * 24 + 1),
    ],
)
def test_the_bounds_are_local_midnights_whatever_the_days_length(
    zone: str, first: date, last: date, hours: int
) -> None:
    start, end = Period(first, last).bounds(zone)
    local = ZoneInfo(zone)

    assert start.tzinfo is UTC
    assert end.tzinfo is UTC
    assert start.astimezone(local) == datetime(first.year, first.month, first.day, tzinfo=local)
    after = last + timedelta(days=1)
    assert end.astimezone(local) == datetime(after.year, after.month, after.day, tzinfo=local)
    assert end - start == timedelta(hours=hours)
    # 23:30 on the last day is in; 00:30 the day after is out (the end is excluded).
    late = datetime(last.year, last.month, last.day, 23, 30, tzinfo=local).astimezone(UTC)
    next_day = datetime(after.year, after.month, after.day, 0, 30, tzinfo=local).astimezone(UTC)
    assert start <= late < end
    assert not next_day < end


def test_today_is_the_zones_calendar_date() -> None:
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)

    assert today_in(now, "Asia/Tokyo") == date(2026, 11, 25)
    assert today_in(now, "Pacific/Pago_Pago") == date(2026, 11, 24)
