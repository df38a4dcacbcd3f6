"""The projector variant of the CX Lens chart theme, and static PNG rendering for decks.

A chart built for a 1440 px laptop has 13 px labels: unreadable from the back of a room. Changing
every chart builder is not an option (each page's builder sets its own font sizes, offsets and
heights), so the variant works on the finished Vega-Lite spec: every size in it — the theme's config
AND the sizes a builder set explicitly (font sizes, text offsets, stroke widths, point areas,
heights, label limits) — is multiplied by one zoom factor, while the width stays free to fill the
screen. Uniform zoom keeps each builder's layout intact (labels stay inside heat-map cells), and the
wide screen gives the extra room. The zoom is capped so the chart still fits the slide's height.

`projector_spec` feeds presentation mode (`st.vega_lite_chart`), `chart_png` the PPTX/PDF export
and the PNG download next to every chart, so the room, the deck and the download look the same.
No Streamlit here.
"""

from __future__ import annotations

import copy
from typing import Any

import altair as alt
import vl_convert

from app.ui.charts.theme import _theme, register_theme

register_theme()

PROJECTOR_THEME_NAME = "cxlens_projector"
PROJECTOR_ZOOM = 1.7  # 13 px labels -> 22 px: readable at 1920x1080 from ~10 m
MIN_ZOOM = 1.15  # below this a chart is squeezed (height clamped) rather than shrunk further
# vl-convert sees only the machine's fonts: prefer Arial-metric ones, narrower than DejaVu, so labels
# wrapped for the app's Source Sans still fit their cells.
STATIC_FONT = '"Liberation Sans", Arial, Helvetica, "Noto Sans", "DejaVu Sans", sans-serif'
VEGA_LITE_VERSION = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

# Lengths (px) multiplied by the zoom; areas (px²) by its square.
_LENGTH_KEYS = frozenset({
    "fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize", "lineHeight", "labelLineHeight",
    "strokeWidth", "symbolStrokeWidth", "labelLimit", "titleLimit", "labelPadding", "titlePadding",
    "labelOffset", "dx", "dy", "minExtent", "maxExtent", "cornerRadius", "cornerRadiusEnd", "tickSize",
    "height", "continuousHeight", "step", "strokeDash", "symbolOffset", "columnPadding", "rowPadding",
    "offset", "thickness",
})
_AREA_KEYS = frozenset({"size", "symbolSize"})
_ENCODING_PARTS = ("value", "condition")


def _scale_number(value: Any, factor: float) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return round(value * factor, 2)
    if isinstance(value, list) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return [round(v * factor, 2) for v in value]
    return value


def _scale_channel(channel: dict, factor: float) -> dict:
    """An encoding such as strokeWidth={condition: {value: 4}, value: 2.5} or size={scale: {range}}."""
    out = dict(channel)
    for part in _ENCODING_PARTS:
        if part not in out:
            continue
        if part == "value":
            out[part] = _scale_number(out[part], factor)
        elif isinstance(out[part], dict):
            out[part] = _scale_channel(out[part], factor)
        elif isinstance(out[part], list):
            out[part] = [_scale_channel(c, factor) if isinstance(c, dict) else c for c in out[part]]
    scale = out.get("scale")
    if isinstance(scale, dict) and "range" in scale:
        out["scale"] = {**scale, "range": _scale_number(scale["range"], factor)}
    return out


def scale_sizes(node: Any, zoom: float) -> Any:
    """A copy of a Vega-Lite spec (or part) with every length × zoom and every area × zoom²."""
    if isinstance(node, list):
        return [scale_sizes(item, zoom) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        factor = zoom * zoom if key in _AREA_KEYS else zoom if key in _LENGTH_KEYS else None
        if key in ("data", "datasets"):
            out[key] = value  # the data itself is never scaled
        elif factor is None:
            out[key] = scale_sizes(value, zoom)
        elif isinstance(value, dict):
            out[key] = value if "band" in value else _scale_channel(value, factor)  # {"band": 0.6} is relative
        else:
            out[key] = _scale_number(value, factor)
    return out


def projector_config() -> dict:
    """The CX Lens theme's config at projector size (the "cxlens_projector" theme)."""
    config = copy.deepcopy(_theme()["config"])
    config.setdefault("view", {}).setdefault("continuousHeight", 320)
    config.setdefault("axis", {}).setdefault("tickSize", 5)
    return scale_sizes(config, PROJECTOR_ZOOM)


def register_projector_theme() -> None:
    """Register (not enable) the projector variant, for notebooks and ad-hoc exports.

    The app never enables it: the active theme is process-wide and a server shares the process
    between users, so `projector_spec` merges the config into each spec instead.
    """
    if PROJECTOR_THEME_NAME not in alt.theme.names():
        alt.theme.register(PROJECTOR_THEME_NAME, enable=False)(lambda: {"config": projector_config()})


def _base_height(spec: dict) -> float | None:
    height = spec.get("height")
    if isinstance(height, int | float):
        return float(height)
    if any(k in spec for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        return None
    view = (spec.get("config") or {}).get("view") or {}
    return float(view.get("continuousHeight", 320))


def _y_types(node: Any) -> set[str]:
    """The types of every y encoding in a (layered) spec."""
    if isinstance(node, list):
        return set().union(*(_y_types(n) for n in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found: set[str] = set()
    y = (node.get("encoding") or {}).get("y")
    if isinstance(y, dict) and "type" in y:
        found.add(y["type"])
    for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
        if key in node:
            found |= _y_types(node[key])
    return found


def stretches_vertically(spec: dict) -> bool:
    """True when the chart can simply be made shorter: every y is a continuous scale (lines, areas).

    Charts with band (nominal/ordinal) y — heat-maps, bar lists — place text at fixed offsets inside
    each band, so they are zoomed down as a whole instead of squeezed.
    """
    types = _y_types(spec)
    return bool(types) and types <= {"quantitative", "temporal"}


def zoom_to_fit(spec: dict, max_height: float | None, zoom: float = PROJECTOR_ZOOM) -> float:
    """The projector zoom, smaller for tall band charts so they fit `max_height` (never below MIN_ZOOM)."""
    base = _base_height(spec)
    if max_height is None or base is None or base <= 0 or stretches_vertically(spec):
        return zoom
    return max(MIN_ZOOM, min(zoom, max_height / base))


def projector_spec(
    chart: alt.TopLevelMixin | dict, *, max_height: float | None = None, width: int | None = None,
    zoom: float = PROJECTOR_ZOOM, background: str | None = None, static: bool = False, fill_height: bool = False,
) -> dict:
    """The chart's Vega-Lite spec at projector size.

    `width` (px) fixes the width (in the browser the container's width is used instead); `static`
    picks the font for offline rendering (the browser has the app's own font); `fill_height` makes
    charts with continuous y axes exactly `max_height` tall.
    """
    register_theme()
    spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict()
    if "config" not in spec:
        spec["config"] = copy.deepcopy(_theme()["config"])
    factor = zoom_to_fit(spec, max_height, zoom)
    scaled = scale_sizes(spec, factor)
    height = scaled.get("height")
    if max_height is not None and isinstance(height, int | float) and height > max_height:
        scaled["height"] = max_height
    if fill_height and max_height is not None and stretches_vertically(scaled):
        scaled["height"] = max_height  # lines and areas simply use the room the screen has
    if isinstance(scaled.get("height"), int | float):
        # Vega-Lite puts a tick every ~40 px; at projector size the labels need ~40 px × zoom.
        ticks = max(4, round(scaled["height"] / (40 * factor)))
        scaled.setdefault("config", {}).setdefault("axisQuantitative", {}).setdefault("tickCount", ticks)
    if not any(k in scaled for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        # Fit the width only: the height stays the plot height chosen above (Streamlit's default
        # "fit" would squeeze it to include axes, shrinking heat-map cells under their texts).
        scaled["autosize"] = {"type": "fit-x", "contains": "padding"}
        if width is not None:
            scaled["width"] = width
    if background:
        scaled["background"] = background
    if static:
        scaled.setdefault("config", {})["font"] = STATIC_FONT
    return scaled


def spec_png(spec: dict, *, scale: float = 1.0) -> bytes:
    """Render a Vega-Lite spec to PNG offline (vl-convert; no browser)."""
    return vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, scale=scale)


def chart_png(
    chart: alt.TopLevelMixin | dict, *, width: int = 1760, max_height: float | None = 640, scale: float = 1.0,
) -> bytes:
    """The chart as a projector-size PNG (`width` px wide at scale 1, white background)."""
    spec = projector_spec(chart, max_height=max_height, width=width, background="white", static=True)
    return spec_png(spec, scale=scale)
