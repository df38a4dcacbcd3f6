"""Difference map: the journey of one segment (or quarter) against another, cell by cell.

URL: view=compare&cmp=segment&dim=business_unit&a=energy&b=machinery, or cmp=period&pa=…&pb=….
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from app.analytics.touchpoints import MetricSpec
from app.service_model import ServiceModel
from app.ui.charts import journey as charts
from app.ui.components import chart_with_table, empty_state
from app.ui.context import cached_query
from app.ui.i18n import t
from app.ui.journey_frames import CellTexts, difference_frame
from app.ui.labels import COLUMN_DIMENSIONS, option_labels
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import journey_data
from app.warehouse.filters import Filters
from app.warehouse.scores import available_periods

COMPARE_KEYS = {"segment": "journey.compare_segments", "period": "journey.compare_periods"}
DIMENSION_KEYS = {
    "business_unit": "common.business_unit", "segment": "common.segment", "status": "common.status",
    "grade": "common.grade", "respondent_role": "common.respondent_role",
}


def _segment_sides(filters: Filters, model: ServiceModel, lang: str) -> tuple[Filters, Filters, str, str]:
    left, middle, right = st.columns(3)
    with left:
        column = url_selectbox(t("journey.compare_dimension"), list(DIMENSION_KEYS), key="journey_cmp_dim",
                               param="dim", default="business_unit", format_func=lambda c: t(DIMENSION_KEYS[c]))
    dimension = COLUMN_DIMENSIONS[column]
    labels = option_labels(model, dimension, lang)
    options = list(labels)
    with middle:
        a = url_selectbox(t("journey.side_a"), options, key=f"journey_cmp_a_{column}", param="a",
                          default=options[0], format_func=labels.get)
    with right:
        b = url_selectbox(t("journey.side_b"), options, key=f"journey_cmp_b_{column}", param="b",
                          default=options[1 % len(options)], format_func=labels.get)
    return (filters.with_values(**{dimension: (a,)}), filters.with_values(**{dimension: (b,)}),
            labels[a], labels[b])


def _period_sides(filters: Filters) -> tuple[Filters, Filters, str, str]:
    periods = cached_query(available_periods)
    left, right, _ = st.columns(3)
    with left:
        a = url_selectbox(t("journey.side_a"), periods, key="journey_cmp_pa", param="pa", default=periods[-1],
                          format_func=str)
    with right:
        b = url_selectbox(t("journey.side_b"), periods, key="journey_cmp_pb", param="pb",
                          default=periods[-2] if len(periods) > 1 else periods[-1], format_func=str)
    return (filters.with_values(period_from=a, period_to=a), filters.with_values(period_from=b, period_to=b),
            str(a), str(b))


def render(filters: Filters, model: ServiceModel, spec: MetricSpec, min_n: int, lang: str, texts: CellTexts,
           on_click: Callable[[object], None]) -> pl.DataFrame:
    """Draw the comparison; returns side A's metrics (for the touchpoint detail below)."""
    how = url_segmented(t("journey.compare_by"), list(COMPARE_KEYS), key="journey_cmp", param="cmp",
                        default="segment", format_func=lambda k: t(COMPARE_KEYS[k]))
    if how == "period":
        filters_a, filters_b, name_a, name_b = _period_sides(filters)
    else:
        filters_a, filters_b, name_a, name_b = _segment_sides(filters, model, lang)
    if spec.key == "responses":
        empty_state(t("journey.compare_no_responses"))
        return journey_data.journey_metrics(filters_a, min_n)
    metrics_a, metrics_b, diff = journey_data.compare(filters_a, filters_b, spec, min_n)
    if name_a == name_b:
        st.warning(t("journey.same_sides"), icon=":material/compare_arrows:")
    st.caption(t("journey.compare_note", a=name_a, b=name_b))
    frame = difference_frame(diff, spec, lang, texts, (f"A · {name_a}", f"B · {name_b}"))
    chart = charts.journey_heatmap(frame, domain=(-spec.diff_domain, spec.diff_domain), mid=0.0,
                                   reverse=not spec.higher_is_better)
    table = diff.select(
        "stage_id", "touchpoint_id", "label_en", "label_ru", f"{spec.value}_a", f"{spec.value}_b", "n_a", "n_b",
        "diff", "diff_moe", "is_significant", "is_low_n",
    )
    state = chart_with_table(chart, table, key="journey_diffmap", file_stem=f"journey_difference_{spec.key}",
                             selection=charts.SELECTION)
    on_click(state)
    st.subheader(t("journey.curve_title"), anchor=False, help=t("journey.curve_help"))
    curve = pl.concat([journey_data.curve(metrics_a, lang, min_n, f"A · {name_a}"),
                       journey_data.curve(metrics_b, lang, min_n, f"B · {name_b}")])
    chart_with_table(charts.emotion_curve(curve, series="series"), curve,
                     key="journey_curve_compare", file_stem="emotion_curve_comparison")
    return metrics_a
