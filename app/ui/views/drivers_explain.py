"""Drivers page tabs that explain answers: every sampled answer per driver (beeswarm), one driver's
effect along its values (dependence), and one answer's or one client's prediction step by step
(waterfall)."""

from __future__ import annotations

import math

import polars as pl
import streamlit as st

from app.analytics.driver_views import beeswarm_frame, client_contributions, dependence_frame, waterfall_steps
from app.ui.charts import driver_shap as charts
from app.ui.components import chart_with_table
from app.ui.i18n import format_number, t
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import drivers_data as data

BEESWARM_DRIVERS = 12
BEESWARM_ANSWERS = 800
WATERFALL_DRIVERS = 10
DISCRETE_UNITS = ("rating", "count")
_TIPS = ("driver", "value", "effect", "answer", "mean_effect")


def _tips() -> dict[str, str]:
    return {k: t(f"drivers.tip_{k}") for k in _TIPS}


def _with_text(frame: pl.DataFrame, view: data.DriverView) -> pl.DataFrame:
    """Add label and value_text (the value as a reader says it) to SHAP rows."""
    features = {f["feature_id"]: f for f in view.features.to_dicts()}
    texts = [
        data.value_text(v, lab, features[f], view.model, view.lang)
        for f, v, lab in zip(frame["feature_id"], frame["value"], frame["value_label"], strict=True)
    ]
    labels = [features[f]["label"] for f in frame["feature_id"]]
    return frame.with_columns(
        pl.Series("value_text", texts, dtype=pl.String), pl.Series("label", labels, dtype=pl.String)
    )


def render_beeswarm(view: data.DriverView) -> None:
    shown = view.ranked().head(BEESWARM_DRIVERS)
    if shown.height < 3:
        shown = view.features.sort("importance", descending=True).head(8)
    shap = data.shap_sample(view.model_id, view.run_id)
    n_rows = int(shap["row_id"].n_unique()) if shap.height else 0
    every = max(1, math.ceil(n_rows / BEESWARM_ANSWERS))
    frame = _with_text(beeswarm_frame(shap, shown["feature_id"].to_list(), every), view)
    st.caption(
        t(
            "drivers.beeswarm_help",
            n=format_number(frame["row_id"].n_unique(), 0, view.lang),
            unit=data.effect_unit(view.target),
        )
    )
    chart = charts.beeswarm(
        frame,
        order=shown["label"].to_list(),
        x_title=t("drivers.axis_effect", unit=data.effect_unit(view.target)),
        legend_title=t("drivers.legend_value"),
        low_high=(t("drivers.low"), t("drivers.high")),
        tooltip_titles=_tips(),
    )
    table = frame.select("response_id", "label", "value_text", pl.col("shap").round(3))
    chart_with_table(chart, table, key="drivers_beeswarm", file_stem="drivers_beeswarm")


def _driver_choice(view: data.DriverView) -> dict:
    options = view.features["feature_id"].to_list()
    labels = dict(zip(view.features["feature_id"], view.features["label"], strict=True))
    column, _ = st.columns([1, 2])
    with column:
        chosen = url_selectbox(
            t("drivers.driver"),
            options,
            key="drivers_dependence",
            param="drv",
            default=options[0],
            format_func=lambda f: labels.get(f, f),
        )
    return view.feature(chosen or options[0])


def _biggest_step(curve: pl.DataFrame, feature: dict, view: data.DriverView) -> str | None:
    if curve.height < 2:
        return None
    steps = curve.with_columns(
        pl.col("mean_shap").diff().alias("jump"), pl.col("value").shift().alias("from")
    )
    row = steps.drop_nulls("jump").sort(pl.col("jump").abs(), descending=True).row(0, named=True)
    return t(
        "drivers.dependence_step",
        driver=feature["label"],
        start=data.value_text(row["from"], None, feature, view.model, view.lang),
        end=data.value_text(row["value"], None, feature, view.model, view.lang),
        jump=format_number(row["jump"], 2, view.lang, signed=True),
        unit=data.effect_unit(view.target),
    )


def _category_effects(shap: pl.DataFrame, feature: dict, view: data.DriverView) -> None:
    rows = _with_text(shap.filter(pl.col("feature_id") == feature["feature_id"]), view)
    frame = (
        rows.group_by("value_text")
        .agg(pl.col("shap").mean().alias("nps_change"), pl.len().alias("n"))
        .with_columns(
            pl.col("value_text").alias("label"),
            pl.col("nps_change").alias("nps_low"),
            pl.col("nps_change").alias("nps_high"),
            pl.col("value_text").alias("step_text"),
        )
    )
    from app.ui.charts.driver_act import whatif_bars

    chart = whatif_bars(
        frame, x_title=t("drivers.axis_effect", unit=data.effect_unit(view.target)), highlight=None
    )
    chart_with_table(
        chart,
        frame.select("label", pl.col("nps_change").round(3).alias("mean_shap"), "n"),
        key="drivers_category",
        file_stem="drivers_category",
    )


def render_dependence(view: data.DriverView) -> None:
    feature = _driver_choice(view)
    shap = data.shap_sample(view.model_id, view.run_id)
    if feature["is_categorical"]:
        st.caption(t("drivers.category_help", driver=feature["label"], unit=data.effect_unit(view.target)))
        _category_effects(shap, feature, view)
        return
    discrete = feature["unit"] in DISCRETE_UNITS
    points, curve = dependence_frame(shap, feature["feature_id"], discrete)
    sentence = _biggest_step(curve, feature, view)
    if sentence:
        st.markdown(sentence)
    missing = shap.filter((pl.col("feature_id") == feature["feature_id"]) & pl.col("value").is_null())
    if missing.height:
        st.caption(
            t(
                "drivers.dependence_missing",
                n=format_number(missing.height, 0, view.lang),
                effect=format_number(missing["shap"].mean(), 2, view.lang, signed=True),
            )
        )
    if points.is_empty():
        st.info(t("drivers.no_values"))
        return
    classes = {c: t(f"drivers.class_{c}") for c in ("detractor", "passive", "promoter")}
    chart = charts.dependence(
        points,
        curve,
        x_title=feature["label"],
        y_title=t("drivers.axis_effect", unit=data.effect_unit(view.target)),
        class_titles=classes,
        discrete=discrete,
        tooltip_titles=_tips(),
    )
    chart_with_table(
        chart, curve, key="drivers_dependence_chart", file_stem=f"drivers_dependence_{feature['feature_id']}"
    )


def _answer_options(rows: pl.DataFrame) -> list[str]:
    order = rows.with_columns(
        pl.col("nps_class")
        .replace_strict({"detractor": 0, "passive": 1, "promoter": 2}, default=3)
        .alias("o")
    )
    return order.sort("o", "prediction")["response_id"].to_list()


def _contributions(view: data.DriverView, shap: pl.DataFrame) -> pl.DataFrame:
    labelled = _with_text(shap, view)
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
