"""What every chart shares: an SVG view box and immutability."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from wellness.practice.charts import (
    BarChart,
    ChangeChart,
    ChartBase,
    Gad7Chart,
    Heatmap,
    TimelineChart,
    anxiety_timeline,
    average_change,
    calendar_heatmap,
    gad7_chart,
    weekly_minutes,
)

TODAY = date(2026, 11, 5)
START, NOW = date(2026, 10, 1), datetime(2026, 11, 24, 23, 59)  # noqa: DTZ001 - a local wall clock


def test_view_box_reads_as_svg_wants_it() -> None:
    chart = weekly_minutes([])
    assert chart.view_box == f"0 0 {chart.width} {chart.height}"


def test_every_chart_type_is_a_frozen_dataclass() -> None:
    chart: ChartBase
    for chart in (
        calendar_heatmap({}, [], today=TODAY),
        anxiety_timeline([], [], start=START, now=NOW),
        gad7_chart([], start=START, now=NOW),
        weekly_minutes([]),
        average_change([]),
    ):
        assert isinstance(chart, Heatmap | TimelineChart | Gad7Chart | BarChart | ChangeChart)
        with pytest.raises(dataclasses.FrozenInstanceError):
            chart.title = "changed"  # type: ignore[misc]
