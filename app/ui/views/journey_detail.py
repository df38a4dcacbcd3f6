"""One touchpoint, opened from the map: its scores with margins, the distribution of ratings, the
trend by quarter, its KPIs from the tree, and what respondents wrote (lowest ratings first).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.ui.charts import journey as charts
from app.ui.components import chart_with_table, download_buttons, empty_state, metric_tile, page_link
from app.ui.context import service_model
from app.ui.i18n import format_number, t
from app.ui.labels import with_option_label
from app.ui.url_widgets import url_selectbox
from app.ui.views import journey_data
from app.warehouse.filters import Filters


def _label(row: dict, lang: str, prefix: str = "") -> str:
    return (row.get(f"{prefix}label_ru") if lang == "ru" else None) or row[f"{prefix}label_en"]


def _tiles(row: dict, lang: str, min_n: int) -> None:
    low_n = row["n"] < min_n
    columns = st.columns(5)
    scale = f"{row['scale_min']}–{row['scale_max']}"
    with columns[0]:
        metric_tile(t("journey.detail_csat", scale=scale), format_number(row["csat_mean"], 2, lang),
                    moe=format_number(row["csat_moe"], 2, lang), low_n=low_n)
    with columns[1]:
        value = row["top2_pct"]
        metric_tile(t("common.metric.top2"), "–" if value is None else f"{format_number(value, 0, lang)} %",
                    moe=format_number(row["top2_moe"], 1, lang), low_n=low_n)
    with columns[2]:
        metric_tile(t("journey.detail_nps"), format_number(row["nps"], 0, lang, signed=True),
                    moe=format_number(row["nps_moe"], 1, lang), low_n=low_n)
    with columns[3]:
        target = row["target"]
        metric_tile(t("journey.detail_target"), "–" if target is None else format_number(target, 1, lang),
                    delta=None if row["gap_to_target"] is None else format_number(row["gap_to_target"], 2, lang,
                                                                                  signed=True, plain_minus=True))
    with columns[4]:
        metric_tile(t("common.n"), format_number(row["n"], 0, lang),
                    note=t("journey.detail_importance", value=format_number(row.get("importance_100"), 0, lang)))


def _distribution_and_trend(filters: Filters, row: dict, min_n: int) -> None:
    left, right = st.columns(2, gap="large")
    touchpoint_id = row["touchpoint_id"]
    with left:
        st.markdown(f"**{t('journey.detail_distribution')}**")
        dist = journey_data.detail_distribution(filters, touchpoint_id)
        total = int(dist["n"].sum()) if dist.height else 0
        low_cut = row["scale_min"] + (row["scale_max"] - row["scale_min"]) * 0.4
        dist = dist.with_columns(
            pl.when(pl.col("is_top2")).then(pl.lit("top2"))
            .when(pl.col("rating") <= low_cut).then(pl.lit("low")).otherwise(pl.lit("mid")).alias("band"),
            (100.0 * pl.col("n") / max(total, 1)).round(0).cast(pl.Int64).cast(pl.String).add(" %").alias("share_text"),
        )
        chart = charts.score_distribution(dist, x_title=t("journey.rating"), y_title=t("common.n"))
        chart_with_table(chart, dist.drop("band"), key="journey_detail_dist", file_stem=f"{touchpoint_id}_distribution")
    with right:
        st.markdown(f"**{t('journey.detail_trend')}**")
        trend = journey_data.detail_trend(filters, touchpoint_id, min_n)
        chart = charts.touchpoint_trend(trend, y_title=t("journey.detail_mean"), target=row["target"])
        chart_with_table(chart, trend, key="journey_detail_trend", file_stem=f"{touchpoint_id}_trend")


def _kpis(filters: Filters, touchpoint_id: str, lang: str) -> None:
    st.markdown(f"**{t('journey.detail_kpis')}**")
    kpis = journey_data.detail_kpis(filters, touchpoint_id)
    if kpis.is_empty():
        st.caption(t("journey.detail_no_kpis"))
        return
    name = "name_ru" if lang == "ru" else "name_en"
    table = kpis.select(
        pl.coalesce(pl.col(name), pl.col("name_en")).alias(t("journey.kpi_name")),
        pl.col("layer").alias(t("journey.kpi_layer")), pl.col("unit").alias(t("journey.kpi_unit")),
        pl.col("target").alias(t("journey.kpi_target")), pl.col("value").alias(t("journey.kpi_value")),
        pl.col("period").alias(t("common.period")),
        pl.col("value_business_unit").replace_strict(
            {o.id: o.label.get(lang) for o in service_model().dimensions.business_units},
            default=None, return_dtype=pl.String).fill_null(t("common.company")).alias(t("journey.kpi_scope")),
        "kpi_id",
    )
    numbers = {t("journey.kpi_target"): st.column_config.NumberColumn(format="%.2f"),
               t("journey.kpi_value"): st.column_config.NumberColumn(format="%.2f")}
    st.dataframe(table.drop("kpi_id"), hide_index=True, key="journey_detail_kpis_view", column_config=numbers)
    download_buttons(table, f"{touchpoint_id}_kpis", key="journey_detail_kpis")
    page_link("kpi_tree", t("journey.link_kpi_tree"))


def _comments(filters: Filters, touchpoint_id: str, lang: str) -> None:
    comments = journey_data.detail_comments(filters, touchpoint_id)
    st.markdown(f"**{t('journey.detail_comments', n=format_number(comments.height))}**")
    if comments.is_empty():
        st.caption(t("journey.detail_no_comments"))
        return
    model = service_model()
    for column in ("business_unit", "segment", "respondent_role"):
        comments = with_option_label(comments, model, column, lang)
    shown = comments.select(
        pl.col("rating").alias(t("journey.rating")),
        pl.col("comment").alias(t("journey.comment")),
        pl.col("submitted_on").cast(pl.Date).alias(t("journey.submitted")),
        pl.col("business_unit_label").alias(t("common.business_unit")),
        pl.col("segment_label").alias(t("common.segment")),
        pl.col("respondent_role_label").alias(t("common.respondent_role")),
        pl.col("client_name").alias(t("journey.client")),
    )
    st.dataframe(shown, hide_index=True, height=320, key="journey_detail_comments_view",
                 column_config={t("journey.comment"): st.column_config.TextColumn(width="large"),
                                t("journey.submitted"): st.column_config.DateColumn(format="YYYY-MM-DD")})
    download_buttons(shown, f"{touchpoint_id}_comments", key="journey_detail_comments")
    page_link("voice_of_customer", t("journey.link_voc"))


def render(filters: Filters, metrics: pl.DataFrame, min_n: int, lang: str, selected_key: str) -> None:
    """The detail panel under the map; opens for the clicked (or chosen) touchpoint."""
    st.divider()
    options = metrics["touchpoint_id"].to_list()
    labels = {r["touchpoint_id"]: _label(r, lang) for r in metrics.to_dicts()}
    head, pick = st.columns([3, 2], vertical_alignment="bottom")
    with head:
        st.subheader(t("journey.detail_title"), anchor=False)
    with pick:
        chosen = url_selectbox(t("journey.detail_pick"), options, key=selected_key, param="tp", default=None,
                               format_func=labels.get, placeholder=t("journey.detail_placeholder"))
    if not chosen:
        empty_state(t("journey.detail_hint"))
        return
    row = metrics.filter(pl.col("touchpoint_id") == chosen).to_dicts()[0]
    model = service_model()
    badges = [f":material/flag: {_label(row, lang, 'stage_')}",
              f":material/call: {model.label('channels', row['channel'], lang)}",
              f":material/apartment: {model.label('departments', row['department'], lang)}"]
    if row["is_moment_of_truth"]:
        badges.append(f":orange-badge[★ {t('journey.mot')}]")
    elif row.get("is_suggested_mot"):
        badges.append(f":violet-badge[☆ {t('journey.suggested_mot')}]")
    st.markdown(f"### {labels[chosen]}\n" + " · ".join(badges))
    if row["n"] == 0:
        empty_state(t("common.no_data"), t("common.no_data_hint"))
        return
    _tiles(row, lang, min_n)
    _distribution_and_trend(filters, row, min_n)
    _kpis(filters, chosen, lang)
    _comments(filters, chosen, lang)
