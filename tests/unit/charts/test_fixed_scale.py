"""Charts that scroll sideways on a phone keep their value scale in view: it is drawn as an
SVG of its own (the chart's `scale_view_box`), sticky beside the part that scrolls. Only the
scale is left of `scale_width`, and the scale is all there is."""

from __future__ import annotations

import math

import pytest

from tests.unit.charts.checks import right_edge
from tests.unit.charts.test_templates import CHARTS, SVG, parse, render
from wellness.practice.charts import ChartBase, Heatmap, PlotChart, Text

SCROLLING = sorted(name for name in CHARTS if name != "change_chart")


def left_edge(label: Text, size: float = 11) -> float:
    width = len(label.text) * size * 0.6
    return label.x - {"start": 0.0, "middle": width / 2, "end": width}[label.anchor]


def scale_labels(chart: ChartBase) -> tuple[Text, ...]:
    if isinstance(chart, Heatmap):
        return chart.weekday_labels
    assert isinstance(chart, PlotChart)
    return tuple(tick.label for tick in chart.y_ticks)


def other_texts(chart: ChartBase) -> list[Text]:
    """Every text the part that scrolls draws: labels, ticks' labels, values."""
    scale = set(scale_labels(chart))
    found: list[Text] = []

    def walk(value: object) -> None:
        if isinstance(value, Text):
            if value not in scale:
                found.append(value)
        elif isinstance(value, tuple):
            for item in value:
                walk(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name))

    walk(chart)
    return found


@pytest.mark.parametrize("name", SCROLLING)
def test_the_scale_fits_left_of_the_part_that_scrolls(name: str) -> None:
    chart = CHARTS[name]
    labels = scale_labels(chart)

    assert 0 < chart.scale_width < chart.width / 4
    assert labels
    assert all(left_edge(label) >= 0 for label in labels)
    assert all(right_edge(label) <= chart.scale_width for label in labels)
    assert all(left_edge(text) >= chart.scale_width for text in other_texts(chart))


@pytest.mark.parametrize("name", SCROLLING)
def test_both_parts_draw_at_one_size(name: str) -> None:
    chart = CHARTS[name]
    scale_box = [float(n) for n in chart.scale_view_box.split()]
    plot_box = [float(n) for n in chart.plot_view_box.split()]
    shares = [float(share.rstrip("%")) for share in (chart.scale_share, chart.plot_share)]

    assert scale_box == [0, 0, chart.scale_width, chart.height]
    assert plot_box[0] == chart.scale_width
    assert math.isclose(plot_box[0] + plot_box[2], chart.width)
    assert plot_box[3] == chart.height
    assert math.isclose(sum(shares), 100, abs_tol=1e-3)
    # Units per percent of the strip's width are the same in both parts.
    assert math.isclose(scale_box[2] / shares[0], plot_box[2] / shares[1], rel_tol=1e-4)


@pytest.mark.parametrize("name", SCROLLING)
def test_the_scale_is_drawn_apart_sticky_and_hidden_from_screen_readers(name: str) -> None:
    chart = CHARTS[name]
    root = parse(render(name, chart))
    strip = root.find(".//div[@class='chart__strip']")
    assert strip is not None

    scale, plot = list(strip)

    assert "chart__scale" in scale.get("class", "").split()
    assert (scale.get("aria-hidden"), scale.get("viewBox")) == ("true", chart.scale_view_box)
    assert scale.get("width") == chart.scale_share
    scale_texts = [text.text for text in scale.iter(f"{SVG}text")]
    assert scale_texts == [label.text for label in scale_labels(chart)]
    # The part that scrolls draws every other text, and not the scale's a second time.
    plot_texts = sorted(text.text or "" for text in plot.iter(f"{SVG}text"))
    assert plot_texts == sorted(text.text for text in other_texts(chart))
    assert (plot.get("role"), plot.get("viewBox")) == ("img", chart.plot_view_box)


def test_a_chart_that_fits_is_one_svg() -> None:
    root = parse(render("change_chart", CHARTS["change_chart"]))

    assert root.find(".//div[@class='chart__strip']") is None
    assert len(root.findall(f".//{SVG}svg")) == 1
