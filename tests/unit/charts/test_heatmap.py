"""The practice calendar: a square per day, placed, levelled and described."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from tests.unit.charts.checks import assert_inside_view_box, right_edge
from wellness.practice.charts import calendar_heatmap, heatmap_level

TODAY = date(2026, 11, 5)  # a Thursday


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


@pytest.mark.parametrize("today", [date(2026, 12, 2), date(2026, 12, 31), date(2027, 1, 4)])
def test_heatmap_leaves_room_for_the_newest_month_name_and_repeats_weekdays_on_the_right(
    today: date,
) -> None:
    chart = calendar_heatmap({}, [], today=today)
    assert right_edge(chart.month_labels[-1]) <= chart.width
    assert [label.text for label in chart.end_labels] == ["Mon", "Wed", "Fri", "Sun"]
    rightmost_cell = max(cell.x + cell.size for cell in chart.cells)
    assert all(label.x > rightmost_cell for label in chart.end_labels)
    assert all(right_edge(label) <= chart.width for label in chart.end_labels)
