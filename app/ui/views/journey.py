"""Customer-journey map: the stage × touchpoint heat-map, its difference variant, the emotion curve,
and the detail of the touchpoint a user clicks.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.touchpoints import METRICS, MetricSpec
from app.service_model import ServiceModel
from app.ui.charts import journey as charts
from app.ui.components import chart_with_table, empty_state, page_header
from app.ui.context import service_model
from app.ui.i18n import current_language, t, translate
from app.ui.journey_frames import CellTexts, colour_domain, heatmap_frame
from app.ui.labels import filters_summary
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import journey_compare, journey_data, journey_detail
from app.warehouse.filters import Filters

METRIC_KEYS = {
    "nps": "common.metric.nps", "csat": "common.metric.csat", "top2": "common.metric.top2",
    "ces": "common.metric.ces", "responses": "common.metric.responses", "gap": "common.metric.gap",
}
METRIC_HELP_KEYS = {
    "nps": "journey.metric_help_nps", "csat": "journey.metric_help_csat", "top2": "journey.metric_help_top2",
    "ces": "journey.metric_help_ces", "responses": "journey.metric_help_responses", "gap": "journey.metric_help_gap",
}
MODE_KEYS = {"map": "journey.mode_map", "compare": "journey.mode_compare"}
DEFAULT_METRIC = "csat"  # NPS of raters barely differs between touchpoints; slides share this default
MIN_N_CHOICES = ("10", "20", "30", "50", "100")
SELECTED_KEY = "journey_tp"
_LAST_CLICK_KEY = "_journey_last_click"


def cell_texts(lang: str | None = None) -> CellTexts:
    """The cells' words in the session's language, or in `lang` (slides and exports run outside a page)."""
    def tr(key: str) -> str:
        return translate(key, lang) if lang else t(key)

    return CellTexts(
        n_short=tr("journey.n_short"), too_few=tr("journey.too_few"), no_answers=tr("journey.no_answers"),
        touchpoint=tr("common.touchpoint"), stage=tr("common.stage"), value=tr("journey.tooltip_value"),
        interval=tr("journey.tooltip_interval"), answers=tr("common.n"), note=tr("journey.tooltip_note"),
        mot=tr("journey.mot"), suggested=tr("journey.suggested_mot"),
    )


def _controls(model: ServiceModel) -> tuple[MetricSpec, str, int]:
    left, middle, right = st.columns([5, 2, 1], vertical_alignment="bottom")
    with left:
        metric = url_segmented(t("journey.metric"), list(METRICS), key="journey_metric", param="metric",
                               default=DEFAULT_METRIC, format_func=lambda k: t(METRIC_KEYS[k]))
    with middle:
        mode = url_segmented(t("journey.mode"), list(MODE_KEYS), key="journey_mode", param="view", default="map",
                             format_func=lambda k: t(MODE_KEYS[k]))
    with right:
        default_n = str(model.settings.min_n)
        choices = sorted({*MIN_N_CHOICES, default_n}, key=int)
        min_n = url_selectbox(t("journey.min_n"), choices, key="journey_min_n", param="min_n", default=default_n,
                              format_func=str)
    return METRICS[metric], mode, int(min_n or default_n)


def _legend(spec: MetricSpec, min_n: int, mode: str) -> None:
    legend = t("journey.legend_compare", min_n=min_n) if mode == "compare" else t("journey.legend", min_n=min_n)
    st.caption(legend + " " + t(METRIC_HELP_KEYS[spec.key]))


def _selected_from(state: object) -> str | None:
    """The touchpoint of the clicked cell, from st.altair_chart's selection state."""
    selection = getattr(state, "selection", None) or (state.get("selection") if isinstance(state, dict) else None)
    points = (selection or {}).get(charts.SELECTION) or []
    if isinstance(points, list) and points and isinstance(points[0], dict):
        return points[0].get("touchpoint_id")
    return None


def _adopt_click(state: object) -> None:
    clicked = _selected_from(state)
    if clicked and clicked != st.session_state.get(_LAST_CLICK_KEY):
        st.session_state[SELECTED_KEY] = clicked
    st.session_state[_LAST_CLICK_KEY] = clicked


def _map(filters: Filters, spec: MetricSpec, min_n: int, lang: str) -> pl.DataFrame:
    metrics = journey_data.journey_metrics(filters, min_n)
    low, mid, high = colour_domain(metrics, spec)
    frame = heatmap_frame(metrics, spec, lang, cell_texts(), (low, mid, high))
    chart = charts.journey_heatmap(frame, domain=(low, high), mid=mid, reverse=not spec.higher_is_better)
    state = chart_with_table(chart, journey_data.table(metrics, lang), key="journey_heatmap",
                             file_stem=f"journey_{spec.key}", selection=charts.SELECTION)
    _adopt_click(state)
    _suggestions(metrics, lang)
    return metrics


def _suggestions(metrics: pl.DataFrame, lang: str) -> None:
    suggested = metrics.filter(pl.col("is_suggested_mot")).sort("mot_strength", descending=True)
    if suggested.is_empty():
        return
    names = [r["label_ru"] if lang == "ru" and r["label_ru"] else r["label_en"] for r in suggested.to_dicts()]
    source = suggested["importance_source"][0]
    st.info(t("journey.suggestion", touchpoints=", ".join(names),
              source=t("journey.source_drivers") if source == "drivers" else t("journey.source_correlation")),
            icon=":material/lightbulb:")


def _curve(metrics: pl.DataFrame, lang: str, min_n: int) -> None:
    st.subheader(t("journey.curve_title"), anchor=False, help=t("journey.curve_help"))
    frame = journey_data.curve(metrics, lang, min_n)
    chart = charts.emotion_curve(frame)
    chart_with_table(chart, frame, key="journey_curve", file_stem="emotion_curve")


def render(filters: Filters) -> None:
    model = service_model()
    lang = current_language()
    summary = filters_summary(model, filters.as_dict(), lang, t("filters.summary_all"))
    page_header(t("journey.title"), t("journey.subtitle", first=filters.period_from or "–",
                                      last=filters.period_to or "–", segment=summary))
    spec, mode, min_n = _controls(model)
    if journey_data.journey_metrics(filters, min_n)["n"].sum() == 0:
        empty_state(t("common.no_data"), t("common.no_data_hint"))
        return
    _legend(spec, min_n, mode)
    if mode == "compare":
        metrics = journey_compare.render(filters, model, spec, min_n, lang, cell_texts(), _adopt_click)
    else:
        metrics = _map(filters, spec, min_n, lang)
        _curve(metrics, lang, min_n)
    journey_detail.render(filters, metrics, min_n, lang, SELECTED_KEY)

