"""Drivers page tab: one answer's (or one client's) prediction explained step by step, from the
model's average prediction to this answer's, driver by driver (a waterfall)."""

from __future__ import annotations

import math

import polars as pl
import streamlit as st

from app.analytics.driver_views import client_contributions, waterfall_steps
from app.ui.charts import driver_shap as charts
from app.ui.components import chart_with_table
from app.ui.i18n import format_number, t
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import drivers_data as data
from app.ui.views.drivers_explain import with_text

WATERFALL_DRIVERS = 10


def _answer_options(rows: pl.DataFrame) -> list[str]:
    order = rows.with_columns(
        pl.col("nps_class")
        .replace_strict({"detractor": 0, "passive": 1, "promoter": 2}, default=3)
        .alias("o")
    )
    return order.sort("o", "prediction")["response_id"].to_list()


def _contributions(view: data.DriverView, shap: pl.DataFrame) -> pl.DataFrame:
    labelled = with_text(shap, view)
    return labelled.select("label", "value_text", "shap")


def _waterfall_frame(view: data.DriverView, contributions: pl.DataFrame, base: float) -> pl.DataFrame:
    steps = waterfall_steps(contributions, base, top=WATERFALL_DRIVERS)
    lang, promoter = view.lang, view.target == "promoter"

    def end_text(value: float) -> str:
        if not promoter:
            return format_number(value, 1, lang)
        pct = 100 / (1 + math.exp(-value))
        return "<1 %" if pct < 0.5 else ">99 %" if pct > 99.5 else f"{format_number(pct, 0, lang)} %"

    labels, texts = [], []
    for r in steps.to_dicts():
        if r["kind"] == "base":
            labels.append(t("drivers.wf_base"))
            texts.append(end_text(r["end"]))
        elif r["kind"] == "prediction":
            labels.append(t("drivers.wf_prediction"))
            texts.append(end_text(r["end"]))
        elif r["kind"] == "other":
            labels.append(t("drivers.wf_other", n=r["value_text"]))
            texts.append(format_number(r["shap"], 2, lang, signed=True))
        else:
            labels.append(f"{r['label']} = {r['value_text']}")
            texts.append(format_number(r["shap"], 2, lang, signed=True))
    return steps.with_columns(pl.Series("axis_label", labels), pl.Series("shap_text", texts))


def render_waterfall(view: data.DriverView) -> None:
    rows = data.sample_rows(view.model_id, view.run_id)
    shap = data.shap_sample(view.model_id, view.run_id)
    if rows.is_empty():
        st.info(t("drivers.no_sample"))
        return
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    with left:
        mode = url_segmented(
            t("drivers.wf_mode"),
            ["answer", "client"],
            key="drivers_wf_mode",
            param="wf",
            default="answer",
            format_func=lambda m: t(f"drivers.wf_mode_{m}"),
        )
    base = float(rows["base_value"][0])
    with right:
        if mode == "client":
            chosen, contributions, caption = _client_pick(view, rows, shap)
        else:
            chosen, contributions, caption = _answer_pick(view, rows, shap)
    if chosen is None:
        return
    st.markdown(caption)
    frame = _waterfall_frame(view, contributions, base)
    chart = charts.waterfall(frame, y_title=t(f"drivers.axis_prediction_{view.target}"))
    chart_with_table(
        chart,
        frame.select("axis_label", pl.col("shap").round(3), pl.col("end").round(3)),
        key="drivers_waterfall",
        file_stem="drivers_waterfall",
    )
    st.caption(t("drivers.wf_help_promoter") if view.target == "promoter" else t("drivers.wf_help_score"))


def _answer_pick(view: data.DriverView, rows: pl.DataFrame, shap: pl.DataFrame):
    info = {r["response_id"]: r for r in rows.to_dicts()}
    options = _answer_options(rows)
    chosen = url_selectbox(
        t("drivers.wf_answer"),
        options,
        key="drivers_wf_answer",
        param="resp",
        default=options[0],
        format_func=lambda r: t(
            "drivers.wf_answer_option",
            id=r,
            client=info[r]["client_name"] or "–",
            period=info[r]["period"],
            nps=info[r]["nps"],
        ),
    )
    if chosen is None:
        return None, None, ""
    row = info[chosen]
    picked = shap.filter(pl.col("row_id") == row["row_id"])
    caption = t(
        "drivers.wf_answer_caption",
        id=chosen,
        client=row["client_name"] or "–",
        nps=row["nps"],
        cls=t(f"drivers.class_{row['nps_class']}"),
    )
    return chosen, _contributions(view, picked), caption


def _client_pick(view: data.DriverView, rows: pl.DataFrame, shap: pl.DataFrame):
    clients = (
        rows.group_by("client_id")
        .agg(pl.col("client_name").first(), pl.len().alias("n"), pl.col("prediction").mean())
        .sort("prediction")
    )
    info = {r["client_id"]: r for r in clients.to_dicts()}
    options = clients["client_id"].to_list()
    chosen = url_selectbox(
        t("drivers.wf_client"),
        options,
        key="drivers_wf_client",
        param="client",
        default=options[0],
        format_func=lambda c: t(
            "drivers.wf_client_option", client=info[c]["client_name"] or c, n=info[c]["n"]
        ),
    )
    if chosen is None:
        return None, None, ""
    ids = rows.filter(pl.col("client_id") == chosen)
    mean = client_contributions(shap.filter(pl.col("row_id").is_in(ids["row_id"].to_list())))
    caption = t(
        "drivers.wf_client_caption",
        client=info[chosen]["client_name"] or chosen,
        n=info[chosen]["n"],
        nps=format_number(ids["nps"].mean(), 1, view.lang),
    )
    return chosen, _contributions(view, mean), caption
