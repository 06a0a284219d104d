"""Days as typed (wellness.lib.days), shared by the audit filters, the usage view's period and
the patient report's period: only YYYY-MM-DD in ASCII digits, real dates, within bounds; and a
local day's first instant east and west of UTC and across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from wellness.lib.days import FIRST_DAY, LAST_DAY, iso_day, local_midnight, read_day


def test_a_day_in_iso_form_is_read() -> None:
    assert iso_day("2026-11-24") == date(2026, 11, 24)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-02-30",
        "2026-13-01",
        "2026-1-5",
        "20261124",  # date.fromisoformat takes it; no form of ours offers it
        "24.11.2026",
        "yesterday",
        " 2026-11-24",
        "\uff12\uff10\uff12\uff16-11-24",  # fullwidth digits
        "٢٠٢٦-11-24",  # Arabic-Indic digits
    ],
)
def test_anything_else_is_no_day(text: str) -> None:
    assert iso_day(text) is None


def test_an_empty_field_is_no_day_and_no_problem() -> None:
    errors: dict[str, str] = {}

    assert read_day("", "since", errors) is None
    assert errors == {}


def test_a_day_within_the_bounds_is_read_both_ends_included() -> None:
    errors: dict[str, str] = {}

    assert read_day("2000-01-01", "since", errors) == FIRST_DAY
    assert read_day("2999-12-31", "until", errors) == LAST_DAY
    assert errors == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "Give a date as YYYY-MM-DD, e.g. 2026-11-24."),
        ("tomorrow", "Give a date as YYYY-MM-DD, e.g. 2026-11-24."),
        ("1999-12-31", "Give a date from 2000-01-01 to 2999-12-31."),
        ("3000-01-01", "Give a date from 2000-01-01 to 2999-12-31."),
    ],
)
def test_a_day_it_cannot_take_is_refused_under_its_field(text: str, message: str) -> None:
    errors: dict[str, str] = {}

    assert read_day(text, "to", errors) is None
    assert errors == {"to": message}


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("UTC", date(2026, 11, 24), datetime(2026, 11, 24, tzinfo=UTC)),
        ("Pacific/Auckland", date(2026, 11, 24), datetime(2026, 11, 23, 11, tzinfo=UTC)),
        ("America/Los_Angeles", date(2026, 11, 24), datetime(2026, 11, 24, 8, tzinfo=UTC)),
        # The day Europe/Berlin springs forward is 23 hours long, the day it falls back 25.
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 28, 23, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 3, 30), datetime(2026, 3, 29, 22, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 10, 25), datetime(2026, 10, 24, 22, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 10, 26), datetime(2026, 10, 25, 23, tzinfo=UTC)),
    ],
)
def test_a_local_day_starts_at_its_own_midnight_in_utc(
    zone: str, day: date, expected: datetime
) -> None:
    assert local_midnight(day, zone) == expected


def test_days_across_dst_are_23_and_25_hours_long() -> None:
    def length(day: date) -> timedelta:
        return local_midnight(day + timedelta(days=1), "Europe/Berlin") - local_midnight(
            day, "Europe/Berlin"
        )

    assert length(date(2026, 3, 29)) == timedelta(hours=23)
    assert length(date(2026, 10, 25)) == timedelta(hours=25)
    assert length(date(2026, 11, 24)) == timedelta(hours=24)
