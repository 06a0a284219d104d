"""The dashboard's "needs attention" reasons and its table order: pure, `now` is an argument.

Days are the patient's practice days (their zone, the clinic's rollover hour), so the "nothing
logged for 3 days" rule is swept over local hours east and west of UTC and across DST changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wellness.caseload.attention import (
    AttentionRules,
    Reason,
    Signals,
    attention_key,
    concerns,
    days_since,
    local_day,
)
from wellness.caseload.table import SortOrder, ago, parse_sort, sort_rows

RULES = AttentionRules(alert_level=8, rollover_hour=3)
NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
ZONES = [
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Europe/Berlin",
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
]


def signals(**changes: object) -> Signals:
    base = Signals(
        time_zone="Europe/Berlin",
        on_caseload_since=NOW - timedelta(days=30),
        last_activity=NOW - timedelta(hours=2),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def reasons(found: object) -> list[Reason]:
    return [concern.reason for concern in found]  # type: ignore[attr-defined]


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


# --- the reasons --------------------------------------------------------------------------------


def test_a_quiet_patient_with_recent_practice_needs_nothing() -> None:
    assert concerns(signals(), now=NOW, rules=RULES) == ()


def test_every_reason_at_once_comes_most_urgent_first() -> None:
    found = concerns(
        signals(
            open_alerts=2,
            peak_recent_rating=9,
            peak_recent_rating_at=NOW - timedelta(hours=3),
            gad7_latest=16,
            gad7_previous=9,
            last_activity=NOW - timedelta(days=5),
            overdue=3,
        ),
        now=NOW,
        rules=RULES,
    )

    assert reasons(found) == list(Reason)
    assert [concern.text for concern in found] == [
        "2 open alerts",
        "Rated 9/10 in the last 24 h",
        "GAD-7 up 7 to 16",
        "Nothing logged for 5 days",
        "3 overdue",
    ]


@pytest.mark.parametrize(
    ("level", "hours_ago", "expected"),
    [(8, 1, True), (10, 23.9, True), (8, 24, True), (8, 24.1, False), (7, 1, False)],
)
def test_a_high_rating_counts_for_24_hours_at_the_alert_level(
    level: int, hours_ago: float, expected: bool
) -> None:
    found = concerns(
        signals(peak_recent_rating=level, peak_recent_rating_at=NOW - timedelta(hours=hours_ago)),
        now=NOW,
        rules=RULES,
    )

    assert (Reason.HIGH_RATING in reasons(found)) is expected


def test_the_alert_level_is_the_clinics() -> None:
    strict = AttentionRules(alert_level=6)
    seen = signals(peak_recent_rating=6, peak_recent_rating_at=NOW - timedelta(hours=1))

    assert reasons(concerns(seen, now=NOW, rules=strict)) == [Reason.HIGH_RATING]
    assert concerns(seen, now=NOW, rules=RULES) == ()


@pytest.mark.parametrize(
    ("previous", "latest", "expected"),
    [(5, 10, True), (0, 21, True), (5, 9, False), (15, 10, False), (None, 20, False)],
)
def test_gad7_rising_by_five_or_more(previous: int | None, latest: int, expected: bool) -> None:
    found = concerns(signals(gad7_latest=latest, gad7_previous=previous), now=NOW, rules=RULES)

    assert (Reason.GAD7_RISING in reasons(found)) is expected


def test_no_overdue_count_means_no_overdue_reason() -> None:
    assert concerns(signals(overdue=None), now=NOW, rules=RULES) == ()
    assert concerns(signals(overdue=0), now=NOW, rules=RULES) == ()
    assert reasons(concerns(signals(overdue=1), now=NOW, rules=RULES)) == [Reason.OVERDUE]


def test_a_patient_who_never_logged_counts_from_joining_the_caseload() -> None:
    joined_today = signals(last_activity=None, on_caseload_since=NOW - timedelta(hours=1))
    joined_long_ago = signals(last_activity=None, on_caseload_since=NOW - timedelta(days=4))

    assert concerns(joined_today, now=NOW, rules=RULES) == ()
    found = concerns(joined_long_ago, now=NOW, rules=RULES)
    assert [concern.text for concern in found] == ["Nothing logged since joining, 4 days"]


# --- days, in the patient's zone -----------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("hour", range(24))
def test_nothing_logged_needs_three_local_days_at_every_hour(zone: str, hour: int) -> None:
    """The last activity at 20:00 local three practice days before now: flagged; two: not."""
    now = local(zone, 2026, 11, 24, hour, 15)
    today = local_day(now, zone, 3)
    for days_back, flagged in ((2, False), (3, True)):
        day = today - timedelta(days=days_back)
        last = local(zone, day.year, day.month, day.day, 20, 0)
        seen = signals(time_zone=zone, last_activity=last)

        assert days_since(last, now=now, time_zone=zone, rollover=3) == days_back
        assert (Reason.NOTHING_LOGGED in reasons(concerns(seen, now=now, rules=RULES))) is flagged


@pytest.mark.parametrize("zone", ZONES)
def test_a_late_night_entry_belongs_to_the_evening_before(zone: str) -> None:
    now = local(zone, 2026, 11, 24, 12, 0)
    late = local(zone, 2026, 11, 22, 2, 30)  # before 03:00: the practice day of the 21st

    assert days_since(late, now=now, time_zone=zone, rollover=3) == 3
    assert days_since(late, now=now, time_zone=zone, rollover=0) == 2


@pytest.mark.parametrize(
    ("zone", "last", "now", "expected"),
    [
        # Europe/Berlin springs forward on 29 March 2026 (02:00 -> 03:00) ...
        ("Europe/Berlin", (2026, 3, 28, 22, 0), (2026, 3, 31, 3, 0), 3),
        ("Europe/Berlin", (2026, 3, 28, 22, 0), (2026, 3, 31, 2, 59), 2),
        # ... and falls back on 25 October 2026 (03:00 -> 02:00, the hour 02 twice).
        ("Europe/Berlin", (2026, 10, 24, 22, 0), (2026, 10, 27, 3, 0), 3),
        ("Europe/Berlin", (2026, 10, 24, 22, 0), (2026, 10, 27, 2, 59), 2),
        # America/New_York: 8 March and 1 November 2026.
        ("America/New_York", (2026, 3, 7, 23, 0), (2026, 3, 10, 3, 0), 3),
        ("America/New_York", (2026, 10, 31, 23, 0), (2026, 11, 3, 2, 59), 2),
        # Australia/Sydney changes the other way round (April back, October forward).
        ("Australia/Sydney", (2026, 4, 4, 21, 0), (2026, 4, 7, 3, 0), 3),
        ("Australia/Sydney", (2026, 10, 3, 21, 0), (2026, 10, 6, 2, 59), 2),
    ],
)
def test_days_since_across_dst_changes(
    zone: str,
    last: tuple[int, int, int, int, int],
    now: tuple[int, int, int, int, int],
    expected: int,
) -> None:
    last_at, now_at = local(zone, *last), local(zone, *now)

    assert days_since(last_at, now=now_at, time_zone=zone, rollover=3) == expected
    flagged = Reason.NOTHING_LOGGED in reasons(
        concerns(signals(time_zone=zone, last_activity=last_at), now=now_at, rules=RULES)
    )
    assert flagged is (expected >= 3)


def test_a_moment_after_now_counts_as_today() -> None:
    assert days_since(NOW + timedelta(hours=5), now=NOW, time_zone="UTC", rollover=3) == 0
    assert days_since(None, now=NOW, time_zone="UTC", rollover=3) is None


def test_the_rules_refuse_an_hour_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="rollover_hour"):
        AttentionRules(rollover_hour=24)


# --- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    patient_id: int
    name: str
    streak: int = 0
    gad7: int | None = None
    checkin_at: datetime | None = None
    open_alerts: int = 0
    overdue: int | None = None
    days_since_activity: int | None = None
    week_done: int | None = None
    week_prescribed: int | None = None
    attention: tuple[int, int] = (6, 0)


def names(rows: list[Row]) -> list[str]:
    return [row.name for row in rows]


def test_sort_names_a_whitelisted_column_and_a_direction() -> None:
    assert parse_sort(None) == SortOrder("attention", False)
    assert parse_sort("") == SortOrder("attention", False)
    assert parse_sort("-streak") == SortOrder("streak", True)
    assert parse_sort("name") == SortOrder("name", False)
    for hostile in ("password_hash", "-", "--name", "name;drop", "Streak", "__class__"):
        assert parse_sort(hostile) is None


def test_heading_links_turn_the_current_column_around() -> None:
    order = SortOrder("streak", True)

    assert order.link_for("streak") == "streak"
    assert SortOrder("streak", False).link_for("streak") == "-streak"
    assert order.link_for("name") == "name"  # names start A to Z
    assert order.link_for("gad7") == "-gad7"  # numbers start with the highest
    assert order.aria_for("streak") == "descending"
    assert order.aria_for("name") is None


def test_rows_without_a_value_sort_last_in_both_directions() -> None:
    rows = [Row(1, "Ann", gad7=None), Row(2, "Ben", gad7=12), Row(3, "Cy", gad7=4)]

    assert names(sort_rows(rows, SortOrder("gad7", True))) == ["Ben", "Cy", "Ann"]
    assert names(sort_rows(rows, SortOrder("gad7", False))) == ["Cy", "Ben", "Ann"]


def test_ties_keep_the_needs_attention_order_then_the_name() -> None:
    rows = [
        Row(1, "zoe", streak=3),
        Row(2, "Adam", streak=3, attention=(1, -1)),
        Row(3, "bea", streak=3),
        Row(4, "Carl", streak=9),
    ]

    assert names(sort_rows(rows, SortOrder("streak", True))) == ["Carl", "Adam", "bea", "zoe"]
    assert names(sort_rows(rows, SortOrder("attention", False))) == ["Adam", "bea", "Carl", "zoe"]


def test_adherence_sorts_by_the_share_done_and_nothing_due_last() -> None:
    rows = [
        Row(1, "Ann", week_done=1, week_prescribed=4),
        Row(2, "Ben", week_done=0, week_prescribed=0),
        Row(3, "Cy", week_done=3, week_prescribed=3),
    ]

    assert names(sort_rows(rows, SortOrder("adherence", False))) == ["Ann", "Cy", "Ben"]


def test_attention_key_puts_the_most_urgent_reason_first() -> None:
    alert = concerns(signals(open_alerts=1), now=NOW, rules=RULES)
    quiet = concerns(signals(last_activity=NOW - timedelta(days=9)), now=NOW, rules=RULES)
    both = concerns(
        signals(open_alerts=1, last_activity=NOW - timedelta(days=9)), now=NOW, rules=RULES
    )

    assert sorted(
        [attention_key(()), attention_key(quiet), attention_key(alert), attention_key(both)]
    ) == [attention_key(both), attention_key(alert), attention_key(quiet), attention_key(())]


@pytest.mark.parametrize(
    ("elapsed", "text"),
    [
        (timedelta(seconds=30), "just now"),
        (timedelta(minutes=25), "25 min ago"),
        (timedelta(hours=3, minutes=59), "3 h ago"),
        (timedelta(hours=47), "47 h ago"),
        (timedelta(days=2, hours=1), "2 days ago"),
        (timedelta(hours=-2), "just now"),
    ],
)
def test_ago_says_how_long_ago_in_plain_words(elapsed: timedelta, text: str) -> None:
    assert ago(NOW - elapsed, NOW) == text
    assert ago(None, NOW) == ""
