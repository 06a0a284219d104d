"""The chart macros: well-formed, accessible SVG with a matching data table, and no inline style."""

# The charts take local wall-clock datetimes; naive ones are the common case.
# ruff: noqa: DTZ001

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from wellness.practice.charts import (
    ChartBase,
    anxiety_timeline,
    average_change,
    calendar_heatmap,
    gad7_chart,
    weekly_minutes,
)

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 11, 24)
START = date(2026, 10, 1)
NOW = datetime(2026, 11, 24, 18, 30)  # the local moment the rating charts end at
HOSTILE = "<script>alert(1)</script> & “Breathing”"


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)


def render(macro: str, chart: ChartBase, chart_id: str = "chart") -> str:
    source = (
        f'{{% from "_partials/charts.html" import {macro} %}}{{{{ {macro}(chart, id=chart_id) }}}}'
    )
    return _env().from_string(source).render(chart=chart, chart_id=chart_id)


def parse(html: str) -> ET.Element:
    return ET.fromstring(f"<root>{html}</root>")  # noqa: S314 - our own template's output


def _charts() -> dict[str, ChartBase]:
    minutes = {TODAY - timedelta(days=day): 5 + day % 30 for day in range(0, 90, 2)}
    return {
        "heatmap_chart": calendar_heatmap(minutes, list(minutes), today=TODAY),
        "timeline_chart": anxiety_timeline(
            [(datetime(2026, 10, day, 9, 30), day % 11) for day in range(1, 31, 3)],
            [
                (datetime(2026, 11, 2, 18, 0), 7, 4),
                (datetime(2026, 11, 9, 18, 0), 3, 5),
                (datetime(2026, 11, 16, 18, 0), 5, 5),
            ],
            start=START,
            now=NOW,
        ),
        "gad7_chart": gad7_chart(
            [(date(2026, 10, 1), 15), (date(2026, 10, 15), 11), (date(2026, 11, 12), 7)],
            start=START,
            now=NOW,
        ),
        "minutes_chart": weekly_minutes(
            [(date(2026, 10, 5) + timedelta(weeks=i), 20 * i) for i in range(8)]
        ),
        "change_chart": average_change(
            [("Slow breathing", -2.5, 4), (HOSTILE, -1.0, 2), ("Yoga", 0.5, 3)]
        ),
    }


CHARTS = _charts()


@pytest.fixture(params=sorted(CHARTS))
def rendered(request: pytest.FixtureRequest) -> tuple[ChartBase, str, ET.Element]:
    macro: str = request.param
    chart = CHARTS[macro]
    html = render(macro, chart, chart_id=f"{macro}-1")
    return chart, html, parse(html)


def test_it_renders_a_figure_with_an_svg_image_named_by_title_and_desc(
    rendered: tuple[ChartBase, str, ET.Element],
) -> None:
    chart, _, root = rendered
    figure = root.find("figure")
    assert figure is not None
    svg = figure.find(f".//{SVG}svg[@role='img']")
    assert svg is not None
    if figure.find(".//*[@class='chart__strip']") is None:
        assert svg.get("viewBox") == chart.view_box
        assert svg.get("width") == "100%"
    else:  # a chart that scrolls: the image is the part right of its fixed scale
        assert svg.get("viewBox") == chart.plot_view_box
        assert svg.get("width") == chart.plot_share
    title_id, desc_id = (svg.get("aria-labelledby") or "").split()
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.get("id"), title.text) == (title_id, chart.title)
    assert (desc.get("id"), desc.text) == (desc_id, chart.summary)
    caption = figure.find("figcaption")
    assert caption is not None
    assert caption.text == chart.summary


def test_it_has_no_inline_style_or_script(rendered: tuple[ChartBase, str, ET.Element]) -> None:
    _, html, root = rendered
    assert "style=" not in html
    assert "<script" not in html.lower()
    assert all("style" not in element.attrib for element in root.iter())
    assert not any(element.tag.endswith("script") for element in root.iter())


def test_every_mark_has_its_own_title(rendered: tuple[ChartBase, str, ET.Element]) -> None:
    _, _, root = rendered
    svg = root.find(f".//{SVG}svg[@role='img']")
    assert svg is not None
    marks = [
        element
        for element in svg.iter()
        if element.tag in {f"{SVG}rect", f"{SVG}circle"}
        and not element.get("class", "").startswith("gad7__band")
    ]
    assert marks
    parents = {child: parent for parent in svg.iter() for child in parent}
    for mark in marks:
        holder = mark if mark.find(f"{SVG}title") is not None else parents[mark]
        title = holder.find(f"{SVG}title")
        assert title is not None, ET.tostring(mark)
        assert title.text


def test_the_table_holds_the_same_numbers(rendered: tuple[ChartBase, str, ET.Element]) -> None:
    chart, _, root = rendered
    details = root.find(".//details")
    assert details is not None
    assert details.get("class") == "chart__data"
    table = details.find(".//table")
    assert table is not None
    caption = table.find("caption")
    assert caption is not None
    assert caption.text == chart.table_caption
    headers = table.findall("thead/tr/th")
    assert [th.text for th in headers] == list(chart.table_headers)
    assert {th.get("scope") for th in headers} == {"col"}
    rows = [tuple((cell.text or "") for cell in row) for row in table.findall("tbody/tr")]
    assert rows == list(chart.table_rows)
    assert {row[0].get("scope") for row in table.findall("tbody/tr")} == {"row"}


def test_ids_are_prefixed_so_two_charts_can_share_a_page() -> None:
    first = render("timeline_chart", CHARTS["timeline_chart"], chart_id="mine")
    second = render("timeline_chart", CHARTS["timeline_chart"], chart_id="last-month")
    ids = re.findall(r'\sid="([^"]+)"', first + second)
    assert len(ids) == len(set(ids))
    assert all(value.startswith(("mine", "last-month")) for value in ids)
    for html in (first, second):
        for reference in re.findall(r'aria-labelledby="([^"]+)"', html):
            for target in reference.split():
                assert f'id="{target}"' in html


def test_a_hostile_label_is_escaped_everywhere() -> None:
    html = render("change_chart", CHARTS["change_chart"])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; “Breathing”" in html
    root = parse(html)
    texts = ["".join(element.itertext()) for element in root.iter()]
    assert any(text.startswith(HOSTILE) for text in texts)
    row_headers = [th.text for th in root.findall(".//tbody/tr/th")]
    assert HOSTILE in row_headers


def test_a_truncated_name_keeps_its_full_text_as_a_title() -> None:
    name = "Gentle chair yoga with a very long title that goes on and on and on"
    html = render("change_chart", average_change([(name, -1.0, 3)]))
    root = parse(html)
    names = [
        element for element in root.iter(f"{SVG}text") if "change__name" in element.get("class", "")
    ]
    (label,) = names
    title = label.find(f"{SVG}title")
    assert title is not None
    assert title.text == name
    assert (title.tail or "").endswith("\u2026")


def test_the_timeline_key_shows_shapes_not_only_colours() -> None:
    root = parse(render("timeline_chart", CHARTS["timeline_chart"]))
    key = root.find(".//ul[@class='chart__key']")
    assert key is not None
    words = ["".join(item.itertext()).strip() for item in key]
    assert words == [
        "Check-in",
        "Before a session",
        "After: lower",
        "After: higher",
        "After: the same",
    ]
    assert all(item.find(f"{SVG}svg") is not None for item in key)
    assert {item.find(f"{SVG}svg").get("aria-hidden") for item in key} == {"true"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("macro", "chart"),
    [
        ("heatmap_chart", calendar_heatmap({}, [], today=TODAY)),
        ("timeline_chart", anxiety_timeline([], [], start=START, now=NOW)),
        ("gad7_chart", gad7_chart([], start=START, now=NOW)),
        ("minutes_chart", weekly_minutes([])),
        ("change_chart", average_change([])),
    ],
)
def test_an_empty_chart_is_a_kind_sentence_not_an_empty_frame(macro: str, chart: ChartBase) -> None:
    html = render(macro, chart)
    root = parse(html)
    assert root.find(f".//{SVG}svg") is None
    paragraph = root.find(".//p[@class='empty']")
    assert paragraph is not None
    assert "".join(paragraph.itertext()) == chart.title + chart.empty_message
