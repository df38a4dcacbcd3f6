"""Drivers page tabs that explain answers: every sampled answer per driver (beeswarm) and one driver's
effect along its values (dependence); the waterfall of one answer or client is in drivers_waterfall."""

from __future__ import annotations

import math

import polars as pl
import streamlit as st

from app.analytics.driver_views import beeswarm_frame, dependence_frame
from app.ui.charts import driver_shap as charts
from app.ui.components import chart_with_table
from app.ui.i18n import format_number, t
from app.ui.url_widgets import url_selectbox
from app.ui.views import drivers_data as data

BEESWARM_DRIVERS = 12
BEESWARM_ANSWERS = 800
DISCRETE_UNITS = ("rating", "count")
_TIPS = ("driver", "value", "effect", "answer", "mean_effect")


def _tips() -> dict[str, str]:
    return {k: t(f"drivers.tip_{k}") for k in _TIPS}


def with_text(frame: pl.DataFrame, view: data.DriverView) -> pl.DataFrame:
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
    frame = with_text(beeswarm_frame(shap, shown["feature_id"].to_list(), every), view)
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
    rows = with_text(shap.filter(pl.col("feature_id") == feature["feature_id"]), view)
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
