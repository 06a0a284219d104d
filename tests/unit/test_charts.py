"""Chart geometry for the progress page: positions, levels, labels and summaries."""

# The charts take local wall-clock datetimes, naive or aware; naive ones are the common case.
# ruff: noqa: DTZ001

from __future__ import annotations

import dataclasses
import math
import time
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from wellness.lib.charts import (
    BarChart,
    ChangeChart,
    ChartBase,
    Gad7Chart,
    Heatmap,
    Text,
    TimelineChart,
    anxiety_timeline,
    average_change,
    calendar_heatmap,
    gad7_band,
    gad7_chart,
    heatmap_level,
    weekly_minutes,
)

TODAY = date(2026, 11, 5)  # a Thursday
MINUS = "\u2212"

_X_FIELDS = {"x", "x1", "x2", "left", "right"}
_Y_FIELDS = {"y", "y1", "y2", "top", "bottom", "y_before", "y_after"}


def _numbers(value: object, name: str = "") -> list[tuple[str, float]]:
    """Every number field in a chart, with its field name, found by walking the dataclasses."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found: list[tuple[str, float]] = []
        for item in dataclasses.fields(value):
            found += _numbers(getattr(value, item.name), item.name)
        return found
    if isinstance(value, tuple):
        return [pair for element in value for pair in _numbers(element, name)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(name, float(value))]
    return []


def assert_inside_view_box(chart: ChartBase) -> None:
    numbers = _numbers(chart)
    assert all(math.isfinite(number) for _, number in numbers)
    for name, number in numbers:
        if name in _X_FIELDS:
            assert 0 <= number <= chart.width, (name, number)
        if name in _Y_FIELDS:
            assert 0 <= number <= chart.height, (name, number)


def test_view_box_reads_as_svg_wants_it() -> None:
    chart = weekly_minutes([])
    assert chart.view_box == f"0 0 {chart.width} {chart.height}"


# Calendar heatmap ------------------------------------------------------------------------------


def test_heatmap_has_a_column_per_week_ending_with_todays_week() -> None:
    chart = calendar_heatmap({}, [], today=TODAY, weeks=26)
    first, last = chart.cells[0], chart.cells[-1]
    assert first.day == date(2026, 5, 11)
    assert first.day.weekday() == 0
    assert last.day == TODAY
    # 25 full weeks, then Monday to Thursday of this week.
    assert len(chart.cells) == 25 * 7 + 4
    assert {cell.x for cell in chart.cells[-4:]} == {last.x}
    assert len({cell.x for cell in chart.cells}) == 26
    assert_inside_view_box(chart)


def test_heatmap_leaves_out_days_after_today() -> None:
    chart = calendar_heatmap({TODAY + timedelta(days=1): 30}, [], today=TODAY)
    assert max(cell.day for cell in chart.cells) == TODAY
    assert chart.total_minutes == 0


@pytest.mark.parametrize(
    ("week_start", "first_weekday", "labels"),
    [(0, 0, ["Mon", "Wed", "Fri", "Sun"]), (6, 6, ["Sun", "Tue", "Thu", "Sat"])],
)
def test_heatmap_rows_follow_the_chosen_first_weekday(
    week_start: int, first_weekday: int, labels: list[str]
) -> None:
    chart = calendar_heatmap({}, [], today=TODAY, weeks=4, week_start=week_start)
    assert chart.cells[0].day.weekday() == first_weekday
    assert [label.text for label in chart.weekday_labels] == labels
    assert chart.table_headers[1] == labels[0]


def test_heatmap_on_the_first_day_of_the_week_starts_a_new_column() -> None:
    monday = date(2026, 11, 2)
    chart = calendar_heatmap({}, [], today=monday, weeks=2)
    assert len(chart.cells) == 8
    assert chart.cells[-1].day == monday
    assert chart.cells[-1].y == chart.cells[0].y
    assert chart.cells[-1].x > chart.cells[0].x


@pytest.mark.parametrize(
    ("minutes", "practised", "level"),
    [
        (0, False, 0),
        (0, True, 1),
        (1, False, 1),
        (9, True, 1),
        (10, True, 2),
        (19, True, 2),
        (20, True, 3),
        (39, True, 3),
        (40, True, 4),
        (10**9, True, 4),
    ],
)
def test_heatmap_level_buckets_minutes(minutes: int, practised: bool, level: int) -> None:
    assert heatmap_level(minutes, practised=practised) == level


def test_heatmap_cells_say_what_happened_each_day() -> None:
    minutes = {date(2026, 11, 2): 12, date(2026, 11, 3): 1, date(2026, 11, 4): 3}
    practised = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 10, 30)]
    chart = calendar_heatmap(minutes, practised, today=TODAY)
    labels = {cell.day: cell.label for cell in chart.cells}
    assert labels[date(2026, 11, 2)] == "Monday 2 November 2026: practised, 12 minutes"
    assert labels[date(2026, 11, 3)] == "Tuesday 3 November 2026: practised, 1 minute"
    assert labels[date(2026, 11, 4)] == "Wednesday 4 November 2026: 3 minutes listened"
    assert labels[date(2026, 10, 30)] == "Friday 30 October 2026: practised"
    assert labels[TODAY] == "Thursday 5 November 2026: no practice"
    today_cell = chart.cells[-1]
    assert "heatmap__cell--today" in today_cell.css_class
    assert "heatmap__cell--l0" in today_cell.css_class


def test_heatmap_summary_counts_only_days_in_the_window() -> None:
    old = TODAY - timedelta(weeks=30)
    chart = calendar_heatmap(
        {date(2026, 11, 2): 12, date(2026, 11, 3): 20, old: 50},
        [date(2026, 11, 2), date(2026, 11, 3), old],
        today=TODAY,
    )
    assert chart.practice_days == 2
    assert chart.total_minutes == 32
    assert chart.summary == (
        "Practice calendar for the 26 weeks from 11 May to 5 Nov 2026: "
        "practised on 2 days, 32 minutes in all."
    )
    assert not chart.is_empty


def test_heatmap_table_has_a_row_per_week_with_the_same_numbers() -> None:
    chart = calendar_heatmap(
        {date(2026, 11, 2): 12, date(2026, 11, 4): 3}, [date(2026, 11, 2)], today=TODAY, weeks=2
    )
    assert chart.table_headers == (
        "Week starting",
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
        "Minutes",
    )
    assert chart.table_rows == (
        ("26 Oct 2026", *["\u2013"] * 7, "0"),
        ("2 Nov 2026", "\u2713 12", "\u2013", "3", "\u2013", "", "", "", "15"),
    )


def test_empty_heatmap_says_so_kindly() -> None:
    chart = calendar_heatmap({}, [], today=TODAY)
    assert chart.is_empty
    assert chart.empty_message.startswith("No practice recorded in the last 26 weeks yet.")
    assert "practised on 0 days, 0 minutes" in chart.summary


def test_heatmap_month_labels_sit_over_the_first_of_the_month_and_never_crowd() -> None:
    chart = calendar_heatmap({}, [], today=date(2027, 2, 10), weeks=26)
    texts = [label.text for label in chart.month_labels]
    assert "Jan 2027" in texts
    assert texts[-1] == "Feb"
    november_first = next(cell for cell in chart.cells if cell.day == date(2026, 11, 1))
    november = next(label for label in chart.month_labels if label.text == "Nov")
    assert november.x == november_first.x
    positions = [label.x for label in chart.month_labels]
    assert all(b - a >= 45 for a, b in pairwise(positions))


def test_heatmap_shrugs_off_odd_minutes() -> None:
    chart = calendar_heatmap(
        {date(2026, 11, 2): -5, date(2026, 11, 3): 10**15}, [], today=TODAY, weeks=1
    )
    assert [cell.minutes for cell in chart.cells[:2]] == [0, 10**15]
    assert chart.cells[1].level == 4
    assert "1,000,000,000,000,000 minutes" in chart.summary
    assert_inside_view_box(chart)


@pytest.mark.parametrize(("weeks", "week_start"), [(0, 0), (26, 7), (26, -1)])
def test_heatmap_refuses_impossible_shapes(weeks: int, week_start: int) -> None:
    with pytest.raises(ValueError, match="week"):
        calendar_heatmap({}, [], today=TODAY, weeks=weeks, week_start=week_start)


def test_heatmap_of_a_year_fits_its_view_box() -> None:
    chart = calendar_heatmap({TODAY: 30}, [TODAY], today=TODAY, weeks=53)
    assert len({cell.x for cell in chart.cells}) == 53
    assert_inside_view_box(chart)


def _right_edge(label: Text, size: float = 11) -> float:
    width = len(label.text) * size * 0.6
    return label.x + {"start": width, "middle": width / 2, "end": 0.0}[label.anchor]


@pytest.mark.parametrize("today", [date(2026, 12, 2), date(2026, 12, 31), date(2027, 1, 4)])
def test_heatmap_leaves_room_for_the_newest_month_name_and_repeats_weekdays_on_the_right(
    today: date,
) -> None:
    chart = calendar_heatmap({}, [], today=today)
    assert _right_edge(chart.month_labels[-1]) <= chart.width
    assert [label.text for label in chart.end_labels] == ["Mon", "Wed", "Fri", "Sun"]
    rightmost_cell = max(cell.x + cell.size for cell in chart.cells)
    assert all(label.x > rightmost_cell for label in chart.end_labels)
    assert all(_right_edge(label) <= chart.width for label in chart.end_labels)


def test_timeline_and_minutes_repeat_their_scale_right_of_the_plot() -> None:
    timeline = _timeline([(datetime(2026, 11, 3, 9, 0), 5)])
    assert [label.text for label in timeline.end_labels] == ["0", "2", "4", "6", "8", "10"]
    minutes = weekly_minutes([(WEEK, 1200)])
    assert [label.text for label in minutes.end_labels] == [
        tick.label.text for tick in minutes.y_ticks
    ]
    for chart in (timeline, minutes):
        assert all(label.x > chart.plot.right for label in chart.end_labels)
        assert all(_right_edge(label) <= chart.width for label in chart.end_labels)


def test_change_chart_text_fits_its_narrow_view_box() -> None:
    chart = _change([("A practice with a long name " * 3, -2.5, 10**4), ("Yoga", 1.0, 12)])
    labels = [label for bar in chart.bars for label in (bar.value, bar.count)]
    labels += list(chart.direction_labels)
    assert all(_right_edge(label) <= chart.width for label in labels)
    assert all(_right_edge(bar.name, 12.5) <= chart.width for bar in chart.bars)
    lower, higher = chart.direction_labels
    assert _right_edge(lower) < higher.x - len(higher.text) * 11 * 0.6


# Anxiety over time -----------------------------------------------------------------------------

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


def _tick_texts(chart: TimelineChart | Gad7Chart) -> list[str]:
    return [tick.label.text for tick in chart.x_ticks]


def _assert_ticks_do_not_overlap(chart: TimelineChart | Gad7Chart) -> None:
    labels = [tick.label for tick in chart.x_ticks]
    for left, right in pairwise(labels):
        half_widths = (len(left.text) + len(right.text)) * 11 * 0.6 / 2
        assert right.x - left.x >= half_widths, (left, right)
    for label in labels:
        half = len(label.text) * 11 * 0.6 / 2
        assert label.x - half >= 0
        assert label.x + half <= chart.width


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 5), date(2026, 11, 5), ["5 Nov"]),
        (date(2026, 11, 1), date(2026, 11, 7), [f"{day} Nov" for day in range(1, 8)]),
        (
            OCT_1,
            NOV_24,
            ["5 Oct", "12 Oct", "19 Oct", "26 Oct", "2 Nov", "9 Nov", "16 Nov", "23 Nov"],
        ),
        (
            date(2026, 6, 10),
            date(2027, 3, 1),
            ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan 2027", "Feb", "Mar"],
        ),
        (
            date(2015, 3, 1),
            date(2026, 11, 5),
            ["2016", "2018", "2020", "2022", "2024", "2026"],
        ),
    ],
)
def test_date_axis_picks_readable_ticks(start: date, end: date, expected: list[str]) -> None:
    chart = anxiety_timeline([], [], start=start, now=datetime(end.year, end.month, end.day, 9))
    assert _tick_texts(chart) == expected
    _assert_ticks_do_not_overlap(chart)
    assert_inside_view_box(chart)


def test_date_axis_copes_with_the_whole_calendar_quickly() -> None:
    began = time.perf_counter()
    chart = anxiety_timeline(
        [(datetime(5000, 1, 1, 12, 0), 5)], [], start=date.min, now=datetime(9999, 12, 31, 23, 59)
    )
    assert time.perf_counter() - began < 0.5
    assert 2 <= len(chart.x_ticks) <= 12
    _assert_ticks_do_not_overlap(chart)
    assert_inside_view_box(chart)


def test_timeline_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValueError, match="end"):
        anxiety_timeline([], [], start=NOV_24, now=datetime(2026, 10, 1, 12))


# GAD-7 -----------------------------------------------------------------------------------------


def _gad7(scores: list[tuple[date, int]]) -> Gad7Chart:
    return gad7_chart(scores, start=OCT_1, now=datetime(2026, 11, 24, 23, 59))


def test_gad7_bands_stack_without_gaps_from_bottom_to_top() -> None:
    chart = _gad7([])
    minimal, mild, moderate, severe = chart.bands
    assert [band.label.text for band in chart.bands] == [
        "Minimal 0\u20134",
        "Mild 5\u20139",
        "Moderate 10\u201314",
        "Severe 15\u201321",
    ]
    assert minimal.y + minimal.height == pytest.approx(chart.plot.bottom, abs=0.11)
    assert severe.y == chart.plot.top
    for lower, upper in [(minimal, mild), (mild, moderate), (moderate, severe)]:
        assert upper.y + upper.height == pytest.approx(lower.y, abs=0.11)
    assert severe.css_class == "gad7__band gad7__band--severe"
    assert all(band.label.x > chart.plot.right for band in chart.bands)
    assert_inside_view_box(chart)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Severe"),
        (21, "Severe"),
    ],
)
def test_gad7_band_edges(score: int, band: str) -> None:
    assert gad7_band(score)[0] == band


def test_gad7_points_sit_in_their_bands_and_are_joined_by_a_line() -> None:
    chart = _gad7([(date(2026, 11, 12), 6), (date(2026, 10, 1), 21), (date(2026, 10, 15), 12)])
    first, second, third = chart.points
    assert first.y == chart.plot.top
    assert first.css_class == "gad7__point gad7__point--severe"
    assert second.label == "GAD-7 on 15 Oct 2026: 12 out of 21, moderate"
    moderate = chart.bands[2]
    assert moderate.y <= second.y <= moderate.y + moderate.height
    assert first.x < second.x < third.x
    assert chart.line_path == f"M{first.x} {first.y}L{second.x} {second.y}L{third.x} {third.y}"
    assert chart.table_rows == (
        ("1 Oct 2026", "21", "Severe"),
        ("15 Oct 2026", "12", "Moderate"),
        ("12 Nov 2026", "6", "Mild"),
    )
    assert chart.summary == (
        "GAD-7 scores from 1 Oct to 24 Nov 2026: 3 questionnaires, latest 6 (mild), "
        "lowest 6, highest 21."
    )


def test_gad7_single_score_has_a_point_but_no_line() -> None:
    chart = _gad7([(date(2026, 10, 20), 8)])
    assert len(chart.points) == 1
    assert chart.line_path == ""
    assert (
        chart.summary == "GAD-7 scores from 1 Oct to 24 Nov 2026: 1 questionnaire, score 8 (mild)."
    )


def test_gad7_equal_scores_and_empty() -> None:
    equal = _gad7([(date(2026, 10, 1), 3), (date(2026, 10, 15), 3)])
    assert equal.summary.endswith("2 questionnaires, all scored 3 (minimal).")
    empty = _gad7([(date(2026, 9, 1), 3)])
    assert empty.is_empty
    assert empty.summary == "GAD-7 scores from 1 Oct to 24 Nov 2026: none yet."
    assert "every two weeks" in empty.empty_message


def test_gad7_clamps_out_of_range_scores() -> None:
    chart = _gad7([(date(2026, 10, 1), 99), (date(2026, 10, 2), -1)])
    assert chart.points[0].y == chart.plot.top
    assert chart.points[1].y == chart.plot.bottom
    assert_inside_view_box(chart)


# Minutes per week ------------------------------------------------------------------------------

WEEK = date(2026, 10, 5)  # a Monday


def test_weekly_bars_are_proportional_and_labelled() -> None:
    chart = weekly_minutes([(WEEK, 30), (WEEK + timedelta(weeks=1), 60)])
    small, large = chart.bars
    assert small.y + small.height == large.y + large.height == chart.plot.bottom
    assert large.height == pytest.approx(2 * small.height, abs=0.2)
    assert large.y >= chart.plot.top
    assert small.label == "Week of 5 Oct 2026: 30 minutes"
    assert small.value_label is not None
    assert small.value_label.text == "30"
    assert [tick.label.text for tick in chart.y_ticks][-1] == "60"
    assert chart.summary == (
        "Minutes of practice per week, 2 weeks starting from 5 Oct to 12 Oct 2026: "
        "90 in all, most 60 in the week of 12 Oct 2026, latest week 60."
    )
    assert chart.table_rows == (("5 Oct 2026", "30"), ("12 Oct 2026", "60"))
    assert_inside_view_box(chart)


def test_weekly_gaps_are_drawn_as_zero_weeks() -> None:
    chart = weekly_minutes([(WEEK + timedelta(weeks=3), 20), (WEEK, 10)])
    assert [row[1] for row in chart.table_rows] == ["10", "0", "0", "20"]
    assert chart.bars[1].css_class == "minutes__bar minutes__bar--zero"
    assert chart.bars[1].height == 0
    # The newest week is always labelled on the axis.
    assert chart.x_labels[-1].text == "26 Oct"


def test_weekly_single_and_all_equal_weeks() -> None:
    single = weekly_minutes([(WEEK, 25)])
    assert single.summary == "Minutes of practice in the week of 5 Oct 2026: 25."
    equal = weekly_minutes([(WEEK + timedelta(weeks=i), 40) for i in range(4)])
    assert len({bar.height for bar in equal.bars}) == 1
    assert_inside_view_box(single)
    assert_inside_view_box(equal)


def test_weekly_with_no_minutes_is_empty() -> None:
    assert weekly_minutes([]).is_empty
    zero = weekly_minutes([(WEEK, 0)])
    assert zero.is_empty
    assert zero.summary == "Minutes of practice per week: none yet."


def test_weekly_huge_values_stay_finite_and_compact() -> None:
    chart = weekly_minutes([(WEEK, 10**15), (WEEK + timedelta(weeks=1), 3)])
    labels = [tick.label.text for tick in chart.y_ticks]
    assert labels[0] == "0"
    assert all(len(label) <= 7 for label in labels)
    assert chart.table_rows[0][1] == "1,000,000,000,000,000"
    assert_inside_view_box(chart)


def test_weekly_many_weeks_thin_out_labels_instead_of_overlapping() -> None:
    chart = weekly_minutes([(WEEK + timedelta(weeks=i), 10 + i) for i in range(104)])
    xs = [label.x for label in chart.x_labels]
    assert all(b - a >= 40 for a, b in pairwise(xs))
    assert all(bar.value_label is None for bar in chart.bars)
    assert_inside_view_box(chart)


def test_weekly_rows_that_are_not_weeks_apart_are_drawn_as_given() -> None:
    chart = weekly_minutes([(WEEK, 10), (WEEK + timedelta(days=10), 20)])
    assert len(chart.bars) == 2


# Average change --------------------------------------------------------------------------------


def _change(rows: list[tuple[str, float, int]]) -> ChangeChart:
    return average_change(rows)


def test_change_sorts_the_most_helpful_first() -> None:
    chart = _change([("Yoga", 0.5, 2), ("Breathing", -2.1, 12), ("Body scan", -2.1, 5)])
    assert [row[0] for row in chart.table_rows] == ["Breathing", "Body scan", "Yoga"]
    assert chart.table_rows[0] == ("Breathing", f"{MINUS}2.1", "12")
    assert chart.summary == (
        "Average change in anxiety across 3 practices: Breathing lowered it most, "
        "by 2.1 points on average over 12 rated sessions."
    )


def test_change_bars_diverge_from_zero() -> None:
    chart = _change([("Breathing", -2.0, 4), ("Yoga", 1.0, 2), ("Walk", 0.0, 1)])
    assert chart.zero_line is not None
    zero = chart.zero_line.x1
    down, same, up = chart.bars
    assert down.x + down.width == pytest.approx(zero, abs=0.11)
    assert up.x == zero
    assert down.width == pytest.approx(2 * up.width, abs=0.2)
    assert [bar.css_class for bar in chart.bars] == [
        "change__bar change__bar--down",
        "change__bar change__bar--same",
        "change__bar change__bar--up",
    ]
    assert same.width > 0
    assert down.label == "Breathing: anxiety 2 points lower on average over 4 rated sessions"
    assert up.label == "Yoga: anxiety 1 point higher on average over 2 rated sessions"
    assert same.label == "Walk: no change in anxiety on average over 1 rated session"
    assert [bar.value.text for bar in chart.bars] == [f"{MINUS}2", "0", "+1"]
    assert_inside_view_box(chart)


def test_change_truncates_long_names_in_the_chart_only() -> None:
    name = "Gentle chair yoga with a very long title that goes on and on and on"
    chart = _change([(name, -1.0, 3)])
    (bar,) = chart.bars
    assert bar.name.text.endswith("\u2026")
    assert len(bar.name.text) <= 52
    assert bar.name.full_text == name
    assert bar.label.startswith(name)
    assert chart.table_rows[0][0] == name


def test_change_leaves_out_rows_it_cannot_draw() -> None:
    chart = _change([("A", math.nan, 3), ("B", math.inf, 3), ("C", -1.0, 0), ("D", -1.0, 2)])
    assert [row[0] for row in chart.table_rows] == ["D"]


def test_change_when_nothing_helped_yet_or_nothing_rated() -> None:
    chart = _change([("Yoga", 0.0, 2), ("Sitting", 0.0, 1)])
    assert chart.summary.endswith("none lowered it on average yet.")
    assert chart.x_ticks[0].label.text == f"{MINUS}1"
    assert chart.x_ticks[-1].label.text == "+1"
    empty = _change([])
    assert empty.is_empty
    assert empty.summary == "Average change in anxiety after practice: nothing rated yet."


def test_change_huge_values_stay_inside() -> None:
    chart = _change([("Odd", -1e300, 10**12), ("Normal", -1.0, 3)])
    assert chart.bars[0].value.text.startswith(MINUS)
    assert chart.bars[0].count.text == "1T sessions"
    assert_inside_view_box(chart)


def test_every_chart_type_is_a_frozen_dataclass() -> None:
    chart: ChartBase
    for chart in (
        calendar_heatmap({}, [], today=TODAY),
        _timeline(),
        _gad7([]),
        weekly_minutes([]),
        _change([]),
    ):
        assert isinstance(chart, Heatmap | TimelineChart | Gad7Chart | BarChart | ChangeChart)
        with pytest.raises(dataclasses.FrozenInstanceError):
            chart.title = "changed"  # type: ignore[misc]
