"""The radar chart: a well-formed, self-contained, accessible SVG whose vertices sit at a
radius proportional to the score."""

from __future__ import annotations

import math

import pytest
from defusedxml import ElementTree

from bluelight.workbench.adapters import radar_svg
from bluelight.workbench.services.assessment import (
    Radar,
    RadarAxis,
    RadarLevel,
    RadarSeries,
    _radar,
)

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    return ElementTree.fromstring(svg)


def vertices(polygon) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]


def chart(*series: list[float | None], names: list[str] | None = None) -> Radar:
    names = names or [f"series {i}" for i in range(len(series))]
    return _radar("Self-assessment: SCB Estates",
                  [RadarSeries(name=n, values=list(v), note="x") for n, v in zip(names, series, strict=True)])


def test_one_assessment_has_title_desc_16_axes_and_one_polygon() -> None:
    values = [float(i % 3) for i in range(16)]
    root = parse(radar_svg.render(chart(values)))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "radar-title radar-desc"
    assert root.find("svg:title", NS).text == "Self-assessment: SCB Estates"
    desc = root.find("svg:desc", NS).text
    assert "16 statements" in desc and "Always 2, Sometimes 1, Never 0" in desc
    assert len(root.findall(".//svg:line[@class='axis']", NS)) == 16
    assert len(root.findall(".//svg:polygon", NS)) == 1
    labels = root.findall(".//svg:text[@class='axis-label']", NS)
    assert len(labels) == 16 and labels[0].find("svg:title", NS).text.startswith(
        "1. Visible leadership: We have visible leadership")


def test_vertex_radius_is_proportional_to_score() -> None:
    values = [2.0, 1.0, 0.0, 1.5] * 4
    root = parse(radar_svg.render(chart(values)))
    cx, cy, radius = (float(root.get(k)) for k in ("data-cx", "data-cy", "data-radius"))
    maximum = float(root.get("data-max"))
    points = vertices(root.find(".//svg:polygon", NS))
    assert len(points) == 16
    for i, ((x, y), value) in enumerate(zip(points, values, strict=True)):
        assert math.hypot(x - cx, y - cy) == pytest.approx(radius * value / maximum, abs=0.02)
        if value:  # axis i points at angle -90° + i * 22.5°, clockwise from the top
            angle = math.degrees(math.atan2(y - cy, x - cx))
            off = (angle - (-90 + 22.5 * i) + 180) % 360 - 180
            assert off == pytest.approx(0, abs=0.05)


def test_overlay_has_one_polygon_and_legend_item_per_series() -> None:
    svg = radar_svg.render(chart([2.0] * 16, [1.0] * 16, [0.5] * 16,
                                 names=["2021", "2022", "2023"]))
    root = parse(svg)
    polygons = root.findall(".//svg:polygon", NS)
    assert len(polygons) == 3
    assert len({p.get("stroke") for p in polygons}) == 3  # told apart by colour...
    assert len({p.get("stroke-dasharray") for p in polygons}) == 3  # ...and not only
    items = root.findall(".//svg:g[@class='legend-item']", NS)
    assert [i.find("svg:title", NS).text for i in items] == ["2021: x", "2022: x", "2023: x"]


def test_an_unanswered_statement_has_no_vertex() -> None:
    values = [2.0] * 16
    values[3] = None
    root = parse(radar_svg.render(chart(values)))
    polygon = root.find(".//svg:polygon", NS)
    assert len(vertices(polygon)) == 15
    assert polygon.get("data-values").split()[3] == "-"


def test_self_contained_and_safe_with_hostile_names() -> None:
    name = '</title><script>alert(1)</script> & "friends"'
    svg = radar_svg.render(chart([1.0] * 16, names=[name]))
    root = parse(svg)  # still well-formed
    assert root.findall(".//svg:script", NS) == []
    assert "<script>" not in svg
    for marker in ("href", "url(", "@import", "http://", "https://"):
        assert marker not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(name in (t or "") for t in titles)


def test_fits_a_1366_by_768_screen() -> None:
    root = parse(radar_svg.render(chart(*([[1.0] * 16] * 8))))
    _, _, width, height = map(float, root.get("viewBox").split())
    assert width <= 1366 and height <= 768
    sizes = [float(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert min(sizes) >= 12


def test_levels_are_labelled_in_words() -> None:
    radar = Radar(title="t", description="d", axes=[RadarAxis(key="a", label="a", text="a")] * 3,
                  series=[], levels=[RadarLevel(value=1, label="Sometimes")])
    texts = [t.text for t in parse(radar_svg.render(radar)).iter(
        "{http://www.w3.org/2000/svg}text")]
    assert "Sometimes" in texts
