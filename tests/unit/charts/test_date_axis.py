"""The date axis under the rating charts: readable ticks that never overlap."""

# The charts take local wall-clock datetimes, naive or aware; naive ones are the common case.
# ruff: noqa: DTZ001

from __future__ import annotations

import time
from datetime import date, datetime
from itertools import pairwise

import pytest

from tests.unit.charts.checks import assert_inside_view_box
from wellness.practice.charts import Gad7Chart, TimelineChart, anxiety_timeline

OCT_1, NOV_24 = date(2026, 10, 1), date(2026, 11, 24)


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
