"""What helped most: diverging bars of the average change per practice."""

from __future__ import annotations

import math

import pytest

from tests.unit.charts.checks import assert_inside_view_box, right_edge
from wellness.practice.charts import ChangeChart, average_change

MINUS = "\u2212"


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


def test_change_chart_text_fits_its_narrow_view_box() -> None:
    chart = _change([("A practice with a long name " * 3, -2.5, 10**4), ("Yoga", 1.0, 12)])
    labels = [label for bar in chart.bars for label in (bar.value, bar.count)]
    labels += list(chart.direction_labels)
    assert all(right_edge(label) <= chart.width for label in labels)
    assert all(right_edge(bar.name, 12.5) <= chart.width for bar in chart.bars)
    lower, higher = chart.direction_labels
    assert right_edge(lower) < higher.x - len(higher.text) * 11 * 0.6
