"""`ago_changes_at`: the dashboard keeps its table's HTML until the first "how long ago" text in
it would read differently, so that moment must be exact: the text is the same at every moment
before it and differs at it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wellness.caseload.table import ago, ago_changes_at

NOW = datetime(2026, 11, 24, 14, 30, 17, 250_000, tzinfo=UTC)
offsets = st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=40))


@given(offset=offsets, fraction=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_the_text_holds_until_the_change_and_differs_at_it(
    offset: timedelta, fraction: float
) -> None:
    then = NOW - offset
    change = ago_changes_at(then, NOW)
    assert change is not None
    assert change > NOW
    # timedelta * float rounds to whole microseconds: keep it before the change
    between = min(NOW + (change - NOW) * fraction, change - timedelta(microseconds=1))

    assert ago(then, between) == ago(then, NOW)
    assert ago(then, change) != ago(then, NOW)
    assert ago(then, change - timedelta(microseconds=1)) == ago(then, NOW)


def test_boundaries_between_minutes_hours_and_days() -> None:
    cases = {
        timedelta(seconds=59): timedelta(seconds=1),  # "just now" -> "1 min ago"
        timedelta(minutes=59, seconds=30): timedelta(seconds=30),  # -> "1 h ago"
        timedelta(hours=47, minutes=59): timedelta(minutes=1),  # "47 h ago" -> "2 days ago"
        timedelta(days=5, hours=23): timedelta(hours=1),  # "5 days ago" -> "6 days ago"
        timedelta(seconds=-30): timedelta(seconds=90),  # a moment ahead of now: "just now"
    }
    for elapsed, wait in cases.items():
        assert ago_changes_at(NOW - elapsed, NOW) == NOW + wait, elapsed


def test_no_moment_never_changes() -> None:
    assert ago_changes_at(None, NOW) is None
