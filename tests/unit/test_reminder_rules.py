"""When a daily practice reminder is due (pure rules), checked against a brute-force reading of
the zone's clock: at every local hour, for reminder times at every hour and half hour, in zones
east and west of UTC, on ordinary days and on the days the clocks change in both directions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from wellness.notifications import reminder_rules as rules
from wellness.notifications.reminder_rules import EVERY_DAY

# An ordinary day, then the days the clocks change (spring forward, fall back) where they do.
DAYS = {
    "Europe/London": (date(2026, 12, 2), date(2026, 3, 29), date(2026, 10, 25)),  # +0/+1
    "America/New_York": (date(2026, 12, 2), date(2026, 3, 8), date(2026, 11, 1)),  # -5/-4
    "Asia/Kolkata": (date(2026, 12, 2),),  # +5:30, no DST
    "Pacific/Auckland": (date(2026, 6, 2), date(2026, 9, 27), date(2026, 4, 5)),  # +12/+13
    "Australia/Lord_Howe": (date(2026, 6, 2), date(2026, 10, 4), date(2026, 4, 5)),  # 30 min
    "America/St_Johns": (date(2026, 12, 2), date(2026, 3, 8), date(2026, 11, 1)),  # -3:30/-2:30
    "Pacific/Pago_Pago": (date(2026, 12, 2),),  # -11
    "Pacific/Kiritimati": (date(2026, 12, 2),),  # +14
}
TARGETS = tuple(range(0, 24 * 60, 30))  # every hour and half hour
STEP = timedelta(minutes=15)  # every zone here changes its clocks on a quarter hour


@cache
def first_reading(zone_name: str, day: date, minute: int) -> datetime:
    """The first instant at which the zone's clock shows `day` and a time at or after `minute`,
    found by reading the clock every quarter hour: what the reminder's instant must be."""
    zone = ZoneInfo(zone_name)
    target = time(minute // 60, minute % 60)
    moment = datetime.combine(day, time(), tzinfo=UTC) - timedelta(hours=15)
    while moment < datetime.combine(day, time(), tzinfo=UTC) + timedelta(hours=39):
        local = moment.astimezone(zone)
        if local.date() == day and local.time() >= target:
            return moment
        moment += STEP
    raise AssertionError(f"{zone_name} never shows {day} {target}")


def expected_next(zone_name: str, minute: int, after: datetime, weekdays: int) -> datetime:
    start = after.astimezone(ZoneInfo(zone_name)).date()
    candidates = [
        first_reading(zone_name, start + timedelta(days=offset), minute)
        for offset in range(-1, 9)
        if weekdays >> (start + timedelta(days=offset)).weekday() & 1
    ]
    return min(moment for moment in candidates if moment > after)


def local_hours(zone_name: str, day: date) -> list[datetime]:
    """Every hour the zone's clock shows on `day` (both occurrences of a repeated one), and the
    instants either side of each, as UTC instants."""
    zone = ZoneInfo(zone_name)
    start = datetime.combine(day, time(), tzinfo=UTC) - timedelta(hours=15)
    shown: list[datetime] = []
    moment = start
    while moment < start + timedelta(hours=54):
        local = moment.astimezone(zone)
        if local.date() == day and local.minute == 0:
            shown.extend((moment - timedelta(seconds=1), moment, moment + timedelta(seconds=1)))
        moment += STEP
    return shown


CASES = [(zone, day) for zone, days in DAYS.items() for day in days]


@pytest.mark.parametrize(("zone_name", "day"), CASES)
def test_the_next_reminder_is_the_first_moment_the_clock_shows_its_time_at_every_hour(
    zone_name: str, day: date
) -> None:
    hours = local_hours(zone_name, day)
    assert len(hours) >= 23 * 3
    for after in hours:
        for minute in TARGETS:
            due = rules.next_due(minute, EVERY_DAY, zone_name, after=after)
            assert due == expected_next(zone_name, minute, after, EVERY_DAY), (after, minute)
            assert due.utcoffset() == timedelta(0)
            assert due.microsecond == 0


@pytest.mark.parametrize(("zone_name", "day"), CASES)
def test_chosen_weekdays_are_the_local_calendar_days(zone_name: str, day: date) -> None:
    for weekdays in (0b0000001, 0b1000000, 0b0010101, 0b1100000):
        for after in local_hours(zone_name, day)[::6]:
            for minute in (0, 90, 9 * 60, 23 * 60 + 30):
                due = rules.next_due(minute, weekdays, zone_name, after=after)
                assert due == expected_next(zone_name, minute, after, weekdays)
                assert weekdays >> due.astimezone(ZoneInfo(zone_name)).weekday() & 1


# --- The clock changes, said plainly ----------------------------------------------------------


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_time_the_clocks_skip_goes_at_the_first_instant_after_the_gap() -> None:
    # London, 29 March 2026: 01:00 GMT becomes 02:00 BST; 01:30 does not exist.
    due = rules.next_due(90, EVERY_DAY, "Europe/London", after=utc(2026, 3, 28, 12))
    assert due == utc(2026, 3, 29, 1)  # 02:00 BST
    # New York, 8 March 2026: 02:00 EST becomes 03:00 EDT.
    due = rules.next_due(150, EVERY_DAY, "America/New_York", after=utc(2026, 3, 7, 12))
    assert due == utc(2026, 3, 8, 7)  # 03:00 EDT
    # Auckland, 27 September 2026: 02:00 NZST becomes 03:00 NZDT.
    due = rules.next_due(135, EVERY_DAY, "Pacific/Auckland", after=utc(2026, 9, 26, 0))
    assert due == utc(2026, 9, 26, 14)  # 03:00 NZDT
    # The day after, the same time is there again.
    again = rules.next_due(90, EVERY_DAY, "Europe/London", after=utc(2026, 3, 29, 1))
    assert again == utc(2026, 3, 30, 0, 30)


def test_a_time_the_clocks_repeat_goes_once_at_its_first_occurrence() -> None:
    # London, 25 October 2026: 01:00-01:59 happens twice (BST, then GMT).
    first = rules.next_due(90, EVERY_DAY, "Europe/London", after=utc(2026, 10, 24, 12))
    assert first == utc(2026, 10, 25, 0, 30)  # 01:30 BST
    following = rules.next_due(90, EVERY_DAY, "Europe/London", after=first)
    assert following == utc(2026, 10, 26, 1, 30)  # not 01:30 GMT the same morning
    # New York, 1 November 2026: 01:00-01:59 twice.
    first = rules.next_due(60, EVERY_DAY, "America/New_York", after=utc(2026, 10, 31, 12))
    assert first == utc(2026, 11, 1, 5)  # 01:00 EDT
    assert rules.next_due(60, EVERY_DAY, "America/New_York", after=first) == utc(2026, 11, 2, 6)


def test_zones_east_and_west_of_utc_put_the_same_local_time_at_different_instants() -> None:
    after = utc(2026, 12, 1, 12)
    assert rules.next_due(9 * 60, EVERY_DAY, "Asia/Kolkata", after=after) == utc(2026, 12, 2, 3, 30)
    assert rules.next_due(9 * 60, EVERY_DAY, "America/New_York", after=after) == utc(
        2026, 12, 1, 14
    )
    assert rules.next_due(9 * 60, EVERY_DAY, "Pacific/Auckland", after=after) == utc(
        2026, 12, 1, 20
    )


def test_after_days_away_the_next_reminder_is_the_next_one_only() -> None:
    long_after = utc(2026, 12, 9, 9, 1)  # a week after the last reminder at 09:00 UTC
    due = rules.next_due(9 * 60, EVERY_DAY, "Europe/London", after=long_after)
    assert due == utc(2026, 12, 10, 9)


def test_a_reminder_more_than_two_hours_late_is_too_late() -> None:
    due = utc(2026, 12, 2, 9)
    assert not rules.too_late(due, due)
    assert not rules.too_late(due, due + timedelta(hours=2))
    assert rules.too_late(due, due + timedelta(hours=2, seconds=1))
    assert rules.retry_until(due) == due + timedelta(hours=2)


# --- What is typed, and what the message says ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minute"), [("00:00", 0), ("09:05", 545), ("23:59", 1439), (" 18:30 ", 1110)]
)
def test_a_time_of_day_is_read_as_hours_and_minutes(text: str, minute: int) -> None:
    assert rules.parse_time(text) == minute
    assert rules.format_time(minute) == text.strip()


@pytest.mark.parametrize(
    "text", ["", "9", "9:00", "24:00", "12:60", "\u0661\u0662:\u0660\u0660", "12:00:00", "noon"]
)
def test_anything_else_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(ValueError, match="such as 09:00"):
        rules.parse_time(text)


def test_weekdays_are_codes_and_at_least_one() -> None:
    assert rules.weekday_mask(["mon", "wed", "fri", "mon"]) == 0b0010101
    assert rules.weekday_codes(0b1100000) == ("sat", "sun")
    assert rules.weekday_codes(EVERY_DAY) == rules.WEEKDAY_CODES
    with pytest.raises(ValueError, match="at least one day"):
        rules.weekday_mask([])
    with pytest.raises(ValueError, match="not a day of the week"):
        rules.weekday_mask(["monday"])
    for bad in (0, 128, -1, True):
        with pytest.raises(ValueError, match="weekdays"):
            rules.next_due(0, bad, "UTC", after=utc(2026, 1, 1))


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        rules.next_due(0, EVERY_DAY, "UTC", after=datetime(2026, 1, 1))  # noqa: DTZ001


def test_the_setting_is_described_in_words() -> None:
    assert rules.describe(540, EVERY_DAY) == "every day at 09:00"
    assert rules.describe(1110, 0b0010101) == "Monday, Wednesday and Friday at 18:30"
    assert rules.describe(450, 0b0011111) == "Monday to Friday at 07:30"
    assert rules.describe(0, 0b1000000) == "Sunday at 00:00"


def test_the_message_holds_no_health_data_and_links_home_and_to_the_account_page() -> None:
    text = rules.compose("https://app.clinic.example.org")
    assert text.subject == "Your daily reminder"
    assert text.body == (
        "A reminder you asked for: a few minutes of practice today.\n\n"
        "Open wellness: https://app.clinic.example.org/\n\n"
        "To change or stop these reminders: https://app.clinic.example.org/account\n"
    )
    words = f"{text.subject} {text.body}".lower()
    for telling in ("anxiety", "rehab", "addiction", "therapy", "therap", "clinic ", "streak"):
        assert telling not in words
