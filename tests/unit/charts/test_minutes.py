"""Minutes practised per week, as bars."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from tests.unit.charts.checks import assert_inside_view_box, right_edge
from wellness.practice.charts import weekly_minutes

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
        "Minutes of practice per week over 2 weeks (weeks starting 5 Oct to 12 Oct 2026): "
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


def test_weekly_minutes_repeat_their_scale_right_of_the_plot() -> None:
    chart = weekly_minutes([(WEEK, 1200)])
    assert [label.text for label in chart.end_labels] == [tick.label.text for tick in chart.y_ticks]
    assert all(label.x > chart.plot.right for label in chart.end_labels)
    assert all(right_edge(label) <= chart.width for label in chart.end_labels)
