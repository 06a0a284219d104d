"""Anxiety over time: SUDS check-ins and before/after pairs on a date axis."""

# The charts take local wall-clock datetimes, naive or aware; naive ones are the common case.
# ruff: noqa: DTZ001

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.unit.charts.checks import assert_inside_view_box, right_edge
from wellness.practice.charts import TimelineChart, anxiety_timeline

OCT_1, NOV_24 = date(2026, 10, 1), date(2026, 11, 24)


def _timeline(
    checkins: list[tuple[datetime, int]] | None = None,
    pairs: list[tuple[datetime, int, int]] | None = None,
) -> TimelineChart:
    return anxiety_timeline(
        checkins or [], pairs or [], start=OCT_1, now=datetime(2026, 11, 24, 23, 59)
    )


def test_timeline_places_calm_at_the_bottom_and_worst_at_the_top() -> None:
    chart = _timeline([(datetime(2026, 10, 1, 0, 0), 0), (datetime(2026, 11, 24, 23, 59), 10)])
    calm, worst = chart.checkins
    assert calm.y == chart.plot.bottom
    assert worst.y == chart.plot.top
    assert calm.x == chart.plot.left
    assert chart.plot.left < worst.x <= chart.plot.right
    assert [tick.label.text for tick in chart.y_ticks] == [
        "0 calm",
        "2",
        "4",
        "6",
        "8",
        "10 worst",
    ]
    assert_inside_view_box(chart)


def test_timeline_orders_by_wall_clock_even_when_naive_and_aware_mix() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    chart = _timeline(
        [
            (datetime(2026, 10, 25, 12, 0, tzinfo=berlin), 5),  # the day clocks go back
            (datetime(2026, 10, 25, 9, 0), 6),
        ]
    )
    morning, noon = chart.checkins
    assert morning.label == "Check-in 25 Oct 2026, 09:00: 6 out of 10"
    assert noon.label == "Check-in 25 Oct 2026, 12:00: 5 out of 10"
    assert morning.x < noon.x
    # Positions come from the calendar and the clock face, never from elapsed seconds.
    same_wall_clock = _timeline([(datetime(2026, 10, 25, 12, 0), 5)])
    assert same_wall_clock.checkins[0].x == noon.x


def test_timeline_leaves_out_ratings_outside_its_dates() -> None:
    chart = _timeline(
        [(datetime(2026, 9, 30, 23, 59), 3), (datetime(2026, 11, 25, 0, 0), 4)],
        [(datetime(2026, 11, 25, 8, 0), 6, 2)],
    )
    assert chart.is_empty
    assert chart.empty_message.startswith("No anxiety ratings from 1 Oct to 24 Nov 2026 yet.")


@pytest.mark.parametrize(
    ("before", "after", "direction", "words"),
    [
        (6, 3, "down", "(3 points lower after)"),
        (4, 5, "up", "(1 point higher after)"),
        (5, 5, "same", "(the same after)"),
    ],
)
def test_timeline_pairs_point_the_way_anxiety_went(
    before: int, after: int, direction: str, words: str
) -> None:
    chart = _timeline(pairs=[(datetime(2026, 11, 1, 18, 30), before, after)])
    (pair,) = chart.pairs
    assert pair.direction == direction
    assert pair.css_class == f"timeline__pair timeline__pair--{direction}"
    assert pair.label == f"Session 1 Nov 2026, 18:30: {before} before, {after} after {words}"
    assert (pair.y_after > pair.y_before) == (direction == "down")
    assert pair.after_path.startswith("M")
    assert pair.after_path.endswith("Z")
    assert_inside_view_box(chart)


def test_timeline_summary_reads_as_one_sentence() -> None:
    checkins = [(datetime(2026, 10, day, 9, 0), level) for day, level in [(2, 8), (9, 2), (20, 4)]]
    pairs = [(datetime(2026, 11, 1, 18, 0), 6, 3), (datetime(2026, 11, 8, 18, 0), 4, 5)]
    chart = _timeline(checkins, pairs)
    assert chart.summary == (
        "Anxiety from 1 Oct to 24 Nov 2026: 3 check-ins, lowest 2, highest 8, latest 4; "
        "2 sessions rated before and after, anxiety lower after 1 of them."
    )


@pytest.mark.parametrize(
    ("levels", "ending"),
    [([4], "1 check-in, rated 4."), ([5, 5, 5], "3 check-ins, all rated 5.")],
)
def test_timeline_summary_for_one_or_equal_ratings(levels: list[int], ending: str) -> None:
    chart = _timeline([(datetime(2026, 10, 2 + i, 9, 0), level) for i, level in enumerate(levels)])
    assert chart.summary == f"Anxiety from 1 Oct to 24 Nov 2026: {ending}"
    assert len({point.y for point in chart.checkins}) == 1


def test_timeline_without_check_ins_still_summarises_sessions() -> None:
    chart = _timeline(pairs=[(datetime(2026, 11, 1, 18, 0), 6, 3)])
    assert chart.summary == (
        "Anxiety from 1 Oct to 24 Nov 2026: no check-ins; "
        "1 session rated before and after, anxiety lower after 1 of them."
    )


def test_timeline_table_lists_every_rating_in_time_order() -> None:
    chart = _timeline([(datetime(2026, 10, 3, 9, 15), 4)], [(datetime(2026, 10, 2, 18, 0), 6, 3)])
    assert chart.table_headers == ("When", "Check-in", "Before a session", "After the session")
    assert chart.table_rows == (
        ("2 Oct 2026, 18:00", "\u2013", "6", "3"),
        ("3 Oct 2026, 09:15", "4", "\u2013", "\u2013"),
    )


def test_timeline_clamps_impossible_ratings_but_reports_them_truthfully() -> None:
    chart = _timeline([(datetime(2026, 10, 2, 9, 0), 10**9), (datetime(2026, 10, 3, 9, 0), -3)])
    high, low = chart.checkins
    assert high.y == chart.plot.top
    assert low.y == chart.plot.bottom
    assert high.label.endswith("1,000,000,000 out of 10")
    assert_inside_view_box(chart)


def test_timeline_repeats_its_scale_right_of_the_plot() -> None:
    chart = _timeline([(datetime(2026, 11, 3, 9, 0), 5)])
    assert [label.text for label in chart.end_labels] == ["0", "2", "4", "6", "8", "10"]
    assert all(label.x > chart.plot.right for label in chart.end_labels)
    assert all(right_edge(label) <= chart.width for label in chart.end_labels)


def test_timeline_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValueError, match="end"):
        anxiety_timeline([], [], start=NOV_24, now=datetime(2026, 10, 1, 12))
