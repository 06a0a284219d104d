"""GAD-7 totals over the four severity bands."""

# The charts take local wall-clock datetimes, naive or aware; naive ones are the common case.
# ruff: noqa: DTZ001

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.unit.charts.checks import assert_inside_view_box
from wellness.practice.charts import Gad7Chart, gad7_chart

OCT_1 = date(2026, 10, 1)


def _gad7(scores: list[tuple[date, int]]) -> Gad7Chart:
    return gad7_chart(scores, start=OCT_1, now=datetime(2026, 11, 24, 23, 59))


def test_gad7_bands_stack_without_gaps_from_bottom_to_top() -> None:
    chart = _gad7([])
    minimal, mild, moderate, severe = chart.bands
    assert [band.name for band in chart.bands] == [
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
    assert_inside_view_box(chart)


def test_gad7_scale_stands_on_both_sides_of_the_plot() -> None:
    # A phone opens the chart at its newest dates, far from the scale on the left.
    chart = _gad7([(date(2026, 11, 20), 8)])
    left = [(tick.label.text, tick.label.y) for tick in chart.y_ticks]
    right = [(label.text, label.y) for label in chart.end_labels]
    assert left == right
    assert [text for text, _ in right] == ["0", "5", "10", "15", "21"]
    assert all(label.x > chart.plot.right for label in chart.end_labels)
    assert chart.plot.width > 0.85 * chart.width  # no room given to names beside the bands
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
def test_gad7_points_take_the_band_their_score_falls_in(score: int, band: str) -> None:
    (point,) = _gad7([(date(2026, 10, 20), score)]).points
    assert point.css_class == f"gad7__point gad7__point--{band.lower()}"
    assert point.label == f"GAD-7 on 20 Oct 2026: {score} out of 21, {band.lower()}"


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
