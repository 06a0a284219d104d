"""Practice streaks: local practice days, the rollover hour, DST, rest days, history, milestones."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellness.practice.streaks import (
    MILESTONES,
    PracticeEvent,
    StreakPeriod,
    StreakPolicy,
    StreakSummary,
    compute_streak,
    milestone_message,
    practice_day,
)

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """The aware UTC instant of a local wall time (the first one, if it happens twice)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def practice(
    moment: datetime, *, zone: str | None = None, minutes: float = 10, counts: bool = True
) -> PracticeEvent:
    return PracticeEvent(started_at=moment, minutes=minutes, counts=counts, time_zone=zone)


def daily(zone: str, first: date, last: date, *, hour: int = 9) -> list[PracticeEvent]:
    """One counted practice a day from `first` to `last` inclusive, at `hour` local time."""
    days = (last - first).days + 1
    return [
        practice(local(zone, d.year, d.month, d.day, hour), zone=zone)
        for d in (first + timedelta(days=n) for n in range(days))
    ]


def on_days(*days: date, zone: str = BERLIN) -> list[PracticeEvent]:
    return [practice(local(zone, d.year, d.month, d.day, 9), zone=zone) for d in days]


def summary(
    events: list[PracticeEvent],
    now: datetime,
    zone: str = BERLIN,
    *,
    rollover_hour: int = 3,
    rest_days_per_week: int = 0,
) -> StreakSummary:
    policy = StreakPolicy(rollover_hour=rollover_hour, rest_days_per_week=rest_days_per_week)
    return compute_streak(events, now=now, time_zone=zone, policy=policy)


# 2024-03-04 is a Monday; ISO weeks below are Monday to Sunday.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2024, 3, 4) + timedelta(days=n) for n in range(7))
NEXT_MON = date(2024, 3, 11)


def noon(day: date, zone: str = BERLIN) -> datetime:
    return local(zone, day.year, day.month, day.day, 12)


# --- the practice day ---------------------------------------------------------------------------


def test_late_night_session_counts_for_previous_day() -> None:
    # Starts 23:50 on Monday, ends 00:20 on Tuesday: it belongs to Monday, the day it started.
    event = practice(local(BERLIN, 2024, 3, 4, 23, 50), zone=BERLIN, minutes=30)

    result = summary([event], now=noon(TUE))

    assert result.practice_days == {MON}
    assert not result.practised_today
    assert result.current == 1
    assert result.total_minutes == 30


def test_session_started_after_midnight_counts_for_the_evening_before() -> None:
    event = practice(local(BERLIN, 2024, 3, 5, 0, 30), zone=BERLIN)

    assert summary([event], now=noon(TUE)).practice_days == {MON}


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(2, 59, MON), (3, 0, TUE), (3, 1, TUE), (0, 0, MON)],
)
def test_new_practice_day_begins_at_the_rollover_hour(
    hour: int, minute: int, expected: date
) -> None:
    moment = local(BERLIN, 2024, 3, 5, hour, minute)

    assert practice_day(moment, BERLIN, 3) == expected


def test_rollover_hour_zero_is_midnight() -> None:
    assert practice_day(local(BERLIN, 2024, 3, 4, 23, 59), BERLIN, 0) == MON
    assert practice_day(local(BERLIN, 2024, 3, 5, 0, 0), BERLIN, 0) == TUE


def test_today_follows_the_rollover_hour() -> None:
    events = on_days(MON)

    before = summary(events, now=local(BERLIN, 2024, 3, 5, 2, 59))
    after = summary(events, now=local(BERLIN, 2024, 3, 5, 3, 0))

    assert (before.today, before.practised_today) == (MON, True)
    assert (after.today, after.practised_today) == (TUE, False)


# --- daylight saving time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "rollover_hour", "expected"),
    [
        # New York springs forward 2024-03-10 02:00 EST -> 03:00 EDT: 02:xx does not exist.
        (datetime(2024, 3, 10, 6, 59, tzinfo=UTC), 3, date(2024, 3, 9)),  # 01:59 EST
        (datetime(2024, 3, 10, 7, 0, tzinfo=UTC), 3, date(2024, 3, 10)),  # 03:00 EDT
        # A rollover hour inside the skipped hour: the day begins at the first hour after it.
        (datetime(2024, 3, 10, 6, 59, tzinfo=UTC), 2, date(2024, 3, 9)),  # 01:59 EST
        (datetime(2024, 3, 10, 7, 0, tzinfo=UTC), 2, date(2024, 3, 10)),  # 03:00 EDT
        # New York falls back 2024-11-03 02:00 EDT -> 01:00 EST: 01:xx happens twice.
        (datetime(2024, 11, 3, 5, 30, tzinfo=UTC), 3, date(2024, 11, 2)),  # 01:30 EDT
        (datetime(2024, 11, 3, 6, 30, tzinfo=UTC), 3, date(2024, 11, 2)),  # 01:30 EST
        (datetime(2024, 11, 3, 7, 59, tzinfo=UTC), 3, date(2024, 11, 2)),  # 02:59 EST
        (datetime(2024, 11, 3, 8, 0, tzinfo=UTC), 3, date(2024, 11, 3)),  # 03:00 EST
        # A rollover hour inside the repeated hour: the day begins at its first occurrence.
        (datetime(2024, 11, 3, 4, 59, tzinfo=UTC), 1, date(2024, 11, 2)),  # 00:59 EDT
        (datetime(2024, 11, 3, 5, 0, tzinfo=UTC), 1, date(2024, 11, 3)),  # 01:00 EDT
        (datetime(2024, 11, 3, 6, 30, tzinfo=UTC), 1, date(2024, 11, 3)),  # 01:30 EST
    ],
)
def test_new_york_dst_changes_keep_the_local_rollover(
    utc: datetime, rollover_hour: int, expected: date
) -> None:
    assert practice_day(utc, NEW_YORK, rollover_hour) == expected


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Berlin springs forward 2024-03-31 02:00 CET -> 03:00 CEST, right up to the rollover.
        (datetime(2024, 3, 31, 0, 59, tzinfo=UTC), date(2024, 3, 30)),  # 01:59 CET
        (datetime(2024, 3, 31, 1, 0, tzinfo=UTC), date(2024, 3, 31)),  # 03:00 CEST
        # Berlin falls back 2024-10-27 03:00 CEST -> 02:00 CET: 02:xx, before the rollover, twice.
        (datetime(2024, 10, 27, 0, 30, tzinfo=UTC), date(2024, 10, 26)),  # 02:30 CEST
        (datetime(2024, 10, 27, 1, 30, tzinfo=UTC), date(2024, 10, 26)),  # 02:30 CET
        (datetime(2024, 10, 27, 1, 59, tzinfo=UTC), date(2024, 10, 26)),  # 02:59 CET
        (datetime(2024, 10, 27, 2, 0, tzinfo=UTC), date(2024, 10, 27)),  # 03:00 CET
    ],
)
def test_berlin_dst_changes_keep_the_local_rollover(utc: datetime, expected: date) -> None:
    assert practice_day(utc, BERLIN, 3) == expected


@pytest.mark.parametrize(
    ("zone", "first", "last"),
    [
        (NEW_YORK, date(2024, 3, 1), date(2024, 3, 20)),
        (NEW_YORK, date(2024, 10, 25), date(2024, 11, 10)),
        (BERLIN, date(2024, 3, 25), date(2024, 4, 5)),
        (BERLIN, date(2024, 10, 20), date(2024, 11, 2)),
    ],
)
def test_nightly_practice_across_a_dst_change_keeps_the_streak(
    zone: str, first: date, last: date
) -> None:
    # Every night at midnight local, which belongs to the evening before.
    events = daily(zone, first + timedelta(days=1), last + timedelta(days=1), hour=0)
    days = (last - first).days + 1

    result = summary(events, now=noon(last + timedelta(days=1), zone), zone=zone)

    assert result.practice_days == {first + timedelta(days=n) for n in range(days)}
    assert (result.current, result.longest) == (days, days)


# --- far-off zones where the UTC date is not the local day ----------------------------------------


def test_kiritimati_practice_is_the_local_day_not_the_utc_day() -> None:
    # 14:00 UTC on 10 March is 04:00 on 11 March in Kiritimati.
    morning = practice(datetime(2024, 3, 10, 14, 0, tzinfo=UTC), zone=KIRITIMATI)
    # 11:00 UTC on 10 March is 01:00 on 11 March there: before the rollover, so 10 March.
    late_night = practice(datetime(2024, 3, 10, 11, 0, tzinfo=UTC), zone=KIRITIMATI)

    result = summary(
        [morning, late_night], now=datetime(2024, 3, 10, 20, 0, tzinfo=UTC), zone=KIRITIMATI
    )

    assert result.today == date(2024, 3, 11)
    assert result.practice_days == {date(2024, 3, 10), date(2024, 3, 11)}
    assert result.practised_today
    assert result.current == 2


def test_pago_pago_practice_is_the_local_day_not_the_utc_day() -> None:
    # 08:00 UTC on 11 March is 21:00 on 10 March in Pago Pago.
    evening = practice(datetime(2024, 3, 11, 8, 0, tzinfo=UTC), zone=PAGO_PAGO)

    result = summary([evening], now=datetime(2024, 3, 11, 9, 0, tzinfo=UTC), zone=PAGO_PAGO)

    assert result.today == date(2024, 3, 10)
    assert result.practice_days == {date(2024, 3, 10)}
    assert result.practised_today


def test_daily_practice_in_kiritimati_and_pago_pago_keeps_a_streak() -> None:
    for zone in (KIRITIMATI, PAGO_PAGO):
        events = daily(zone, date(2024, 3, 1), date(2024, 3, 14), hour=7)

        result = summary(events, now=noon(date(2024, 3, 14), zone), zone=zone)

        assert (result.current, result.longest, result.total_days) == (14, 14, 14), zone


# --- a patient who changes time zone --------------------------------------------------------------


def test_moving_zone_keeps_past_days_in_the_zone_they_were_practised_in() -> None:
    # 08:00 in Berlin on 2 March is 02:00 in New York: re-bucketed there it would be 1 March.
    in_berlin = [
        practice(local(BERLIN, 2024, 3, 1, 20), zone=BERLIN),
        practice(local(BERLIN, 2024, 3, 2, 8), zone=BERLIN),
    ]
    in_new_york = [practice(local(NEW_YORK, 2024, 3, 3, 19), zone=NEW_YORK)]

    result = summary(in_berlin + in_new_york, now=local(NEW_YORK, 2024, 3, 3, 21), zone=NEW_YORK)

    assert result.practice_days == {date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)}
    assert (result.current, result.today) == (3, date(2024, 3, 3))


def test_event_without_zone_uses_the_patients_current_zone() -> None:
    moment = local(BERLIN, 2024, 3, 5, 8)  # 02:00 in New York, before the rollover there

    assert summary([practice(moment)], now=noon(WED), zone=BERLIN).practice_days == {TUE}
    assert summary([practice(moment)], now=noon(WED), zone=NEW_YORK).practice_days == {MON}


def test_two_practices_on_one_local_day_in_different_zones_count_once() -> None:
    # Evening in Berlin, then a flight west and an evening in New York: both are 4 March there.
    events = [
        practice(local(BERLIN, 2024, 3, 4, 9), zone=BERLIN),
        practice(local(NEW_YORK, 2024, 3, 4, 20), zone=NEW_YORK),
    ]

    result = summary(events, now=noon(TUE, NEW_YORK), zone=NEW_YORK)

    assert (result.total_days, result.current, result.total_minutes) == (1, 1, 20)


# --- the current streak ---------------------------------------------------------------------------


def test_today_is_not_required_until_it_ends() -> None:
    events = on_days(MON, TUE, WED)

    late_thursday = summary(events, now=local(BERLIN, 2024, 3, 7, 23, 30))
    thursday_small_hours = summary(events, now=local(BERLIN, 2024, 3, 8, 2, 30))
    friday = summary(events, now=local(BERLIN, 2024, 3, 8, 3, 0))

    assert (late_thursday.current, late_thursday.today) == (3, THU)
    assert (thursday_small_hours.current, thursday_small_hours.today) == (3, THU)
    assert (friday.current, friday.current_period, friday.longest) == (0, None, 3)


def test_practice_today_extends_the_current_streak() -> None:
    result = summary(on_days(MON, TUE, WED, THU), now=noon(THU))

    assert (result.current, result.practised_today) == (4, True)
    assert result.current_period == StreakPeriod(MON, THU, 4)


def test_missed_day_breaks_the_streak() -> None:
    result = summary(on_days(MON, TUE, THU, FRI), now=noon(FRI))

    assert (result.current, result.longest, result.total_days) == (2, 2, 4)
    assert result.history == (StreakPeriod(THU, FRI, 2), StreakPeriod(MON, TUE, 2))


def test_no_practice_gives_zeroes_and_no_history() -> None:
    result = summary([], now=noon(MON))

    assert (result.current, result.longest, result.total_days, result.total_minutes) == (
        0,
        0,
        0,
        0,
    )
    assert (result.history, result.current_period, result.practice_days) == ((), None, frozenset())
    assert (result.milestone, result.next_milestone) == (None, 3)


def test_days_in_the_last_7_and_30_end_today() -> None:
    first = date(2024, 1, 1)
    events = daily(BERLIN, first, date(2024, 3, 1)) + on_days(date(2024, 3, 3))
    # Today is 5 March: the last 7 days are 28 Feb-5 Mar, the last 30 are 5 Feb-5 Mar.
    result = summary(events, now=noon(date(2024, 3, 5)))

    assert result.days_last_7 == 4  # 28, 29 Feb, 1 and 3 Mar
    assert result.days_last_30 == 27  # 5-29 Feb, 1 and 3 Mar


def test_days_after_today_are_ignored() -> None:
    events = on_days(MON, TUE, WED)

    result = summary(events, now=noon(TUE))

    assert (result.total_days, result.current, result.total_minutes) == (2, 2, 20)


# --- rest days (clinic policy) --------------------------------------------------------------------


def test_rest_day_neither_breaks_nor_extends_the_streak() -> None:
    result = summary(on_days(MON, TUE, WED, FRI, SAT, SUN), now=noon(SUN), rest_days_per_week=1)

    assert result.current == 6
    assert result.current_period == StreakPeriod(MON, SUN, 6)
    assert len(result.history) == 1


def test_second_day_off_in_a_week_breaks_when_one_rest_day_is_allowed() -> None:
    result = summary(on_days(MON, WED, THU, SAT, SUN), now=noon(SUN), rest_days_per_week=1)

    assert result.history == (StreakPeriod(SAT, SUN, 2), StreakPeriod(MON, THU, 3))


def test_rest_days_are_allotted_per_iso_week() -> None:
    # Sunday of one week and Monday of the next are each that week's one rest day.
    events = on_days(MON, TUE, WED, THU, FRI, SAT, date(2024, 3, 12))

    result = summary(events, now=noon(date(2024, 3, 12)), rest_days_per_week=1)

    assert (result.current, len(result.history)) == (7, 1)


def test_day_off_before_a_streak_starts_uses_that_weeks_rest_day() -> None:
    # Monday off (the week's rest day, though no streak was running), Thursday off: a break.
    result = summary(on_days(TUE, WED, FRI, SAT), now=noon(SAT), rest_days_per_week=1)

    assert result.history == (StreakPeriod(FRI, SAT, 2), StreakPeriod(TUE, WED, 2))


def test_rest_day_yesterday_keeps_the_current_streak() -> None:
    events = on_days(MON, TUE, WED, THU)

    saturday = summary(events, now=noon(SAT), rest_days_per_week=1)
    sunday = summary(events, now=noon(SUN), rest_days_per_week=1)

    assert saturday.current == 4  # Friday is the rest day, Saturday has not ended
    assert (sunday.current, sunday.current_period, sunday.longest) == (0, None, 4)


@pytest.mark.parametrize(("gap", "streaks"), [(12, 1), (13, 2)])
def test_six_rest_days_a_week_bridge_at_most_twelve_days_off(gap: int, streaks: int) -> None:
    # With six rest days, one practice day per ISO week keeps a streak; 13 days off always
    # include a whole week without practice.
    last = TUE + timedelta(days=gap)
    result = summary(on_days(MON, last), now=noon(last), rest_days_per_week=6)

    assert len(result.history) == streaks


def test_without_rest_days_any_day_off_breaks() -> None:
    result = summary(on_days(MON, WED), now=noon(WED))

    assert len(result.history) == 2


# --- history and milestones ---------------------------------------------------------------------


def test_history_keeps_past_streaks_newest_first() -> None:
    events = (
        daily(BERLIN, date(2024, 1, 1), date(2024, 1, 10))
        + daily(BERLIN, date(2024, 2, 1), date(2024, 2, 3))
        + daily(BERLIN, date(2024, 3, 1), date(2024, 3, 5))
    )

    result = summary(events, now=noon(date(2024, 3, 20)))

    assert result.history == (
        StreakPeriod(date(2024, 3, 1), date(2024, 3, 5), 5),
        StreakPeriod(date(2024, 2, 1), date(2024, 2, 3), 3),
        StreakPeriod(date(2024, 1, 1), date(2024, 1, 10), 10),
    )
    assert (result.current, result.longest, result.total_days) == (0, 10, 18)


@pytest.mark.parametrize(
    ("days", "milestone", "next_milestone"),
    [(1, None, 3), (3, 3, 7), (6, 3, 7), (7, 7, 14), (100, 90, 180), (365, 365, None)],
)
def test_milestone_is_the_highest_reached_by_the_current_streak(
    days: int, milestone: int | None, next_milestone: int | None
) -> None:
    last = date(2024, 1, 1) + timedelta(days=days - 1)
    result = summary(daily(BERLIN, date(2024, 1, 1), last), now=noon(last))

    assert result.current == days
    assert (result.milestone, result.next_milestone) == (milestone, next_milestone)


def test_every_milestone_has_an_encouraging_message() -> None:
    discouraging = ("lost", "broke", "fail", "miss", "only", "don't", "should")
    for days in MILESTONES:
        message = milestone_message(days)
        assert message, days
        assert not any(word in message.lower() for word in discouraging), message


@pytest.mark.parametrize("days", [0, 1, 2, 4, 8, 366, -3])
def test_no_message_between_milestones(days: int) -> None:
    assert milestone_message(days) is None


# --- duplicates, minutes and what does not count --------------------------------------------------


def test_replayed_events_do_not_inflate_days_or_minutes() -> None:
    event = practice(local(BERLIN, 2024, 3, 4, 9), zone=BERLIN, minutes=12)

    result = summary([event, event, practice(event.started_at, zone=BERLIN, minutes=12)], noon(MON))

    assert (result.total_days, result.current, result.total_minutes) == (1, 1, 12)


def test_several_practices_on_one_day_count_once_with_all_their_minutes() -> None:
    events = [
        practice(local(BERLIN, 2024, 3, 4, 9), zone=BERLIN, minutes=10),
        practice(local(BERLIN, 2024, 3, 4, 18), zone=BERLIN, minutes=20.4),
        practice(local(BERLIN, 2024, 3, 5, 1), zone=BERLIN, minutes=5.3),
    ]

    result = summary(events, now=noon(TUE))

    assert (result.total_days, result.current, result.total_minutes) == (1, 1, 36)


def test_unfinished_practice_adds_minutes_but_not_days() -> None:
    events = [
        practice(local(BERLIN, 2024, 3, 4, 9), zone=BERLIN),
        practice(local(BERLIN, 2024, 3, 5, 9), zone=BERLIN, minutes=3, counts=False),
    ]

    result = summary(events, now=noon(TUE))

    assert (result.total_days, result.current, result.total_minutes) == (1, 1, 13)
    assert (result.practised_today, result.practice_days) == (False, frozenset({MON}))


def test_total_minutes_adds_each_days_minutes_rounded_half_up() -> None:
    # 20 s, 30 s, 89 s and 90 s on four days: 0 + 1 + 1 + 2, as the calendar shows them.
    events = [
        practice(local(BERLIN, 2024, 3, day, 9), zone=BERLIN, minutes=seconds / 60)
        for day, seconds in ((1, 20), (2, 30), (3, 89), (4, 90))
    ]

    result = summary(events, now=noon(TUE))

    assert result.total_minutes == 4


def test_a_days_minutes_are_rounded_once_not_event_by_event() -> None:
    # Two 20 s practices on one day: 40 s is a minute, though each alone rounds to none.
    events = [
        practice(local(BERLIN, 2024, 3, 4, 9), zone=BERLIN, minutes=20 / 60),
        practice(local(BERLIN, 2024, 3, 4, 18), zone=BERLIN, minutes=20 / 60),
    ]

    assert summary(events, now=noon(TUE)).total_minutes == 1


# --- validation ---------------------------------------------------------------------------------


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        PracticeEvent(started_at=datetime(2024, 3, 4, 9), minutes=10, counts=True)  # noqa: DTZ001


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        compute_streak([], now=datetime(2024, 3, 4, 9), time_zone=BERLIN)  # noqa: DTZ001


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd", "America", "zone.tab"])
def test_unknown_zone_is_refused_by_name(zone: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone") as refused:
        compute_streak([], now=noon(MON), time_zone=zone)
    assert repr(zone) in str(refused.value)
    with pytest.raises(ValueError, match="unknown time zone"):
        PracticeEvent(started_at=noon(MON), minutes=1, counts=True, time_zone=zone)


@pytest.mark.parametrize("minutes", [-1, float("nan"), float("inf"), True])
def test_impossible_minutes_are_refused(minutes: float) -> None:
    with pytest.raises(ValueError, match="minutes"):
        PracticeEvent(started_at=noon(MON), minutes=minutes, counts=True)


@pytest.mark.parametrize(
    ("rollover_hour", "rest_days_per_week"), [(-1, 0), (24, 0), (3, -1), (3, 7)]
)
def test_policy_out_of_range_is_refused(rollover_hour: int, rest_days_per_week: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        StreakPolicy(rollover_hour=rollover_hour, rest_days_per_week=rest_days_per_week)


# --- properties -----------------------------------------------------------------------------------

ZONES = (BERLIN, NEW_YORK, KIRITIMATI, PAGO_PAGO, "UTC", "Asia/Kolkata")
EPOCH = datetime(2023, 10, 1, tzinfo=UTC)  # spans both DST changes of the years below

events_strategy = st.lists(
    st.builds(
        PracticeEvent,
        started_at=st.integers(0, 400 * 24 * 60).map(lambda m: EPOCH + timedelta(minutes=m)),
        minutes=st.floats(0, 90, allow_nan=False),
        counts=st.booleans(),
        time_zone=st.sampled_from((None, *ZONES)),
    ),
    max_size=80,
)
policies = st.builds(StreakPolicy, st.integers(0, 23), st.integers(0, 6))
nows = st.integers(0, 420 * 24).map(lambda h: EPOCH + timedelta(hours=h))
zones = st.sampled_from(ZONES)
property_settings = settings(max_examples=300, deadline=None, database=None)


def reference(days: set[date], today: date, rest_days_per_week: int) -> tuple[int, list[int]]:
    """Rules 3-5 walked day by day over the calendar: (current, days of each streak, oldest
    first)."""
    if not days:
        return 0, []
    kinds: dict[date, str] = {}
    day = min(days) - timedelta(days=min(days).weekday())  # the Monday of the first week
    skipped = 0
    while day < today or (day == today and day in days):
        if day.weekday() == 0:
            skipped = 0
        if day in days:
            kinds[day] = "practice"
        else:
            skipped += 1
            kinds[day] = "rest" if skipped <= rest_days_per_week else "missed"
        day += timedelta(days=1)
    streaks: list[int] = []
    running = False
    for day in sorted(kinds):
        if kinds[day] == "missed":
            running = False
        elif kinds[day] == "practice":
            if running:
                streaks[-1] += 1
            else:
                streaks.append(1)
                running = True
    return (streaks[-1] if running else 0), streaks


@property_settings
@given(events_strategy, nows, zones, policies)
def test_streaks_match_a_day_by_day_walk_of_the_calendar(
    events: list[PracticeEvent], now: datetime, zone: str, policy: StreakPolicy
) -> None:
    result = compute_streak(events, now=now, time_zone=zone, policy=policy)

    current, streaks = reference(set(result.practice_days), result.today, policy.rest_days_per_week)
    assert result.current == current
    assert [period.days for period in reversed(result.history)] == streaks
    assert result.longest == max(streaks, default=0)


@property_settings
@given(events_strategy, nows, zones, policies)
def test_longest_is_never_shorter_than_current(
    events: list[PracticeEvent], now: datetime, zone: str, policy: StreakPolicy
) -> None:
    result = compute_streak(events, now=now, time_zone=zone, policy=policy)

    assert result.longest >= result.current
    assert sum(period.days for period in result.history) == result.total_days


@property_settings
@given(events_strategy, nows, zones, policies, st.integers(0, 420 * 24 * 60))
def test_adding_a_practice_day_never_shortens_the_longest_streak(
    events: list[PracticeEvent], now: datetime, zone: str, policy: StreakPolicy, minute: int
) -> None:
    before = compute_streak(events, now=now, time_zone=zone, policy=policy)
    extra = practice(EPOCH + timedelta(minutes=minute), zone=zone)

    after = compute_streak([*events, extra], now=now, time_zone=zone, policy=policy)

    assert after.longest >= before.longest
    assert after.total_days >= before.total_days


@property_settings
@given(events_strategy, nows, zones, policies)
def test_counts_never_exceed_the_distinct_days(
    events: list[PracticeEvent], now: datetime, zone: str, policy: StreakPolicy
) -> None:
    result = compute_streak(events, now=now, time_zone=zone, policy=policy)

    def day_of(event: PracticeEvent) -> date:
        return practice_day(event.started_at, event.time_zone or zone, policy.rollover_hour)

    up_to_today = [event for event in events if day_of(event) <= result.today]
    counted_days = {day_of(event) for event in up_to_today if event.counts}
    assert result.total_days == len(counted_days)
    assert result.practice_days == counted_days
    assert result.current <= result.total_days
    assert result.longest <= result.total_days
    assert result.total_days <= len({day_of(event) for event in up_to_today})
    assert result.days_last_7 <= min(7, result.days_last_30)
    assert result.days_last_30 <= min(30, result.total_days)


@property_settings
@given(events_strategy, nows, zones, policies, st.randoms(use_true_random=False))
def test_order_and_repetition_of_events_do_not_matter(
    events: list[PracticeEvent],
    now: datetime,
    zone: str,
    policy: StreakPolicy,
    shuffler: random.Random,
) -> None:
    replayed = events + events[: len(events) // 2]
    shuffler.shuffle(replayed)

    original = compute_streak(events, now=now, time_zone=zone, policy=policy)
    reordered = compute_streak(replayed, now=now, time_zone=zone, policy=policy)

    assert reordered == original
