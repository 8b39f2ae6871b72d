"""Draw a radar chart as one self-contained, accessible SVG document.

Nothing is fetched (no fonts, images, scripts or stylesheets), so the file works offline,
in an <img>, inline in a page and attached to a report. Accessibility: the root has
role="img" with a <title> and <desc>; every series, vertex and axis carries its own
<title> in words; series differ by dash pattern and marker as well as colour (Okabe-Ito
palette, safe for colour-blind readers), so colour is never the only cue.

The radius of each vertex is proportional to its value: r = radius * value / max_value;
a missing value (an unanswered statement) has no vertex.
The root's data-cx, data-cy, data-radius and data-max attributes state the geometry so
that a reader (or a test) can recover the values from the drawing."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from bluelight.workbench.services.assessment import Radar

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 1000
CX, CY, RADIUS = 330, 350, 230
KEY_X = 640
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
            "#8C6D00")
_DASHES = ("", "9 4", "3 3", "12 4 3 4", "6 6", "2 6", "14 3", "4 2 1 2")
_MARKERS = ("circle", "square", "diamond", "triangle")
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
_TEXT = "#1a1a1a"
_MUTED = "#555555"


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _point(axis: int, axes: int, r: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * axis / axes  # first axis at the top, clockwise
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): str(v)
                                          for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _titled(parent: ET.Element, tag: str, title: str, **attrs) -> ET.Element:
    element = _sub(parent, tag, **attrs)
    _sub(element, "title", title)
    return element


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _level_name(radar: Radar, value: float | None) -> str:
    if value is None:
        return "not answered"
    for level in radar.levels:
        if abs(level.value - value) < 1e-9:
            return f"{level.label} ({_n(value)})"
    return f"{_n(value)} of {_n(radar.max_value)}"


def _marker(parent: ET.Element, kind: str, x: float, y: float, colour: str, title: str) -> None:
    s = 4.5
    if kind == "circle":
        shape = _titled(parent, "circle", title, cx=_n(x), cy=_n(y), r=_n(s))
    elif kind == "square":
        shape = _titled(parent, "rect", title, x=_n(x - s), y=_n(y - s), width=_n(2 * s),
                        height=_n(2 * s))
    elif kind == "diamond":
        shape = _titled(parent, "path", title,
                        d=f"M{_n(x)} {_n(y - s - 1)}L{_n(x + s + 1)} {_n(y)}"
                          f"L{_n(x)} {_n(y + s + 1)}L{_n(x - s - 1)} {_n(y)}Z")
    else:
        shape = _titled(parent, "path", title,
                        d=f"M{_n(x)} {_n(y - s - 1)}L{_n(x + s + 1)} {_n(y + s)}"
                          f"L{_n(x - s - 1)} {_n(y + s)}Z")
    shape.set("fill", colour)
    shape.set("class", "vertex")


def render(radar: Radar) -> str:
    """The SVG document (UTF-8 text, no XML declaration) for `radar`."""
    axes = len(radar.axes)
    # Up to four series get a line each for name and note; more share one line, so that
    # eight still fit a 1366x768 screen.
    roomy = len(radar.series) <= 4
    row = 40 if roomy else 24
    key_top = 110 + row * len(radar.series) + 24
    height = max(CY + RADIUS + 70, key_top + 22 * axes + 40)
    root = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {WIDTH} {height}", "width": str(WIDTH),
        "height": str(height), "role": "img", "aria-labelledby": "radar-title radar-desc",
        "font-family": _FONT, "data-cx": str(CX), "data-cy": str(CY),
        "data-radius": str(RADIUS), "data-max": _n(radar.max_value),
        "data-axes": str(axes), "data-series": str(len(radar.series)),
    })
    _sub(root, "title", radar.title, id="radar-title")
    _sub(root, "desc", radar.description, id="radar-desc")
    _sub(root, "rect", x=0, y=0, width=WIDTH, height=height, fill="#ffffff")
    _sub(root, "text", _clip(radar.title, 90), x=24, y=40, font_size=22, font_weight="bold",
         fill=_TEXT, aria_hidden="true")

    grid = _sub(root, "g", class_="grid", aria_hidden="true")
    for level in radar.levels:
        r = RADIUS * level.value / radar.max_value if radar.max_value else 0
        if r > 0:
            _sub(grid, "circle", cx=CX, cy=CY, r=_n(r), fill="none", stroke="#b0b0b0",
                 stroke_width=1)
        _sub(grid, "text", level.label, x=_n(CX + 6), y=_n(CY - r - 4), font_size=12,
             fill=_MUTED)

    axis_group = _sub(root, "g", class_="axes")
    for i, axis in enumerate(radar.axes):
        x, y = _point(i, axes, RADIUS)
        _sub(axis_group, "line", x1=CX, y1=CY, x2=_n(x), y2=_n(y), stroke="#c8c8c8",
             stroke_width=1, class_="axis", data_key=axis.key)
        lx, ly = _point(i, axes, RADIUS + 22)
        label = _titled(axis_group, "text", f"{axis.label}: {axis.text}", x=_n(lx),
                        y=_n(ly + 5), font_size=15, font_weight="bold", fill=_TEXT,
                        text_anchor="middle", class_="axis-label")
        label[0].tail = str(i + 1)

    series_group = _sub(root, "g", class_="series")
    for s_index, series in enumerate(radar.series):
        colour = _COLOURS[s_index % len(_COLOURS)]
        group = _titled(series_group, "g", f"{series.name}: {series.note}",
                        data_series=s_index)
        # An unanswered statement has no vertex: drawing it at the centre would read
        # as Never.
        points = {i: _point(i, axes, RADIUS * value / radar.max_value if radar.max_value
                            else 0)
                  for i, value in enumerate(series.values) if value is not None}
        _sub(group, "polygon", points=" ".join(f"{_n(x)},{_n(y)}" for x, y in points.values()),
             fill=colour, fill_opacity="0.12", stroke=colour, stroke_width=2.5,
             stroke_linejoin="round", stroke_dasharray=_DASHES[s_index % len(_DASHES)] or
             "none", data_values=" ".join("-" if v is None else _n(v) for v in series.values),
             class_="series-shape")
        marker = _MARKERS[s_index % len(_MARKERS)]
        for i, (x, y) in points.items():
            _marker(group, marker, x, y, colour, f"{series.name}, {radar.axes[i].label}: "
                                                 f"{_level_name(radar, series.values[i])}")

    legend = _sub(root, "g", class_="legend")
    _sub(legend, "text", "Legend", x=KEY_X, y=92, font_size=15, font_weight="bold",
         fill=_TEXT)
    for s_index, series in enumerate(radar.series):
        colour = _COLOURS[s_index % len(_COLOURS)]
        y = 118 + row * s_index
        item = _titled(legend, "g", f"{series.name}: {series.note}", class_="legend-item")
        _sub(item, "line", x1=KEY_X, y1=y - 5, x2=KEY_X + 34, y2=y - 5, stroke=colour,
             stroke_width=3, stroke_dasharray=_DASHES[s_index % len(_DASHES)] or "none")
        _marker(item, _MARKERS[s_index % len(_MARKERS)], KEY_X + 17, y - 5, colour,
                series.name)
        if roomy:
            _sub(item, "text", _clip(series.name, 44), x=KEY_X + 44, y=y, font_size=14,
                 fill=_TEXT)
            _sub(item, "text", series.note, x=KEY_X + 44, y=y + 17, font_size=12,
                 fill=_MUTED)
        else:
            name = _clip(series.name, max(12, 44 - len(series.note) - 3))
            _sub(item, "text", f"{name} · {series.note}", x=KEY_X + 44, y=y, font_size=13,
                 fill=_TEXT)

    key = _sub(root, "g", class_="key")
    _sub(key, "text", "Statements", x=KEY_X, y=key_top, font_size=15, font_weight="bold",
         fill=_TEXT)
    for i, axis in enumerate(radar.axes):
        _titled(key, "text", axis.text, x=KEY_X, y=key_top + 24 + 22 * i, font_size=14,
                fill=_TEXT)[0].tail = _clip(axis.label, 46)
    return ET.tostring(root, encoding="unicode")
